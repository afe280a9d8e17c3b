package org.jvs.director.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Sessions' lifetimes and the login throttle's schedule, on a clock the test moves. */
class SessionsAndThrottleTest {
    static final ConsoleUser ALICE = new ConsoleUser("alice", true, PasswordHash.decoy());
    static final ConsoleUser NOC = new ConsoleUser("noc", false, PasswordHash.decoy());
    final AtomicLong nanos = new AtomicLong(1_000);
    final AtomicLong millis = new AtomicLong(1_000_000);

    @Test
    void aSessionEndsWhenIdleOrTooOldButActivityKeepsItAlive() {
        Sessions s = new Sessions(Duration.ofMinutes(15), nanos::get);
        Sessions.Session a = s.create(ALICE);
        assertThat(a.id).hasSize(43).isNotEqualTo(a.csrf);
        nanos.addAndGet(Duration.ofMinutes(14).toNanos());
        assertThat(s.find(a.id, false)).isSameAs(a); // looked at, not touched: a live-update stream
        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        assertThat(s.find(a.id, true)).isNull(); // 16 minutes without the user's own request
        Sessions.Session b = s.create(ALICE);
        for (int i = 0; i < 60; i++) { // active every 14 minutes for 14 hours
            nanos.addAndGet(Duration.ofMinutes(14).toNanos());
            if (s.find(b.id, true) == null) {
                assertThat(Duration.ofNanos(nanos.get() - b.createdNanos)).isGreaterThanOrEqualTo(Sessions.MAX_AGE);
                return;
            }
        }
        throw new AssertionError("a session outlived " + Sessions.MAX_AGE);
    }

    @Test
    void theCsrfTokenIsComparedWholeAndSessionsBoundedAndRetainedByUser() {
        Sessions s = new Sessions(Duration.ofMinutes(15), nanos::get);
        Sessions.Session a = s.create(ALICE);
        assertThat(a.csrfMatches(a.csrf)).isTrue();
        assertThat(a.csrfMatches(a.csrf.substring(1))).isFalse();
        assertThat(a.csrfMatches(null)).isFalse();
        Sessions.Session n = s.create(NOC);
        assertThat(s.retain(List.of(ALICE))).isEqualTo(1);
        assertThat(s.find(n.id, true)).isNull();
        assertThat(s.find(a.id, true)).isSameAs(a);
        // the same name with another password or access is another user: its sessions end too
        assertThat(s.retain(List.of(new ConsoleUser("alice", false, ALICE.password())))).isEqualTo(1);
        Sessions.Session nocs = s.create(NOC);
        for (int i = 0; i < Sessions.MAX_SESSIONS + 10; i++) {
            nanos.incrementAndGet();
            s.create(ALICE);
        }
        // however often one user logs in, it costs only that user's oldest sessions
        assertThat(s.size()).isEqualTo(Sessions.MAX_PER_USER + 1);
        assertThat(s.find(nocs.id, true)).isSameAs(nocs);
    }

    @Test
    void theThrottleDoublesFromOneSecondAfterFiveFailuresAndForgetsOnSuccess() {
        LoginThrottle t = new LoginThrottle(millis::get);
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            assertThat(t.attempt("192.0.2.1", "alice")).as("attempt " + i).isZero();
        }
        assertThat(t.attempt("192.0.2.1", "alice")).isEqualTo(1000);
        assertThat(t.attempt("192.0.2.1", "bob")).isEqualTo(1000); // the address is counted
        assertThat(t.attempt("198.51.100.7", "alice")).isEqualTo(1000); // and the name
        assertThat(t.attempt("198.51.100.7", "bob")).isZero();
        millis.addAndGet(1000);
        assertThat(t.attempt("192.0.2.1", "alice")).isZero(); // the sixth goes through after its second...
        assertThat(t.attempt("192.0.2.1", "alice")).isEqualTo(2000); // ...and the seventh waits twice as long
        for (int i = 0; i < 30; i++) {
            millis.addAndGet(LoginThrottle.MAX_DELAY_MS);
            assertThat(t.attempt("192.0.2.1", "alice")).isZero();
        }
        assertThat(t.attempt("192.0.2.1", "alice")).isEqualTo(LoginThrottle.MAX_DELAY_MS);
        millis.addAndGet(LoginThrottle.MAX_DELAY_MS);
        assertThat(t.attempt("192.0.2.1", "alice")).isZero();
        t.succeeded("192.0.2.1", "alice");
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            assertThat(t.attempt("192.0.2.1", "alice")).isZero(); // counting starts again
        }
    }

    @Test
    void parallelAttemptsAreCountedBeforeAnyPasswordIsChecked() throws Exception {
        LoginThrottle t = new LoginThrottle(millis::get);
        java.util.concurrent.atomic.AtomicInteger through = new java.util.concurrent.atomic.AtomicInteger();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 64; i++) {
                pool.submit(() -> {
                    if (t.attempt("192.0.2.1", "alice") == 0) {
                        through.incrementAndGet(); // a hash would run now; the failure is already counted
                    }
                });
            }
        }
        assertThat(through.get()).isEqualTo(LoginThrottle.FREE_FAILURES);
    }

    @Test
    void aFloodOfNamesCannotWashOutAThrottle() {
        LoginThrottle t = new LoginThrottle(millis::get);
        for (int i = 0; i < 8; i++) {
            t.attempt("192.0.2.1", "alice");
        }
        long waiting = t.attempt("192.0.2.9", "alice");
        for (int i = 0; i < LoginThrottle.MAX_ENTRIES; i++) {
            t.attempt("203.0.113." + (i % 250) + "." + i, "name-" + i);
        }
        assertThat(t.attempt("192.0.2.9", "alice")).isEqualTo(waiting).isPositive();
    }
}
