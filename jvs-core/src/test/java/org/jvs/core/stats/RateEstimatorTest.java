package org.jvs.core.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.Test;

class RateEstimatorTest {
    private static final double EPS = 1e-9;

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final RateEstimator est = new RateEstimator(clock);
    private final Stats s = new Stats();

    /** Traffic for one interval: per second, {@code conns} connections, and packets/bytes in each direction. */
    private void traffic(long seconds, long conns, long inPkts, long outPkts, long inBytes, long outBytes) {
        for (long i = 0; i < conns * seconds; i++) {
            s.connection();
        }
        s.inbound(inPkts * seconds, inBytes * seconds);
        s.outbound(outPkts * seconds, outBytes * seconds);
        clock.advanceSeconds(seconds);
    }

    @Test
    void constantTrafficConvergesGeometrically() {
        est.register(s);
        for (int k = 1; k <= 30; k++) {
            traffic(2, 100, 1000, 800, 1_500_000, 64_000);
            est.estimate();
            double f = 1 - Math.pow(0.75, k);
            Stats.Rates r = s.rates();
            assertThat(r.cps()).as("k=%d", k).isCloseTo(100 * f, within(EPS * 100));
            assertThat(r.inPps()).as("k=%d", k).isCloseTo(1000 * f, within(EPS * 1000));
            assertThat(r.outPps()).as("k=%d", k).isCloseTo(800 * f, within(EPS * 1000));
            assertThat(r.inBps()).as("k=%d", k).isCloseTo(1_500_000 * f, within(EPS * 1e6));
            assertThat(r.outBps()).as("k=%d", k).isCloseTo(64_000 * f, within(EPS * 1e5));
        }
    }

    @Test
    void usesTheRealElapsedTimeNotTheNominalTwoSeconds() {
        est.register(s);
        traffic(3, 100, 0, 0, 0, 0); // a late tick: 300 connections over 3 s is still 100/s
        est.estimate();
        assertThat(s.rates().cps()).isCloseTo(25, within(EPS));
        traffic(1, 100, 0, 0, 0, 0); // an early one
        est.estimate();
        assertThat(s.rates().cps()).isCloseTo(25 + 75 / 4.0, within(EPS));
        s.connection();
        s.connection();
        s.connection(); // 3 connections in 1.5 s: 2/s
        clock.advance(java.time.Duration.ofMillis(1500));
        est.estimate();
        double prev = 25 + 75 / 4.0;
        assertThat(s.rates().cps()).isCloseTo(prev + (2 - prev) / 4, within(EPS));
    }

    @Test
    void trafficStoppingDecaysByAQuarterEachRound() {
        est.register(s);
        for (int k = 0; k < 40; k++) {
            traffic(2, 100, 0, 0, 0, 0);
            est.estimate();
        }
        double avg = s.rates().cps();
        for (int k = 0; k < 3; k++) {
            clock.advanceSeconds(2);
            est.estimate();
            avg = avg * 0.75;
            assertThat(s.rates().cps()).isCloseTo(avg, within(EPS));
        }
    }

    @Test
    void zeroingRestartsWithoutNegativeRates() {
        est.register(s);
        for (int k = 0; k < 5; k++) {
            traffic(2, 100, 10, 10, 1000, 1000);
            est.estimate();
        }
        s.zero();
        traffic(2, 10, 1, 1, 10, 10); // totals now far below the previous sample
        est.estimate();
        assertThat(s.rates()).isEqualTo(new Stats.Rates(0, 0, 0, 0, 0));
        traffic(2, 100, 10, 10, 1000, 1000);
        est.estimate();
        assertThat(s.rates().cps()).isCloseTo(25, within(EPS));
        assertThat(s.rates().inBps()).isCloseTo(250, within(EPS));
    }

    @Test
    void zeroingIsSeenEvenWhenTheTotalsHaveGrownPastThePreviousSample() {
        est.register(s);
        traffic(2, 5, 0, 0, 0, 0);
        est.estimate(); // sample: 10 connections
        s.zero();
        traffic(2, 500, 0, 0, 0, 0); // 1000 connections since the zeroing, more than the 10 sampled
        est.estimate();
        // Not (1000 - 10) / 2 blended into the old average: the estimate restarts.
        assertThat(s.rates().cps()).isZero();
        traffic(2, 500, 0, 0, 0, 0);
        est.estimate();
        assertThat(s.rates().cps()).isCloseTo(125, within(EPS));
    }

    @Test
    void zeroingBeforeTheFirstRoundIsSeenToo() {
        for (int i = 0; i < 10; i++) {
            s.connection();
        }
        est.register(s);
        s.zero();
        traffic(2, 50, 0, 0, 0, 0);
        est.estimate();
        assertThat(s.rates().cps()).isZero();
    }

    @Test
    void registeringCountsFromTheCurrentTotals() {
        for (int i = 0; i < 10_000; i++) {
            s.connection();
        }
        est.register(s);
        traffic(2, 100, 0, 0, 0, 0);
        est.estimate();
        assertThat(s.rates().cps()).isCloseTo(25, within(EPS));
    }

    @Test
    void eachStatsHasItsOwnClockBaseline() {
        Stats late = new Stats();
        est.register(s);
        clock.advanceSeconds(1);
        est.register(late); // registered halfway through the interval
        for (int i = 0; i < 100; i++) {
            s.connection();
            late.connection();
        }
        clock.advanceSeconds(1);
        est.estimate();
        assertThat(s.rates().cps()).isCloseTo(50 / 4.0, within(EPS)); // 100 over 2 s
        assertThat(late.rates().cps()).isCloseTo(100 / 4.0, within(EPS)); // 100 over 1 s
    }

    @Test
    void registeringTwiceIsANoOpAndUnregisterStopsUpdates() {
        est.register(s);
        est.register(s);
        assertThat(est.size()).isEqualTo(1);
        traffic(2, 100, 0, 0, 0, 0);
        est.estimate();
        assertThat(s.rates().cps()).isCloseTo(25, within(EPS)); // estimated once, not twice
        est.unregister(s);
        assertThat(est.size()).isZero();
        Stats.Rates last = s.rates();
        traffic(2, 100, 0, 0, 0, 0);
        est.estimate();
        assertThat(s.rates()).isSameAs(last);
    }

    @Test
    void noElapsedTimeNoUpdate() {
        est.register(s);
        traffic(2, 100, 0, 0, 0, 0);
        est.estimate();
        Stats.Rates r = s.rates();
        est.estimate(); // same instant: a rate would divide by zero
        assertThat(s.rates()).isSameAs(r);
        assertThat(Double.isFinite(s.rates().cps())).isTrue();
        traffic(2, 100, 0, 0, 0, 0);
        est.estimate();
        assertThat(s.rates().cps()).isCloseTo(25 + 75 / 4.0, within(EPS));
    }

    @Test
    void registerAndUnregisterWhileEstimating() throws InterruptedException {
        List<Stats> keep = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Stats x = new Stats();
            keep.add(x);
            est.register(x);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread timer = new Thread(() -> {
            try {
                while (!stop.get()) {
                    for (Stats x : keep) {
                        x.connection();
                    }
                    clock.advanceSeconds(2);
                    est.estimate();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        timer.start();
        for (int round = 0; round < 2_000; round++) {
            Stats tmp = new Stats();
            est.register(tmp);
            tmp.connection();
            est.unregister(tmp);
        }
        stop.set(true);
        timer.join();
        assertThat(failure.get()).isNull();
        assertThat(est.size()).isEqualTo(100);
        for (Stats x : keep) {
            assertThat(x.rates().cps()).isBetween(0.0, 0.5); // one connection per 2 s at most
        }
    }
}
