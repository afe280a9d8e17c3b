package org.jvs.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jvs.core.LoadBalancer;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The monitor's rules with fake collectors and a manual clock: no network, no sleeping. */
class FeedbackMonitorTest {
    private final LoadBalancer lb = new LoadBalancer();
    private final ServiceKey key = new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("10.0.0.1"), 80);
    private final IpAddr a = IpAddr.parse("10.0.1.1");
    private final IpAddr b = IpAddr.parse("10.0.1.2");
    private final IpAddr c = IpAddr.parse("10.0.1.3");
    private final IpAddr quiet = IpAddr.parse("10.0.1.4");
    private final ManualClock clock = new ManualClock();
    private final Map<String, Object> figures = new ConcurrentHashMap<>();
    private final List<String> sampled = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<IpAddr, Integer> said = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final FeedbackMonitor monitor = new FeedbackMonitor(lb, (s, addr, port, w) -> {
        synchronized (said) {
            said.put(addr, w);
            calls.add(addr + "=" + w);
        }
    }, clock, (spec, host) -> {
        sampled.add(host);
        Object f = figures.get(host);
        if (f instanceof Sample s) {
            return s;
        }
        throw new CollectorException("snmp v2c " + host + ":161: no answer within 1000 ms × 2 tries");
    }, (spec, to) -> Duration.ofMillis(20));

    FeedbackMonitorTest() {
        lb.addService(ServiceSpec.of(key, "wrr"));
        for (IpAddr x : List.of(a, b, c)) {
            lb.addDest(key, DestSpec.of(x, 80, new ForwardingMethod.Nat()).withWeight(10));
        }
        lb.addDest(key, DestSpec.of(quiet, 80, new ForwardingMethod.Nat()).withWeight(0));
        // 2 CPUs; load 1.0 → LOAD 0.5; 45 % disk → 0.5; 45 % memory → 0.5; 100 processes → 0.5.
        for (IpAddr x : List.of(a, b, c, quiet)) {
            figures.put(x.toString(), new Sample(1.0, 2, 45, 1000, 550, 100, Double.NaN));
        }
        monitor.configure(new FeedbackConfig(true, FeedbackSettings.DEFAULT, Map.of()));
    }

    @AfterEach
    void close() {
        monitor.close();
        lb.close();
    }

    private void connections(IpAddr x, int n) {
        for (int i = 0; i < n; i++) {
            lb.service(key).dest(x, 80).stats().connection();
        }
    }

    private DestStatus status(IpAddr x) {
        return monitor.status().getFirst().dests().stream().filter(d -> d.address().equals(x)).findFirst().orElseThrow();
    }

    @Test
    void weightsFollowTheFormulaOnTheCollectedFigures() {
        monitor.round(key); // first round: counters seen, no interval yet (INPUT left out)
        int[] before = {status(a).weight(), status(b).weight(), status(c).weight()};
        clock.advanceSeconds(5);
        connections(a, 30);
        connections(b, 60);
        connections(c, 90);
        figures.put(c.toString(), new Sample(6.0, 2, 45, 1000, 550, 100, Double.NaN)); // c's CPU is busy: LOAD 3
        said.clear();
        ServiceStatus st = monitor.round(key);

        // RESPONSE = 20 ms / 100 ms = 0.2; the rest as set up. INPUT = 0.5, 1.0, 1.5.
        double aggA = 0.1 * 0.5 + 0.3 * 0.5 + 0.1 * 0.5 + 0.1 * 0.5 + 0.1 * 0.5 + 0.3 * 0.2;
        double aggB = aggA + 0.1 * 0.5;
        double aggC = 0.1 * 1.5 + 0.3 * 3.0 + 0.1 * 0.5 + 0.1 * 0.5 + 0.1 * 0.5 + 0.3 * 0.2;
        assertThat(status(a).aggregate()).isCloseTo(aggA, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(status(c).aggregate()).isCloseTo(aggC, org.assertj.core.api.Assertions.within(1e-9));
        int wa = (int) Math.round(before[0] + 5 * Math.cbrt(0.95 - aggA));
        int wb = (int) Math.round(before[1] + 5 * Math.cbrt(0.95 - aggB));
        int wc = (int) Math.round(before[2] + 5 * Math.cbrt(0.95 - aggC));
        assertThat(said).containsEntry(a, wa).containsEntry(b, wb).containsEntry(c, wc);
        assertThat(wa).isGreaterThan(before[0]);
        assertThat(wc).isLessThan(before[2]);
        assertThat(st.dests()).extracting(DestStatus::newConnections).containsExactly(30L, 60L, 90L);
    }

    @Test
    void administratorsZeroIsNeverQueriedNorAdjusted() {
        for (int i = 0; i < 3; i++) {
            monitor.round(key);
            clock.advanceSeconds(5);
        }
        assertThat(sampled).doesNotContain(quiet.toString());
        assertThat(said).doesNotContainKey(quiet);
        assertThat(monitor.status().getFirst().dests()).extracting(DestStatus::address).doesNotContain(quiet);
    }

    @Test
    void anUnreachableServerGetsZeroUntilItAnswersThenStartsFromItsDefault() {
        monitor.round(key);
        figures.remove(b.toString());
        monitor.round(key);
        assertThat(said).containsEntry(b, 0);
        assertThat(status(b).error()).contains("no answer within 1000 ms");
        assertThat(status(b).weight()).isZero();
        calls.clear();
        monitor.round(key); // still down: weight 0 is not said again
        assertThat(calls).noneMatch(s -> s.startsWith(b + "="));
        figures.put(b.toString(), new Sample(1.0, 2, 45, 1000, 550, 100, Double.NaN));
        monitor.round(key);
        double agg = status(b).aggregate();
        assertThat(said).containsEntry(b, (int) Math.round(10 + 5 * Math.cbrt(0.95 - agg)));
        assertThat(status(b).error()).isNull();
    }

    @Test
    void smallChangesBelowTheThresholdAreNotWritten() {
        // Aggregate 0.95 − 0.001: A·∛0.001 = 0.5 → rounds to +1 (not above threshold 1); nothing written.
        FeedbackSettings d = FeedbackSettings.DEFAULT;
        monitor.configure(new FeedbackConfig(true, new FeedbackSettings(d.interval(), new Coefficients(0, 1, 0, 0, 0, 0), 5, 10, 1,
                d.rightLoad(), d.collector(), d.probe()), Map.of()));
        for (IpAddr x : List.of(a, b, c)) {
            figures.put(x.toString(), new Sample(1.898, 2, 45, 1000, 550, 100, Double.NaN)); // LOAD 0.949
        }
        monitor.round(key);
        assertThat(said).isEmpty();
        assertThat(status(a).weight()).isEqualTo(10);
        // Threshold 0: the same +1 is written.
        monitor.configure(new FeedbackConfig(true, new FeedbackSettings(d.interval(), new Coefficients(0, 1, 0, 0, 0, 0), 5, 10, 0,
                d.rightLoad(), d.collector(), d.probe()), Map.of()));
        monitor.round(key);
        assertThat(said).containsEntry(a, 11);
    }

    @Test
    void clusterOverloadedAndLightlyLoadedAreReported() {
        for (IpAddr x : List.of(a, b, c)) {
            figures.put(x.toString(), new Sample(8.0, 2, 95, 1000, 50, 400, Double.NaN));
        }
        ServiceStatus st = monitor.round(key);
        assertThat(st.cluster()).isEqualTo(ClusterState.OVERLOADED);
        assertThat(st.cluster().advice()).contains("add servers");
        for (IpAddr x : List.of(a, b, c)) {
            figures.put(x.toString(), new Sample(0.0, 2, 1, 1000, 990, 1, Double.NaN));
        }
        for (int i = 0; i < 40; i++) {
            st = monitor.round(key);
        }
        assertThat(st.dests()).extracting(DestStatus::weight).containsOnly(100);
        assertThat(st.cluster()).isEqualTo(ClusterState.LIGHTLY_LOADED);
    }

    @Test
    void aServiceLosingFeedbackGetsItsConfiguredWeightsBack() {
        monitor.round(key);
        figures.remove(a.toString());
        monitor.round(key);
        assertThat(said).containsEntry(a, 0);
        monitor.configure(FeedbackConfig.NONE);
        assertThat(said).containsEntry(a, -1).containsEntry(b, -1).containsEntry(c, -1);
        assertThat(monitor.status()).isEmpty();
        assertThat(monitor.round(key)).isNull();
    }

    @Test
    void statusAgesWithTheClock() {
        monitor.round(key);
        clock.advance(Duration.ofMillis(1500));
        assertThat(status(a).ageMillis()).isEqualTo(1500);
    }
}
