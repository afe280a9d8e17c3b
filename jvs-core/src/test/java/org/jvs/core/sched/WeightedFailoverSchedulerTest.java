package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.junit.jupiter.api.Test;

class WeightedFailoverSchedulerTest {
    private final Flow flow = new Flow().setV4(6, 0x0101_0101, 1000, 0x0A00_0064, 80);

    @Test
    void highestWeightTakesEverythingWhateverItsLoad() {
        Dest[] ds = DestFixtures.pool(1, 5, 3);
        DestFixtures.conns(ds[1], 500, 500);
        WeightedFailoverScheduler fo = scheduler(ds);
        for (int k = 0; k < 5; k++) {
            assertThat(fo.schedule(flow)).isSameAs(ds[1]);
        }
    }

    @Test
    void equalWeightsGoToTheEarlierServer() {
        Dest[] ds = DestFixtures.pool(2, 7, 7);
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void failsOverInWeightOrderWhenQuiescedOrOverloaded() {
        Dest[] ds = DestFixtures.pool(1, 5, 3);
        WeightedFailoverScheduler fo = scheduler(ds);
        DestFixtures.weight(ds[1], 0);
        fo.update(ds);
        assertThat(fo.schedule(flow)).isSameAs(ds[2]);

        DestFixtures.edit(ds[2], ds[2].spec().withThresholds(1, 0));
        DestFixtures.conns(ds[2], 1, 0);
        fo.update(ds);
        assertThat(fo.schedule(flow)).isSameAs(ds[0]);

        DestFixtures.weight(ds[1], 5);
        fo.update(ds);
        assertThat(fo.schedule(flow)).as("the primary is back").isSameAs(ds[1]);
    }

    private static WeightedFailoverScheduler scheduler(Dest[] ds) {
        WeightedFailoverScheduler fo = new WeightedFailoverScheduler();
        fo.update(ds);
        return fo;
    }
}
