package org.jvs.core.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.core.sched.SchedTesting.active;
import static org.jvs.core.sched.SchedTesting.toDestination;

import java.time.Duration;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.Test;

class LocalityLeastConnectionReplicationSchedulerTest {
    private static final Flow SITE = toDestination(0xCB00_7101);
    private static final Flow OTHER_SITE = toDestination(0xCB00_7102);

    private final ManualClock clock = new ManualClock();

    private LocalityLeastConnectionReplicationScheduler lblcr(Dest[] ds) {
        LocalityLeastConnectionReplicationScheduler s =
                new LocalityLeastConnectionReplicationScheduler(clock, Duration.ofHours(1), Duration.ofSeconds(60));
        s.update(ds);
        return s;
    }

    /** ds[0] serves SITE; then it gets busy while ds[1] is idle, so ds[1] joins SITE's set. */
    private LocalityLeastConnectionReplicationScheduler grown(Dest[] ds) {
        LocalityLeastConnectionReplicationScheduler s = lblcr(ds);
        assertThat(s.schedule(SITE)).isSameAs(ds[0]);
        assertThat(s.members(SITE)).containsExactly(ds[0]);
        active(ds[0], 5);
        active(ds[1], 0);
        active(ds[2], 1);
        assertThat(s.schedule(SITE)).isSameAs(ds[1]);
        assertThat(s.members(SITE)).containsExactly(ds[0], ds[1]);
        return s;
    }

    @Test
    void overloadedMemberMakesTheWlcPickJoinTheSet() {
        grown(DestFixtures.pool(4, 4, 4));
    }

    @Test
    void laterFlowsGoToTheLeastLoadedMemberOnly() {
        Dest[] ds = DestFixtures.pool(4, 4, 4);
        LocalityLeastConnectionReplicationScheduler s = grown(ds);
        active(ds[0], 2);
        active(ds[1], 3);
        active(ds[2], 0); // the least loaded overall, but not a member and nobody is overloaded
        assertThat(s.schedule(SITE)).isSameAs(ds[0]);
        active(ds[0], 4);
        assertThat(s.schedule(SITE)).isSameAs(ds[1]);
        assertThat(s.members(SITE)).containsExactly(ds[0], ds[1]);
    }

    @Test
    void unchangedSetLosesItsMostLoadedMemberAfterTheExpiration() {
        Dest[] ds = DestFixtures.pool(4, 4, 4);
        LocalityLeastConnectionReplicationScheduler s = grown(ds);
        active(ds[0], 3);
        active(ds[1], 1);
        active(ds[2], 3);
        clock.advanceSeconds(30);
        assertThat(s.schedule(SITE)).isSameAs(ds[1]);
        assertThat(s.members(SITE)).containsExactly(ds[0], ds[1]);
        clock.advanceSeconds(31);
        // 61 s since the set last changed: the most loaded member (ds[0]) is dropped.
        assertThat(s.preview(SITE)).isSameAs(ds[1]);
        assertThat(s.members(SITE)).containsExactly(ds[0], ds[1]);
        assertThat(s.schedule(SITE)).isSameAs(ds[1]);
        assertThat(s.members(SITE)).containsExactly(ds[1]);
        // A single member is never dropped.
        clock.advanceSeconds(120);
        assertThat(s.schedule(SITE)).isSameAs(ds[1]);
        assertThat(s.members(SITE)).containsExactly(ds[1]);
    }

    @Test
    void aChangeRestartsTheExpiration() {
        Dest[] ds = DestFixtures.pool(4, 4, 4);
        LocalityLeastConnectionReplicationScheduler s = grown(ds);
        clock.advanceSeconds(50);
        active(ds[1], 5);
        active(ds[2], 0);
        assertThat(s.schedule(SITE)).isSameAs(ds[2]); // ds[0] and ds[1] both busy: ds[2] joins
        assertThat(s.members(SITE)).containsExactly(ds[0], ds[1], ds[2]);
        clock.advanceSeconds(50);
        s.schedule(SITE);
        assertThat(s.members(SITE)).hasSize(3);
        clock.advanceSeconds(11);
        active(ds[0], 1);
        active(ds[1], 2);
        active(ds[2], 3);
        assertThat(s.schedule(SITE)).isSameAs(ds[0]);
        assertThat(s.members(SITE)).containsExactly(ds[0], ds[1]);
    }

    @Test
    void quiescedMemberIsTheFirstToGo() {
        Dest[] ds = DestFixtures.pool(4, 4, 4);
        LocalityLeastConnectionReplicationScheduler s = grown(ds);
        active(ds[0], 0);
        active(ds[1], 3);
        DestFixtures.weight(ds[0], 0);
        s.update(ds);
        clock.advanceSeconds(61);
        assertThat(s.schedule(SITE)).isSameAs(ds[1]);
        assertThat(s.members(SITE)).containsExactly(ds[1]);
    }

    @Test
    void previewChangesNothing() {
        Dest[] ds = DestFixtures.pool(4, 4, 4);
        LocalityLeastConnectionReplicationScheduler s = lblcr(ds);
        assertThat(s.preview(SITE)).isSameAs(ds[0]);
        assertThat(s.members(SITE)).isNull();
        s.schedule(SITE);
        active(ds[0], 5);
        assertThat(s.preview(SITE)).isSameAs(ds[1]);
        assertThat(s.members(SITE)).containsExactly(ds[0]);
        assertThat(s.schedule(SITE)).isSameAs(ds[1]);
    }

    @Test
    void housekeepingExpiresIdleSetsAndRemovedServersLeaveSets() {
        Dest[] ds = DestFixtures.pool(4, 4, 4);
        LocalityLeastConnectionReplicationScheduler s = grown(ds);
        s.update(new Dest[] {ds[1], ds[2]});
        assertThat(s.members(SITE)).containsExactly(ds[1]);
        clock.advance(Duration.ofMinutes(30));
        s.schedule(OTHER_SITE);
        clock.advance(Duration.ofMinutes(31));
        s.housekeeping();
        assertThat(s.members(SITE)).isNull();
        assertThat(s.members(OTHER_SITE)).isNotNull();
        assertThat(s.cacheSize()).isEqualTo(1);
    }

    @Test
    void noUsableServerGivesNone() {
        assertThat(lblcr(new Dest[0]).schedule(SITE)).isNull();
        Dest[] ds = DestFixtures.pool(1, 1);
        LocalityLeastConnectionReplicationScheduler s = lblcr(ds);
        s.schedule(SITE);
        DestFixtures.weight(ds[0], 0);
        DestFixtures.weight(ds[1], 0);
        s.update(ds);
        assertThat(s.schedule(SITE)).isNull();
        assertThat(s.preview(SITE)).isNull();
    }
}
