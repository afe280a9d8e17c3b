package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.junit.jupiter.api.Test;

class WeightedLeastConnectionSchedulerTest {
    private final Flow flow = new Flow().setV4(6, 0x0101_0101, 1000, 0x0A00_0064, 80);

    @Test
    void loadFollowsWeight() {
        Dest[] ds = DestFixtures.pool(1, 3);
        DestFixtures.conns(ds[0], 1, 0); // 256 per unit of weight
        DestFixtures.conns(ds[1], 2, 0); // 170.7 per unit of weight
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void comparesExactRatiosWhereIntegerDivisionWouldTie() {
        Dest[] ds = DestFixtures.pool(2, 1);
        DestFixtures.conns(ds[0], 0, 3); // 3/2 = 1.5, truncated to 1
        DestFixtures.conns(ds[1], 0, 1); // 1/1 = 1.0
        // Division would see 1 == 1 and keep the first server.
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void crossProductsDoNotOverflow() {
        Dest[] ds = DestFixtures.pool(50_000, 65_535);
        DestFixtures.conns(ds[0], 1000, 0); // overhead 256000: 5.12 per unit of weight
        DestFixtures.conns(ds[1], 1000, 0); // 3.9 per unit of weight
        // 256000 * 65535 is past Integer.MAX_VALUE: int arithmetic would wrap and keep the first server.
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void equalRatiosKeepTheEarlierServer() {
        Dest[] ds = DestFixtures.pool(3, 1, 2, 1);
        DestFixtures.conns(ds[0], 0, 9); // 3 per weight
        DestFixtures.conns(ds[1], 0, 2); // 2 per weight
        DestFixtures.conns(ds[2], 0, 4); // 2 per weight
        DestFixtures.conns(ds[3], 0, 2); // 2 per weight
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void skipsQuiescedAndOverloaded() {
        Dest[] ds = DestFixtures.pool(0, 5, 1);
        DestFixtures.edit(ds[1], ds[1].spec().withThresholds(2, 0));
        DestFixtures.conns(ds[1], 2, 0);
        DestFixtures.conns(ds[2], 50, 0);
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[2]);
    }

    private static WeightedLeastConnectionScheduler scheduler(Dest[] ds) {
        WeightedLeastConnectionScheduler wlc = new WeightedLeastConnectionScheduler();
        wlc.update(ds);
        return wlc;
    }
}
