package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.junit.jupiter.api.Test;

class RoundRobinSchedulerTest {
    private final Flow flow = new Flow().setV4(6, 0x0101_0101, 1000, 0x0A00_0064, 80);

    @Test
    void cyclesThroughServersInListOrder() {
        Dest[] ds = DestFixtures.pool(1, 1, 1);
        RoundRobinScheduler rr = new RoundRobinScheduler();
        rr.update(ds);
        assertThat(new Dest[] {rr.schedule(flow), rr.schedule(flow), rr.schedule(flow), rr.schedule(flow)})
                .containsExactly(ds[0], ds[1], ds[2], ds[0]);
    }

    @Test
    void skipsQuiescedServerAndPreviewDoesNotAdvance() {
        Dest[] ds = DestFixtures.pool(1, 0, 5);
        RoundRobinScheduler rr = new RoundRobinScheduler();
        rr.update(ds);
        assertThat(rr.preview(flow)).isSameAs(ds[0]);
        assertThat(rr.schedule(flow)).isSameAs(ds[0]);
        assertThat(rr.preview(flow)).isSameAs(ds[2]);
        assertThat(rr.schedule(flow)).isSameAs(ds[2]);
        assertThat(rr.schedule(flow)).isSameAs(ds[0]);
    }
}
