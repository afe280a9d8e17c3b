package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.junit.jupiter.api.Test;

class LeastConnectionSchedulerTest {
    private final Flow flow = new Flow().setV4(6, 0x0101_0101, 1000, 0x0A00_0064, 80);

    @Test
    void picksLeastOverheadIgnoringWeight() {
        Dest[] ds = DestFixtures.pool(100, 1, 50);
        DestFixtures.conns(ds[0], 3, 0);
        DestFixtures.conns(ds[1], 2, 0);
        DestFixtures.conns(ds[2], 4, 0);
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void anActiveConnectionCountsAs256Inactive() {
        Dest[] ds = DestFixtures.pool(1, 1);
        DestFixtures.conns(ds[0], 1, 0);
        DestFixtures.conns(ds[1], 0, 255);
        LeastConnectionScheduler lc = scheduler(ds);
        assertThat(lc.schedule(flow)).isSameAs(ds[1]);
        DestFixtures.conns(ds[1], 0, 257);
        assertThat(lc.schedule(flow)).isSameAs(ds[0]);
    }

    @Test
    void tiesGoToTheEarlierServer() {
        Dest[] ds = DestFixtures.pool(1, 1, 1);
        DestFixtures.conns(ds[0], 2, 0);
        DestFixtures.conns(ds[1], 1, 0);
        DestFixtures.conns(ds[2], 0, 256);
        assertThat(scheduler(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void skipsQuiescedAndOverloadedEvenWhenIdle() {
        Dest[] ds = DestFixtures.pool(0, 1, 1);
        DestFixtures.edit(ds[1], ds[1].spec().withThresholds(1, 0));
        DestFixtures.conns(ds[1], 0, 1);
        DestFixtures.conns(ds[2], 9, 9);
        LeastConnectionScheduler lc = scheduler(ds);
        assertThat(lc.schedule(flow)).isSameAs(ds[2]);
        DestFixtures.weight(ds[2], 0);
        lc.update(ds);
        assertThat(lc.schedule(flow)).isNull();
    }

    private static LeastConnectionScheduler scheduler(Dest[] ds) {
        LeastConnectionScheduler lc = new LeastConnectionScheduler();
        lc.update(ds);
        return lc;
    }
}
