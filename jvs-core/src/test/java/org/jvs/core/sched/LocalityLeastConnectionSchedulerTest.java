package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.core.sched.SchedTesting.active;
import static org.jvs.core.sched.SchedTesting.toDestination;

import java.time.Duration;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.Test;

class LocalityLeastConnectionSchedulerTest {
    private static final int SITE_A = 0xCB00_7101;
    private static final int SITE_B = 0xCB00_7102;
    private static final int SITE_C = 0xCB00_7103;

    private final ManualClock clock = new ManualClock();

    private LocalityLeastConnectionScheduler lblc(Dest[] ds) {
        LocalityLeastConnectionScheduler s = new LocalityLeastConnectionScheduler(clock, Duration.ofHours(1));
        s.update(ds);
        return s;
    }

    @Test
    void sameDestinationSticksToItsServerWhileLoadsShift() {
        Dest[] ds = DestFixtures.pool(4, 4, 4);
        LocalityLeastConnectionScheduler s = lblc(ds);
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[0]);
        active(ds[0], 3);
        assertThat(s.schedule(toDestination(SITE_B))).isSameAs(ds[1]);
        active(ds[1], 4);
        assertThat(s.schedule(toDestination(SITE_C))).isSameAs(ds[2]);
        active(ds[2], 1);
        // Plain wlc would now pick ds[2] for everybody; locality keeps each site where it was.
        for (int i = 0; i < 10; i++) {
            assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[0]);
            assertThat(s.schedule(toDestination(SITE_B))).isSameAs(ds[1]);
            assertThat(s.schedule(new Flow().setV4(17, 0x0B00_0000 + i, 5000 + i, SITE_A, 53))).isSameAs(ds[0]);
        }
        assertThat(s.cacheSize()).isEqualTo(3);
    }

    @Test
    void overloadedInTheLocalitySenseIsReassignedToTheWlcPickAndTheCacheFollows() {
        Dest[] ds = DestFixtures.pool(4, 4, 4);
        LocalityLeastConnectionScheduler s = lblc(ds);
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[0]);
        // Busy beyond its weight, but nobody is less than half busy: locality wins.
        active(ds[0], 5);
        active(ds[1], 2);
        active(ds[2], 3);
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[0]);
        // Now ds[2] is less than half busy (1 * 2 < 4): reassign to the wlc pick, ds[2].
        active(ds[2], 1);
        assertThat(s.preview(toDestination(SITE_A))).isSameAs(ds[2]);
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[2]);
        // The cache was updated: with the imbalance gone the site stays on ds[2], not back on ds[0].
        active(ds[0], 0);
        active(ds[2], 3);
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[2]);
    }

    @Test
    void quiescedOverloadedOrRemovedCachedServerIsReplaced() {
        Dest[] ds = DestFixtures.pool(1, 1, 1);
        LocalityLeastConnectionScheduler s = lblc(ds);
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[0]);
        DestFixtures.weight(ds[0], 0);
        s.update(ds);
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[1]);
        SchedTesting.overload(ds[1]);
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[2]);
        s.update(new Dest[] {ds[0], ds[1]});
        assertThat(s.cacheSize()).isZero();
        DestFixtures.weight(ds[0], 1);
        s.update(new Dest[] {ds[0], ds[1]});
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[0]);
    }

    @Test
    void previewAnswersLikeScheduleButCachesNothing() {
        Dest[] ds = DestFixtures.pool(1, 1);
        LocalityLeastConnectionScheduler s = lblc(ds);
        assertThat(s.preview(toDestination(SITE_A))).isSameAs(ds[0]);
        assertThat(s.cacheSize()).isZero();
        active(ds[0], 1);
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[1]);
        active(ds[1], 5);
        assertThat(s.preview(toDestination(SITE_A))).isSameAs(ds[1]).isSameAs(s.schedule(toDestination(SITE_A)));
    }

    @Test
    void housekeepingExpiresIdleEntries() {
        Dest[] ds = DestFixtures.pool(1, 1);
        LocalityLeastConnectionScheduler s = lblc(ds);
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[0]);
        active(ds[0], 1);
        assertThat(s.schedule(toDestination(SITE_B))).isSameAs(ds[1]);
        active(ds[1], 1);
        clock.advance(Duration.ofMinutes(40));
        s.schedule(toDestination(SITE_B));
        clock.advance(Duration.ofMinutes(30));
        s.housekeeping();
        // SITE_A was idle 70 minutes (> 1 h) and is forgotten; SITE_B only 30.
        assertThat(s.cacheSize()).isEqualTo(1);
        active(ds[0], 2);
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[1]);
        assertThat(s.schedule(toDestination(SITE_B))).isSameAs(ds[1]);
        clock.advance(Duration.ofMinutes(59));
        s.housekeeping();
        assertThat(s.cacheSize()).isEqualTo(2);
    }

    @Test
    void housekeepingTrimsTheLeastRecentlyUsedBeyondTheBound() {
        Dest[] ds = DestFixtures.pool(1, 1);
        LocalityLeastConnectionScheduler s = new LocalityLeastConnectionScheduler(clock, Duration.ofHours(1), 4);
        s.update(ds);
        for (int i = 0; i < 10; i++) {
            assertThat(s.schedule(toDestination(SITE_A + i))).isSameAs(ds[0]);
            clock.advanceSeconds(1);
        }
        s.schedule(toDestination(SITE_A)); // used again: now among the most recent
        s.housekeeping();
        assertThat(s.cacheSize()).isEqualTo(4);
        active(ds[0], 1);
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[0]);
        for (int i = 7; i < 10; i++) {
            assertThat(s.schedule(toDestination(SITE_A + i))).as("site %d", i).isSameAs(ds[0]);
        }
        assertThat(s.schedule(toDestination(SITE_A + 6))).isSameAs(ds[1]);
    }

    @Test
    void noUsableServerGivesNone() {
        LocalityLeastConnectionScheduler empty = lblc(new Dest[0]);
        assertThat(empty.schedule(toDestination(SITE_A))).isNull();
        Dest[] ds = DestFixtures.pool(1);
        LocalityLeastConnectionScheduler s = lblc(ds);
        assertThat(s.schedule(toDestination(SITE_A))).isSameAs(ds[0]);
        DestFixtures.weight(ds[0], 0);
        s.update(ds);
        assertThat(s.schedule(toDestination(SITE_A))).isNull();
        assertThat(s.preview(toDestination(SITE_A))).isNull();
    }
}
