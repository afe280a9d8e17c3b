package org.jvs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The state machine, quorum, sorry server and notifications with a manual clock: results are scripted per
 * server, time moves only when the test says, and every effect the director would carry out is recorded.
 */
class HealthEngineTest {
    static final ServiceKey WEB = new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("10.0.0.100"), 80);
    static final DestSpec A = DestSpec.of(IpAddr.parse("10.0.0.11"), 80, ForwardingMethod.NAT).withWeight(10);
    static final DestSpec B = DestSpec.of(IpAddr.parse("10.0.0.12"), 80, ForwardingMethod.NAT).withWeight(10);
    static final DestSpec SORRY = DestSpec.of(IpAddr.parse("10.0.0.99"), 80, ForwardingMethod.NAT);

    final ManualHealthTimer timer = new ManualHealthTimer();
    final Scripted runner = new Scripted();
    final Recorder actions = new Recorder();
    final List<HealthEvent> events = new ArrayList<>();
    final HealthEngine engine = new HealthEngine(timer, runner, new Notifier(HealthConfig.Global.DEFAULTS, events::add), actions, new Random(1));

    @AfterEach
    void close() {
        engine.close();
    }

    /** Hands out scripted results per target port; "up" when the script is empty. */
    static final class Scripted implements CheckRunner {
        final Map<String, Deque<CheckResult>> script = new HashMap<>();
        final List<Long> startedAt = new ArrayList<>();
        /** While set, results wait here until the test hands them over (a check that takes time). */
        List<Consumer<CheckResult>> held;
        ManualHealthTimer clock;

        void then(DestSpec d, CheckResult... results) {
            script.computeIfAbsent(d.address().toString(), k -> new ArrayDeque<>()).addAll(List.of(results));
        }

        @Override
        public void submit(Checker checker, InetSocketAddress target, Duration timeout, Consumer<CheckResult> done) {
            if (clock != null) {
                startedAt.add(clock.nanos());
            }
            if (held != null) {
                held.add(done);
                return;
            }
            Deque<CheckResult> q = script.get(IpAddr.of(target.getAddress()).toString());
            done.accept(q == null || q.isEmpty() ? CheckResult.up("ok") : q.poll());
        }
    }

    /** Applies effects to a model of the service: which servers are in it, with which factor. */
    static final class Recorder implements HealthActions {
        final Map<String, Double> factors = new HashMap<>();
        final List<String> present = new ArrayList<>();
        final List<String> log = new ArrayList<>();

        @Override
        public void locked(Runnable r) {
            r.run();
        }

        @Override
        public void apply(Effect e) {
            switch (e) {
                case Factor f -> {
                    String k = f.address().withPort(f.port());
                    factors.put(k, f.factor());
                    log.add("factor " + k + " " + f.factor());
                }
                case Present p -> {
                    if (!present.contains(p.spec().label())) {
                        present.add(p.spec().label());
                    }
                    log.add("present " + p.spec().label());
                }
                case Absent a -> {
                    present.remove(a.spec().label());
                    factors.remove(a.spec().label());
                    log.add("absent " + a.spec().label());
                }
            }
        }
    }

    static HealthPolicy policy(int retry, int rise, int fall, boolean inhibit, boolean alpha, int slowStartSeconds) {
        return new HealthPolicy(Duration.ofSeconds(5), Duration.ofSeconds(2), retry, Duration.ofSeconds(1), Duration.ZERO,
                rise, fall, inhibit, alpha, Duration.ofSeconds(slowStartSeconds));
    }

    void configure(HealthPolicy p, int quorum, int hysteresis, DestSpec sorry, boolean sorryInhibit) {
        engine.configure(new HealthConfig(HealthConfig.Global.DEFAULTS, List.of(new HealthConfig.ServiceHealth(WEB, quorum, hysteresis,
                List.of(), List.of(), sorry, sorryInhibit,
                List.of(new HealthConfig.DestCheck(A, new TcpChecker(0), p), new HealthConfig.DestCheck(B, new TcpChecker(0), p))))));
        // What the director does after configure: apply the shaped file (servers wanted present), then sync.
        for (DestSpec d : List.of(A, B)) {
            if (engine.wantsPresent(WEB, d.address(), d.port()) && !actions.present.contains(d.label())) {
                actions.present.add(d.label());
            }
        }
        engine.sync();
    }

    void tick(int seconds) {
        timer.advance(Duration.ofSeconds(seconds));
    }

    static CheckResult refused() {
        return CheckResult.down("connect refused");
    }

    @Test
    void eachServerCarriesHowLongItsLastCheckTookFromStartToResult() {
        runner.held = new ArrayList<>();
        configure(policy(1, 1, 1, false, false, 0), 1, 0, null, false);
        assertThat(engine.dests()).allSatisfy(d -> assertThat(d.lastDurationMicros()).as("before any check").isEqualTo(-1));
        timer.runDue(); // both checks start now; their results are held
        assertThat(runner.held).hasSize(2);
        timer.advance(Duration.ofMillis(700));
        runner.held.get(0).accept(CheckResult.up("ok"));
        timer.advance(Duration.ofMillis(1300));
        runner.held.get(1).accept(refused());
        timer.runDue();
        assertThat(engine.dests()).extracting(DestStatus::lastDurationMicros).containsExactlyInAnyOrder(700_000L, 2_000_000L);
    }

    @Test
    void aServerGoesDownAfterItsRetriesAndIsRemovedThenComesBack() {
        runner.clock = timer;
        configure(policy(1, 1, 1, false, false, 0), 1, 0, null, false);
        runner.then(A, refused(), refused(), CheckResult.up("ok"));
        timer.runDue(); // first checks at once (warmup 0): A refused, retry due in delay_before_retry
        assertThat(actions.present).containsExactly(A.label(), B.label());
        assertThat(events).isEmpty();
        tick(1); // the retry fails too: down, removed
        assertThat(actions.present).containsExactly(B.label());
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(HealthEvent.Kind.DOWN);
            assertThat(e.dest()).isEqualTo("10.0.0.11:80");
            assertThat(e.reason()).isEqualTo("connect refused (2 failed attempts), removed from the service");
        });
        tick(5); // next check after delay_loop succeeds: back in the service
        assertThat(actions.present).containsExactly(B.label(), A.label());
        assertThat(actions.factors.get(A.label())).isEqualTo(1.0);
        assertThat(events).extracting(HealthEvent::kind).containsExactly(HealthEvent.Kind.DOWN, HealthEvent.Kind.UP);
    }

    @Test
    void aDownServerIsNotRetriedAndRiseNeedsThatManySuccesses() {
        configure(policy(2, 3, 1, true, false, 0), 1, 0, null, false);
        runner.then(A, refused(), refused(), refused(), refused(), CheckResult.up("a"), CheckResult.up("b"), refused(),
                CheckResult.up("c"), CheckResult.up("d"), CheckResult.up("e"));
        timer.runDue();
        tick(2); // 2 retries, 1 s apart
        assertThat(events).extracting(HealthEvent::kind).containsExactly(HealthEvent.Kind.DOWN);
        assertThat(actions.factors.get(A.label())).as("inhibit_on_failure keeps it at weight 0").isEqualTo(0.0);
        assertThat(actions.present).contains(A.label());
        tick(5); // refused again while down: no retries, one check per delay_loop
        tick(5); // up 1
        tick(5); // up 2
        tick(5); // refused: the count starts again
        tick(5);
        tick(5);
        assertThat(events).hasSize(1);
        tick(5); // third success in a row
        assertThat(events).extracting(HealthEvent::kind).containsExactly(HealthEvent.Kind.DOWN, HealthEvent.Kind.UP);
        assertThat(events.get(1).reason()).contains("3 successful checks");
    }

    @Test
    void fallCountsFailedRoundsNotAttempts() {
        configure(policy(0, 1, 3, true, false, 0), 1, 0, null, false);
        runner.then(A, refused(), refused(), refused());
        timer.runDue();
        tick(5);
        assertThat(events).isEmpty();
        tick(5);
        assertThat(events).singleElement().extracting(HealthEvent::reason)
                .isEqualTo("connect refused (3 failed checks of 1 attempt each), weight 0");
    }

    @Test
    void alphaStartsDownAndOutOfTheServiceUntilTheFirstSuccess() {
        runner.then(A, refused());
        configure(policy(1, 1, 1, false, true, 0), 1, 0, null, false);
        assertThat(engine.wantsPresent(WEB, A.address(), A.port())).isFalse();
        assertThat(actions.present).isEmpty();
        timer.runDue(); // A refused (still down), B succeeds
        assertThat(actions.present).containsExactly(B.label());
        tick(5);
        assertThat(actions.present).containsExactly(B.label(), A.label());
    }

    @Test
    void slowStartRampsTheFactorOneStepPerSecond() {
        configure(policy(0, 1, 1, true, false, 5), 1, 0, null, false);
        runner.then(A, refused());
        timer.runDue();
        assertThat(actions.factors.get(A.label())).isEqualTo(0.0);
        tick(5); // recovers
        List<Double> ramp = new ArrayList<>();
        ramp.add(actions.factors.get(A.label()));
        for (int i = 0; i < 6; i++) {
            tick(1);
            ramp.add(actions.factors.get(A.label()));
        }
        assertThat(ramp).containsExactly(0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.0);
        assertThat(engine.dests()).filteredOn(d -> d.spec().equals(A)).singleElement().extracting(DestStatus::state).isEqualTo("UP");
    }

    @Test
    void agentDrainAndPercentScaleTheFactorAndMaintGoesDownAtOnce() {
        configure(policy(3, 1, 2, true, false, 0), 1, 0, null, false);
        runner.then(A, AgentChecker.parse("75%"), AgentChecker.parse("drain"), AgentChecker.parse("maint"));
        timer.runDue();
        assertThat(actions.factors.get(A.label())).isEqualTo(0.75);
        tick(5);
        assertThat(actions.factors.get(A.label())).isEqualTo(0.0);
        assertThat(engine.dests().getFirst().state()).isEqualTo("DRAIN");
        tick(5);
        assertThat(events).extracting(HealthEvent::kind).containsExactly(HealthEvent.Kind.DOWN);
    }

    @Test
    void quorumWithHysteresisAndTheSorryServer() {
        // Weights 10 + 10, quorum 15, hysteresis 5: lost below 10, regained at 20.
        configure(policy(0, 1, 1, true, false, 0), 15, 5, SORRY, false);
        runner.then(A, refused(), CheckResult.up("ok"));
        runner.then(B, CheckResult.up("ok"), refused(), refused(), CheckResult.up("ok"));
        timer.runDue(); // A down: live 10, not below 10
        assertThat(events).extracting(HealthEvent::kind).containsExactly(HealthEvent.Kind.DOWN);
        assertThat(actions.present).doesNotContain(SORRY.label());
        tick(5); // A up (live 20), B down (live 10): still not below 10
        assertThat(actions.present).doesNotContain(SORRY.label());
        tick(5); // A up, B still down... now let A fail too
        runner.then(A, refused());
        tick(5); // live 0 < 10: quorum lost, sorry server in, the rest at weight 0
        assertThat(events).extracting(HealthEvent::kind).contains(HealthEvent.Kind.QUORUM_DOWN);
        assertThat(actions.present).contains(SORRY.label());
        assertThat(actions.factors.get(SORRY.label())).isEqualTo(1.0);
        assertThat(engine.extraDests(WEB)).containsExactly(SORRY);
        assertThat(engine.services().getFirst().sorryActive()).isTrue();
        tick(5); // B up (live 10), A up (live 20): regained at 20
        assertThat(events.getLast().kind()).isEqualTo(HealthEvent.Kind.QUORUM_UP);
        assertThat(actions.present).doesNotContain(SORRY.label());
        assertThat(actions.factors.get(A.label())).isEqualTo(1.0);
        assertThat(actions.factors.get(B.label())).isEqualTo(1.0);
        assertThat(events.getLast().reason()).isEqualTo("live weight 20 reaches quorum 15 + 5; sorry server 10.0.0.99:80 no longer used");
    }

    @Test
    void whileTheSorryServerStandsInTheLiveServersGetNoNewConnections() {
        configure(policy(0, 1, 1, true, false, 0), 15, 0, SORRY, true);
        assertThat(actions.present).as("sorry_server_inhibit keeps it in at weight 0").contains(SORRY.label());
        assertThat(actions.factors.get(SORRY.label())).isEqualTo(0.0);
        runner.then(A, refused());
        timer.runDue(); // live 10 < 15
        assertThat(actions.factors.get(SORRY.label())).isEqualTo(1.0);
        assertThat(actions.factors.get(B.label())).as("keepalived takes the rest out").isEqualTo(0.0);
        assertThat(engine.dests()).filteredOn(d -> d.spec().equals(B)).singleElement().extracting(DestStatus::state).isEqualTo("UP(SORRY)");
    }

    @Test
    void aReloadKeepsTheStateOfUnchangedChecksAndRestartsChangedOnes() {
        configure(policy(0, 1, 1, false, false, 0), 1, 0, null, false);
        runner.then(A, refused());
        timer.runDue();
        assertThat(engine.wantsPresent(WEB, A.address(), A.port())).isFalse();
        configure(policy(0, 1, 1, false, false, 0), 1, 0, null, false);
        assertThat(engine.wantsPresent(WEB, A.address(), A.port())).as("still down after a reload").isFalse();
        assertThat(actions.present).containsExactly(B.label());
        // A changed policy keeps the state too, and checks again at once.
        runner.then(A, CheckResult.up("back"));
        configure(policy(0, 2, 1, false, false, 0), 1, 0, null, false);
        assertThat(engine.wantsPresent(WEB, A.address(), A.port())).isFalse();
        timer.runDue();
        timer.runDue();
        tick(5);
        assertThat(engine.wantsPresent(WEB, A.address(), A.port())).isTrue();
    }

    @Test
    void quorumCommandsRunOnEachCrossing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path log = dir.resolve("quorum.log");
        List<String> up = List.of("sh", "-c", "echo up >> " + log);
        List<String> down = List.of("sh", "-c", "echo down >> " + log);
        engine.configure(new HealthConfig(HealthConfig.Global.DEFAULTS, List.of(new HealthConfig.ServiceHealth(WEB, 1, 0, up, down, null, false,
                List.of(new HealthConfig.DestCheck(A, new TcpChecker(0), policy(0, 1, 1, true, false, 0)))))));
        engine.sync();
        runner.then(A, refused(), CheckResult.up("ok"));
        timer.runDue();
        tick(5);
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!java.nio.file.Files.exists(log) || java.nio.file.Files.readAllLines(log).size() < 2) {
            assertThat(System.nanoTime()).as("both commands ran").isLessThan(end);
            Thread.sleep(20);
        }
        // Each command runs in a background process of its own (as keepalived forks them), so the two may finish
        // in either order; the order of the crossings themselves is the events' below.
        assertThat(java.nio.file.Files.readAllLines(log)).containsExactlyInAnyOrder("down", "up");
        assertThat(events).extracting(HealthEvent::kind).containsExactly(HealthEvent.Kind.DOWN, HealthEvent.Kind.QUORUM_DOWN,
                HealthEvent.Kind.UP, HealthEvent.Kind.QUORUM_UP);
        assertThat(events.get(1).dest()).isEqualTo("-");
        assertThat(events.get(1).reason()).isEqualTo("live weight 0 below quorum 1");
    }

    @Test
    void aServerNoLongerCheckedGetsItsWholeWeightBack() {
        configure(policy(0, 1, 1, true, false, 0), 1, 0, null, false);
        runner.then(A, refused());
        timer.runDue();
        assertThat(actions.factors.get(A.label())).isEqualTo(0.0);
        engine.configure(HealthConfig.NONE);
        engine.sync();
        assertThat(actions.factors.get(A.label())).isEqualTo(1.0);
    }

    @Test
    void resultsOfAServerRemovedByAReloadAreIgnored() {
        configure(policy(0, 1, 1, false, false, 0), 1, 0, null, false);
        engine.configure(HealthConfig.NONE);
        runner.then(A, refused());
        tick(10);
        assertThat(events).isEmpty();
        assertThat(engine.dests()).isEmpty();
    }
}
