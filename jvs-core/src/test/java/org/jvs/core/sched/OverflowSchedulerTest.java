package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.junit.jupiter.api.Test;

class OverflowSchedulerTest {
    private final Flow flow = new Flow().setV4(6, 0x0101_0101, 1000, 0x0A00_0064, 80);

    @Test
    void highestWeightWhileActiveIsWithinWeight() {
        Dest[] ds = DestFixtures.pool(1, 5, 3);
        DestFixtures.conns(ds[1], 5, 1000); // at its weight exactly; inactive does not count
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void overflowsToTheNextByWeightWhenActiveExceedsWeight() {
        Dest[] ds = DestFixtures.pool(1, 5, 3);
        OverflowScheduler ovf = scheduler(ds);
        DestFixtures.conns(ds[1], 6, 0);
        assertThat(ovf.schedule(flow)).isSameAs(ds[2]);
        DestFixtures.conns(ds[2], 4, 0);
        assertThat(ovf.schedule(flow)).isSameAs(ds[0]);
        DestFixtures.conns(ds[0], 2, 0);
        assertThat(ovf.schedule(flow)).as("every server past its capacity").isNull();
        DestFixtures.conns(ds[1], 5, 0);
        assertThat(ovf.schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void equalWeightsGoToTheEarlierServer() {
        Dest[] ds = DestFixtures.pool(4, 4);
        DestFixtures.conns(ds[0], 4, 0);
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[0]);
    }

    @Test
    void skipsQuiescedAndOverloaded() {
        Dest[] ds = DestFixtures.pool(0, 9, 2);
        DestFixtures.edit(ds[1], ds[1].spec().withThresholds(1, 0));
        DestFixtures.conns(ds[1], 0, 1);
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[2]);
    }

    private static OverflowScheduler scheduler(Dest[] ds) {
        OverflowScheduler ovf = new OverflowScheduler();
        ovf.update(ds);
        return ovf;
    }
}
