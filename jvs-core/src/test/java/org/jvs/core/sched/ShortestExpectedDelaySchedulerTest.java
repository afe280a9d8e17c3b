package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;

import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.junit.jupiter.api.Test;

/** sed and nq together: nq is sed except that an idle server is taken at once. */
class ShortestExpectedDelaySchedulerTest {
    private final Flow flow = new Flow().setV4(6, 0x0101_0101, 1000, 0x0A00_0064, 80);

    @Test
    void sedCountsTheNewConnectionSoAFastServerBeatsAnIdleSlowOne() {
        Dest[] ds = DestFixtures.pool(1, 10);
        DestFixtures.conns(ds[1], 1, 0); // (1+1)/10 = 0.2 against (0+1)/1 = 1
        assertThat(sed(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void nqTakesTheIdleServerWhereSedWouldNot() {
        Dest[] ds = DestFixtures.pool(1, 10);
        DestFixtures.conns(ds[1], 1, 0);
        assertThat(nq(ds).schedule(flow)).isSameAs(ds[0]);
        assertThat(sed(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void nqTakesTheFirstIdleServerInListOrder() {
        Dest[] ds = DestFixtures.pool(5, 1, 9, 1);
        DestFixtures.conns(ds[0], 1, 0);
        DestFixtures.conns(ds[2], 1, 0);
        assertThat(nq(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void nqWithoutIdleServerFallsBackToSed() {
        Dest[] ds = DestFixtures.pool(1, 4, 2);
        DestFixtures.conns(ds[0], 1, 0); // 2/1
        DestFixtures.conns(ds[1], 5, 0); // 6/4 = 1.5
        DestFixtures.conns(ds[2], 2, 0); // 3/2 = 1.5, tie: the earlier one
        assertThat(nq(ds).schedule(flow)).isSameAs(ds[1]);
        assertThat(sed(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void inactiveConnectionsDoNotCount() {
        Dest[] ds = DestFixtures.pool(1, 1);
        DestFixtures.conns(ds[0], 1, 0);
        DestFixtures.conns(ds[1], 0, 1000);
        assertThat(sed(ds).schedule(flow)).isSameAs(ds[1]);
        assertThat(nq(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void exactRatiosWhereIntegerDivisionWouldTie() {
        Dest[] ds = DestFixtures.pool(2, 1);
        DestFixtures.conns(ds[0], 2, 0); // 3/2 = 1.5, truncated to 1
        DestFixtures.conns(ds[1], 0, 0); // 1/1 = 1.0
        assertThat(sed(ds).schedule(flow)).isSameAs(ds[1]);
    }

    @Test
    void idleButQuiescedOrOverloadedServersAreNotTaken() {
        Dest[] ds = DestFixtures.pool(0, 3, 1);
        DestFixtures.edit(ds[1], ds[1].spec().withThresholds(1, 0));
        DestFixtures.conns(ds[1], 0, 1);
        DestFixtures.conns(ds[2], 7, 0);
        assertThat(nq(ds).schedule(flow)).isSameAs(ds[2]);
        assertThat(sed(ds).schedule(flow)).isSameAs(ds[2]);
    }

    private static Scheduler sed(Dest[] ds) {
        Scheduler s = new ShortestExpectedDelayScheduler();
        s.update(ds);
        return s;
    }

    private static Scheduler nq(Dest[] ds) {
        Scheduler s = new NeverQueueScheduler();
        s.update(ds);
        return s;
    }
}
