package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.junit.jupiter.api.Test;

class TwoChoiceSchedulerTest {
    private static final int PICKS = 20_000;
    private final Flow flow = new Flow().setV4(6, 0x0101_0101, 1000, 0x0A00_0064, 80);

    @Test
    void drawsAreWeightedOverUsableServersOnly() {
        // Weights 0, 2, 3 (the 0 is not part of the total): draws 0-1 are B, 2-4 are C.
        Dest[] ds = DestFixtures.pool(0, 2, 3);
        Scripted r = new Scripted(1, 2, 4, 0);
        TwoChoiceScheduler twos = scheduler(ds, r);
        assertThat(twos.schedule(flow)).isSameAs(ds[1]); // B and C, both idle: the first draw
        assertThat(r.bounds).isEqualTo(5);
        assertThat(twos.schedule(flow)).isSameAs(ds[2]); // C and B: the first draw
    }

    @Test
    void theLessLoadedOfTheTwoWins() {
        Dest[] ds = DestFixtures.pool(1, 1, 1);
        DestFixtures.conns(ds[0], 3, 0);
        DestFixtures.conns(ds[1], 1, 0);
        DestFixtures.conns(ds[2], 0, 0);
        TwoChoiceScheduler twos = scheduler(ds, new Scripted(0, 1, 1, 0, 0, 0));
        assertThat(twos.schedule(flow)).isSameAs(ds[1]);
        assertThat(twos.schedule(flow)).isSameAs(ds[1]);
        assertThat(twos.schedule(flow)).as("the same server drawn twice").isSameAs(ds[0]);
    }

    @Test
    void loadIsComparedPerUnitOfWeight() {
        Dest[] ds = DestFixtures.pool(1, 4);
        DestFixtures.conns(ds[0], 0, 100); // 100 per weight
        DestFixtures.conns(ds[1], 0, 300); // 75 per weight
        assertThat(scheduler(ds, new Scripted(0, 1)).schedule(flow)).isSameAs(ds[1]);
        DestFixtures.conns(ds[1], 0, 400); // 100 per weight: a tie keeps the first draw
        assertThat(scheduler(ds, new Scripted(0, 1)).schedule(flow)).isSameAs(ds[0]);
        assertThat(scheduler(ds, new Scripted(1, 0)).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void shareFollowsWeightUnderEqualLoad() {
        Dest[] ds = DestFixtures.pool(1, 2, 5);
        int[] counts = count(scheduler(ds, new SplittableRandom(42)), ds);
        assertThat(counts[0] / (double) PICKS).isCloseTo(1 / 8.0, within(0.02));
        assertThat(counts[1] / (double) PICKS).isCloseTo(2 / 8.0, within(0.02));
        assertThat(counts[2] / (double) PICKS).isCloseTo(5 / 8.0, within(0.02));
    }

    @Test
    void productionRandomSourceAlsoFollowsWeight() {
        // ThreadLocalRandom cannot be seeded; 0.03 is about nine standard deviations at 20000 picks.
        Dest[] ds = DestFixtures.pool(1, 3);
        TwoChoiceScheduler twos = new TwoChoiceScheduler();
        twos.update(ds);
        int[] counts = count(twos, ds);
        assertThat(counts[1] / (double) PICKS).isCloseTo(0.75, within(0.03));
    }

    @Test
    void aLoadedServerGetsOnlyWhatBothDrawsForceOnIt() {
        // Equal weights, A loaded: A is chosen only when both draws are A, a quarter of the time.
        Dest[] ds = DestFixtures.pool(1, 1);
        DestFixtures.conns(ds[0], 1, 0);
        int[] counts = count(scheduler(ds, new SplittableRandom(7)), ds);
        assertThat(counts[0] / (double) PICKS).isCloseTo(0.25, within(0.02));
    }

    @Test
    void drawPastAShrunkenTotalFallsBackToAUsableServer() {
        Dest[] ds = DestFixtures.pool(3, 3);
        // A total of 6 is drawn against; this draw then lands beyond every usable server's share.
        RandomGenerator r = new Scripted(5, 5) {
            @Override
            public long nextLong(long bound) {
                DestFixtures.weight(ds[1], 0);
                return super.nextLong(bound);
            }
        };
        assertThat(scheduler(ds, r).schedule(flow)).isSameAs(ds[0]);
    }

    private int[] count(Scheduler s, Dest[] ds) {
        int[] counts = new int[ds.length];
        for (int k = 0; k < PICKS; k++) {
            Dest d = s.schedule(flow);
            for (int i = 0; i < ds.length; i++) {
                if (ds[i] == d) {
                    counts[i]++;
                }
            }
        }
        return counts;
    }

    private static TwoChoiceScheduler scheduler(Dest[] ds, RandomGenerator r) {
        TwoChoiceScheduler twos = new TwoChoiceScheduler(r);
        twos.update(ds);
        return twos;
    }

    /** Returns the given draws in order (each must be below the bound asked for) and records the bound. */
    private static class Scripted implements RandomGenerator {
        private final long[] draws;
        private int next;
        long bounds;

        Scripted(long... draws) {
            this.draws = draws;
        }

        @Override
        public long nextLong(long bound) {
            bounds = bound;
            long v = draws[next++];
            assertThat(v).isLessThan(bound);
            return v;
        }

        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("the scheduler must ask for a bounded draw");
        }
    }
}
