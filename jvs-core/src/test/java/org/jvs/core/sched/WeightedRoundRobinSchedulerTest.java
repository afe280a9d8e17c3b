package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinSchedulerTest {
    private final Flow flow = new Flow().setV4(6, 0x0101_0101, 1000, 0x0A00_0064, 80);

    @Test
    void thesisCycleForWeightsFourThreeTwo() {
        Dest[] ds = DestFixtures.pool(4, 3, 2);
        WeightedRoundRobinScheduler wrr = scheduler(ds);
        assertThat(picks(wrr, ds, 27)).isEqualTo("AABABCABC".repeat(3));
    }

    @Test
    void commonDivisorDoesNotChangeTheCycle() {
        Dest[] ds = DestFixtures.pool(8, 6, 4);
        WeightedRoundRobinScheduler wrr = scheduler(ds);
        assertThat(picks(wrr, ds, 18)).isEqualTo("AABABCABC".repeat(2));
    }

    @Test
    void equalWeightsAreRoundRobin() {
        Dest[] ds = DestFixtures.pool(5, 5, 5);
        WeightedRoundRobinScheduler wrr = scheduler(ds);
        assertThat(picks(wrr, ds, 7)).isEqualTo("ABCABCA");
    }

    @Test
    void skipsQuiescedAndOverloadedServers() {
        Dest[] ds = DestFixtures.pool(4, 0, 3, 2);
        DestFixtures.edit(ds[0], ds[0].spec().withThresholds(1, 0));
        DestFixtures.conns(ds[0], 1, 0);
        WeightedRoundRobinScheduler wrr = scheduler(ds);
        // Only C (3) and D (2) remain: C C D C D per cycle of five.
        assertThat(picks(wrr, ds, 10)).isEqualTo("CCDCD".repeat(2));
    }

    @Test
    void overloadedHeaviestServerDoesNotStallTheRotation() {
        // cw would have to step down 65534 times one pass at a time; the jump makes it one pass.
        Dest[] ds = DestFixtures.pool(65535, 1, 1);
        DestFixtures.edit(ds[0], ds[0].spec().withThresholds(1, 0));
        DestFixtures.conns(ds[0], 0, 1);
        WeightedRoundRobinScheduler wrr = scheduler(ds);
        assertThat(picks(wrr, ds, 5)).isEqualTo("BCBCB");
    }

    @Test
    void noServerWhenAllQuiescedOrEmpty() {
        WeightedRoundRobinScheduler wrr = new WeightedRoundRobinScheduler();
        assertThat(wrr.schedule(flow)).isNull();
        wrr.update(new Dest[0]);
        assertThat(wrr.schedule(flow)).isNull();
        wrr.update(DestFixtures.pool(0, 0));
        assertThat(wrr.schedule(flow)).isNull();
        assertThat(wrr.preview(flow)).isNull();
    }

    @Test
    void allOverloadedGivesNoServer() {
        Dest[] ds = DestFixtures.pool(3, 2);
        for (Dest d : ds) {
            DestFixtures.edit(d, d.spec().withThresholds(1, 0));
            DestFixtures.conns(d, 1, 0);
        }
        WeightedRoundRobinScheduler wrr = scheduler(ds);
        assertThat(wrr.schedule(flow)).isNull();
    }

    @Test
    void previewShowsTheNextPickWithoutMovingIt() {
        Dest[] ds = DestFixtures.pool(4, 3, 2);
        WeightedRoundRobinScheduler wrr = scheduler(ds);
        StringBuilder previews = new StringBuilder();
        StringBuilder picks = new StringBuilder();
        for (int k = 0; k < 9; k++) {
            previews.append(letter(ds, wrr.preview(flow)));
            assertThat(wrr.preview(flow)).isSameAs(wrr.preview(flow));
            picks.append(letter(ds, wrr.schedule(flow)));
        }
        assertThat(previews.toString()).isEqualTo("AABABCABC").isEqualTo(picks.toString());
    }

    @Test
    void updateClampsCurrentWeightToTheNewMaximum() {
        Dest[] ds = DestFixtures.pool(4, 3, 2);
        WeightedRoundRobinScheduler wrr = scheduler(ds);
        assertThat(picks(wrr, ds, 1)).isEqualTo("A"); // cw is 4 now
        for (Dest d : ds) {
            DestFixtures.weight(d, 2);
        }
        wrr.update(ds);
        // cw 4 would match nobody; clamped to 2 the rotation carries on after A instead of restarting.
        assertThat(picks(wrr, ds, 5)).isEqualTo("BCABC");
    }

    @Test
    void updateKeepsTheRoundInProgressWhenTheDivisorChanges() {
        Dest[] ds = DestFixtures.pool(4, 3, 2);
        WeightedRoundRobinScheduler wrr = scheduler(ds);
        assertThat(picks(wrr, ds, 3)).isEqualTo("AAB"); // cw is 3, last pick B
        DestFixtures.weight(ds[0], 8);
        DestFixtures.weight(ds[1], 6);
        DestFixtures.weight(ds[2], 4);
        wrr.update(ds);
        // gcd 2: cw 3 becomes 4 (rounded down to 2, the round at 2 would be the last one and A and B would
        // lose a turn): C finishes the round at 4, the round at 2 follows, then a fresh cycle from 8.
        assertThat(picks(wrr, ds, 13)).isEqualTo("C" + "ABC" + "AABABCABC");
    }

    @Test
    void removedServerLeavesTheRotationAndNewOneJoinsIt() {
        Dest[] ds = DestFixtures.pool(2, 1, 1);
        WeightedRoundRobinScheduler wrr = scheduler(ds);
        assertThat(picks(wrr, ds, 4)).isEqualTo("AABC");
        Dest[] fewer = {ds[0], ds[2]};
        wrr.update(fewer);
        for (int k = 0; k < 8; k++) {
            assertThat(wrr.schedule(flow)).isNotSameAs(ds[1]);
        }
        Dest[] more = {ds[0], ds[2], DestFixtures.dest(3, 2)};
        wrr.update(more);
        assertThat(picks(wrr, more, 8)).contains("C").hasSize(8);
    }

    private static WeightedRoundRobinScheduler scheduler(Dest[] ds) {
        WeightedRoundRobinScheduler wrr = new WeightedRoundRobinScheduler();
        wrr.update(ds);
        return wrr;
    }

    private String picks(Scheduler s, Dest[] ds, int count) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < count; k++) {
            sb.append(letter(ds, s.schedule(flow)));
        }
        return sb.toString();
    }

    /** A for ds[0], B for ds[1], ...; '-' for no server, '?' for one not in ds. */
    static char letter(Dest[] ds, Dest d) {
        if (d == null) {
            return '-';
        }
        for (int i = 0; i < ds.length; i++) {
            if (ds[i] == d) {
                return (char) ('A' + i);
            }
        }
        return '?';
    }
}
