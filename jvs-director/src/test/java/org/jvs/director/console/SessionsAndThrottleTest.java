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
        for (int i = 0; i < Sessions.MAX_SESSIONS + 10; i++) {
            nanos.incrementAndGet();
            s.create(ALICE);
        }
        assertThat(s.size()).isEqualTo(Sessions.MAX_SESSIONS);
    }

    @Test
    void theThrottleDoublesFromOneSecondAfterFiveFailuresAndForgetsOnSuccess() {
        LoginThrottle t = new LoginThrottle(millis::get);
        for (int i = 0; i < LoginThrottle.FREE_FAILURES - 1; i++) {
            t.failed("192.0.2.1", "alice");
            assertThat(t.waitMillis("192.0.2.1", "alice")).isZero();
        }
        t.failed("192.0.2.1", "alice");
        assertThat(t.waitMillis("192.0.2.1", "alice")).isEqualTo(1000);
        assertThat(t.waitMillis("192.0.2.1", "bob")).isEqualTo(1000); // the address is counted
        assertThat(t.waitMillis("198.51.100.7", "alice")).isEqualTo(1000); // and the name
        assertThat(t.waitMillis("198.51.100.7", "bob")).isZero();
        t.failed("192.0.2.1", "alice");
        assertThat(t.waitMillis("192.0.2.1", "alice")).isEqualTo(2000);
        for (int i = 0; i < 30; i++) {
            t.failed("192.0.2.1", "alice");
        }
        assertThat(t.waitMillis("192.0.2.1", "alice")).isEqualTo(LoginThrottle.MAX_DELAY_MS);
        millis.addAndGet(LoginThrottle.MAX_DELAY_MS);
        assertThat(t.waitMillis("192.0.2.1", "alice")).isZero();
        t.succeeded("192.0.2.1", "alice");
        t.failed("192.0.2.1", "alice");
        assertThat(t.waitMillis("192.0.2.1", "alice")).isZero(); // counting starts again
    }

    @Test
    void aFloodOfNamesCannotWashOutAThrottle() {
        LoginThrottle t = new LoginThrottle(millis::get);
        for (int i = 0; i < 8; i++) {
            t.failed("192.0.2.1", "alice");
        }
        long waiting = t.waitMillis("192.0.2.9", "alice");
        for (int i = 0; i < LoginThrottle.MAX_ENTRIES; i++) {
            t.failed("203.0.113." + (i % 250), "name-" + i);
        }
        assertThat(t.waitMillis("192.0.2.9", "alice")).isEqualTo(waiting).isPositive();
    }
}
