package org.jvs.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.Test;

class VrrpInstanceTest {
    static final int ME = Ipv4.parse("192.0.2.2");
    static final int LOWER_IP = Ipv4.parse("192.0.2.1");
    static final int HIGHER_IP = Ipv4.parse("192.0.2.9");
    final ManualClock clock = new ManualClock();

    /** Records everything an instance does. */
    static final class Recorder implements VrrpInstance.Output {
        final List<Integer> adverts = new ArrayList<>();
        final List<Integer> garps = new ArrayList<>();
        final List<String> transitions = new ArrayList<>();

        @Override
        public void sendAdvert(VrrpInstance i, int priority) {
            adverts.add(priority);
        }

        @Override
        public void sendGratuitousArp(VrrpInstance i, int repeat) {
            garps.add(repeat);
        }

        @Override
        public void transition(VrrpInstance i, VrrpState from, VrrpState to, String reason) {
            transitions.add(from + ">" + to);
        }
    }

    final Recorder out = new Recorder();

    VrrpInstance instance(VrrpConfig.Builder b) {
        VrrpInstance i = new VrrpInstance(b.virtualIpaddress("192.0.2.100/24").build(), clock, out);
        i.primaryAddress(ME);
        return i;
    }

    static VrrpConfig.Builder cfg() {
        return VrrpConfig.Instance.builder("VI_1", "eth0", 51);
    }

    void advance(long millis) {
        clock.advance(Duration.ofMillis(millis));
    }

    /** Advances in 10 ms steps, ticking, up to {@code millis}. */
    void run(VrrpInstance i, long millis) {
        for (long t = 0; t < millis; t += 10) {
            advance(10);
            i.tick();
        }
    }

    @Test
    void v2MasterDownIntervalIsThreeAdvertsPlusSkew() {
        VrrpInstance i = instance(cfg().priority(100));
        i.start();
        assertThat(i.state()).isEqualTo(VrrpState.BACKUP);
        // 3 s + (256-100)/256 s = 3.609375 s
        assertThat(i.masterDownIntervalNanos()).isEqualTo(3_000_000_000L + 156L * 1_000_000_000L / 256);
        run(i, 3600);
        assertThat(i.state()).isEqualTo(VrrpState.BACKUP);
        run(i, 20);
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
        assertThat(out.transitions).containsExactly("INIT>BACKUP", "BACKUP>MASTER");
        assertThat(out.adverts).containsExactly(100);
        assertThat(out.garps).containsExactly(5);
    }

    @Test
    void v3SkewUsesTheLearnedMasterInterval() {
        VrrpInstance i = instance(cfg().version(3).priority(200).advertInt(Duration.ofMillis(1000)));
        i.start();
        assertThat(i.masterDownIntervalNanos()).isEqualTo(3_000_000_000L + 56L * 1_000_000_000L / 256);
        i.receive(250, HIGHER_IP, 50); // master advertises 0.5 s
        assertThat(i.masterAdverIntervalNanos()).isEqualTo(500_000_000L);
        assertThat(i.masterDownIntervalNanos()).isEqualTo(1_500_000_000L + 56L * 500_000_000L / 256);
        run(i, 1600);
        assertThat(i.state()).isEqualTo(VrrpState.BACKUP);
        run(i, 20);
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void backupAdvertsResetTheMasterDownTimer() {
        VrrpInstance i = instance(cfg().priority(100));
        i.start();
        for (int k = 0; k < 10; k++) {
            run(i, 1000);
            i.receive(150, HIGHER_IP, 100);
        }
        assertThat(i.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(i.masterAddress()).isEqualTo(HIGHER_IP);
        assertThat(out.adverts).isEmpty();
    }

    @Test
    void masterSendsAdvertsEveryInterval() {
        VrrpInstance i = instance(cfg().priority(255));
        i.start();
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
        assertThat(out.transitions).containsExactly("INIT>MASTER");
        run(i, 3000);
        assertThat(out.adverts).containsExactly(255, 255, 255, 255);
    }

    @Test
    void ownerPriority255BecomesMasterAtOnceAndPreemptsALowerMaster() {
        VrrpInstance i = instance(cfg().priority(255).preempt(false));
        i.start();
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
        i.receive(254, HIGHER_IP, 100);
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
        assertThat(out.adverts).containsExactly(255, 255); // answered at once
    }

    @Test
    void priorityZeroAdvertLetsTheBackupTakeOverAfterSkewTime() {
        VrrpInstance i = instance(cfg().priority(100));
        i.start();
        i.receive(150, HIGHER_IP, 100);
        i.receive(0, HIGHER_IP, 100);
        long skewMs = i.skewNanos() / 1_000_000; // 609 ms
        run(i, skewMs - 10);
        assertThat(i.state()).isEqualTo(VrrpState.BACKUP);
        run(i, 20);
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void masterAnswersAPriorityZeroAdvert() {
        VrrpInstance i = instance(cfg().priority(255));
        i.start();
        i.receive(0, HIGHER_IP, 100);
        assertThat(out.adverts).containsExactly(255, 255);
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void masterYieldsToHigherPriority() {
        VrrpInstance i = masterAt(100);
        i.receive(101, LOWER_IP, 100);
        assertThat(i.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(out.transitions).endsWith("MASTER>BACKUP");
    }

    @Test
    void splitBrainEqualPriorityHigherAddressWins() {
        VrrpInstance i = masterAt(100);
        int before = out.adverts.size();
        i.receive(100, LOWER_IP, 100);        // lower address: we stay and answer at once
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
        assertThat(out.adverts).hasSize(before + 1);
        i.receive(100, HIGHER_IP, 100);       // higher address: we yield on the first advert
        assertThat(i.state()).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void splitBrainLowerPriorityMasterYieldsOnFirstAdvert() {
        // two masters; the lower-priority one sees the other's advert and yields
        VrrpInstance low = masterAt(90);
        low.receive(200, LOWER_IP, 100);
        assertThat(low.state()).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void masterAnswersALowerPriorityMasterAtOnce() {
        VrrpInstance i = masterAt(200);
        int before = out.adverts.size();
        i.receive(100, HIGHER_IP, 100);
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
        assertThat(out.adverts).hasSize(before + 1);
        assertThat(out.adverts.getLast()).isEqualTo(200);
    }

    @Test
    void preemptOnHigherPriorityBackupTakesOverFromALowerMaster() {
        VrrpInstance i = instance(cfg().priority(200));
        i.start();
        for (int k = 0; k < 4; k++) {
            i.receive(100, HIGHER_IP, 100); // discarded: timer runs out
            run(i, 1000);
        }
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void preemptOffReturningHigherPriorityNodeStaysBackup() {
        VrrpInstance i = instance(cfg().priority(200).preempt(false));
        i.start();
        for (int k = 0; k < 20; k++) {
            i.receive(100, HIGHER_IP, 100);
            run(i, 1000);
        }
        assertThat(i.state()).isEqualTo(VrrpState.BACKUP);
        // the lower master goes away: now we take over
        run(i, 4000);
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void preemptDelayHoldsOffPreemptionThenPreempts() {
        VrrpInstance i = instance(cfg().priority(200).preemptDelay(Duration.ofSeconds(10)));
        i.start();
        long t0 = clock.nanos();
        while (i.state() == VrrpState.BACKUP && clock.nanos() - t0 < 30_000_000_000L) {
            i.receive(100, HIGHER_IP, 100);
            run(i, 1000);
        }
        long took = (clock.nanos() - t0) / 1_000_000;
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
        // accepted for 10 s of delay, then discarded until the master-down interval ran out
        assertThat(took).isBetween(10_000L + 3_000L, 10_000L + 5_000L);
    }

    @Test
    void stateMasterHintTakesOverAfterOneIntervalWithoutAMaster() {
        VrrpInstance i = instance(cfg().state(VrrpConfig.InitialState.MASTER));
        i.start();
        assertThat(i.state()).isEqualTo(VrrpState.BACKUP);
        run(i, 1010);
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void shutdownOfAMasterSendsPriorityZero() {
        VrrpInstance i = masterAt(100);
        i.stop();
        assertThat(out.adverts.getLast()).isZero();
        assertThat(i.state()).isEqualTo(VrrpState.STOP);
        assertThat(out.transitions).endsWith("MASTER>STOP");
        assertThat(i.counters().priorityZeroSent()).isEqualTo(1);
    }

    @Test
    void faultTakesAMasterDownWithPriorityZeroAndRecoversToBackup() {
        VrrpInstance i = masterAt(100);
        i.fault(true, "track_script chk is down");
        assertThat(i.state()).isEqualTo(VrrpState.FAULT);
        assertThat(out.adverts.getLast()).isZero();
        run(i, 10_000);
        assertThat(i.state()).isEqualTo(VrrpState.FAULT); // no timers in FAULT
        i.receive(50, HIGHER_IP, 100);
        assertThat(i.state()).isEqualTo(VrrpState.FAULT);
        i.fault(false, "");
        assertThat(i.state()).isEqualTo(VrrpState.BACKUP);
        run(i, 3700);
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void faultedAtStartupStartsInFault() {
        VrrpInstance i = instance(cfg());
        i.fault(true, "interface eth0 is down");
        i.start();
        assertThat(i.state()).isEqualTo(VrrpState.FAULT);
        assertThat(out.transitions).containsExactly("INIT>FAULT");
    }

    @Test
    void trackingWeightsChangeTheAdvertisedPriority() {
        VrrpInstance i = masterAt(100);
        i.priorityDelta(-30);
        run(i, 1000);
        assertThat(out.adverts.getLast()).isEqualTo(70);
        i.priorityDelta(+200);
        assertThat(i.effectivePriority()).isEqualTo(254); // kept below the owner's 255
        i.priorityDelta(-200);
        assertThat(i.effectivePriority()).isEqualTo(1);
    }

    @Test
    void garpBurstsAtTransitionAfterDelayAndOnRefresh() {
        VrrpInstance i = instance(cfg().priority(255).garpMasterDelay(Duration.ofSeconds(5)).garpMasterRepeat(3)
                .garpMasterRefresh(Duration.ofSeconds(20)).garpMasterRefreshRepeat(2));
        i.start();
        assertThat(out.garps).containsExactly(3);
        run(i, 4990);
        assertThat(out.garps).containsExactly(3);
        run(i, 20);
        assertThat(out.garps).containsExactly(3, 3);
        run(i, 15_000);
        assertThat(out.garps).containsExactly(3, 3, 2);
        run(i, 20_000);
        assertThat(out.garps).containsExactly(3, 3, 2, 2);
    }

    @Test
    void garpMasterDelayZeroMeansNoSecondBurst() {
        VrrpInstance i = instance(cfg().priority(255).garpMasterDelay(Duration.ZERO));
        i.start();
        run(i, 10_000);
        assertThat(out.garps).containsExactly(5);
    }

    @Test
    void reconfigureKeepsStateAndTheNextAdvertCarriesTheNewPriority() {
        VrrpInstance i = masterAt(100);
        i.reconfigure(cfg().priority(120).virtualIpaddress("192.0.2.100/24").build());
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
        run(i, 1000);
        assertThat(out.adverts.getLast()).isEqualTo(120);
    }

    @Test
    void syncGroupMovesTogether() {
        Recorder o2 = new Recorder();
        VrrpInstance a = instance(cfg().priority(100));
        VrrpInstance b = new VrrpInstance(VrrpConfig.Instance.builder("VI_2", "eth1", 52).build(), clock, o2);
        b.primaryAddress(ME);
        List<VrrpState> groupStates = new ArrayList<>();
        SyncGroup g = new SyncGroup("G", List.of(a, b), (grp, s) -> groupStates.add(s));
        a.start();
        b.start();
        assertThat(groupStates).containsExactly(VrrpState.BACKUP);
        // b keeps hearing its master; a's master goes away: a becomes master and pulls b along
        for (int k = 0; k < 4; k++) {
            b.receive(150, HIGHER_IP, 100);
            run(a, 1000);
        }
        assertThat(a.state()).isEqualTo(VrrpState.MASTER);
        assertThat(b.state()).isEqualTo(VrrpState.MASTER);
        assertThat(groupStates).containsExactly(VrrpState.BACKUP, VrrpState.MASTER);
        // one member in FAULT: all are
        b.fault(true, "link");
        assertThat(a.state()).isEqualTo(VrrpState.FAULT);
        assertThat(out.adverts.getLast()).isZero();
        assertThat(groupStates).endsWith(VrrpState.FAULT);
        b.fault(false, "");
        assertThat(a.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(b.state()).isEqualTo(VrrpState.BACKUP);
        // one falls back to backup: the others follow
        run(a, 4000);
        assertThat(b.state()).isEqualTo(VrrpState.MASTER);
        a.receive(254, HIGHER_IP, 100);
        assertThat(a.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(b.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(g.state()).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void validationDropsAndCounts() {
        VrrpInstance i = instance(cfg().authentication(VrrpConfig.Authentication.pass("pw")));
        java.lang.foreign.MemorySegment seg = java.lang.foreign.Arena.ofAuto().allocate(128);
        VrrpPacket p = new VrrpPacket();
        int[] vip = {Ipv4.parse("192.0.2.100")};
        int mc = VrrpPacket.MULTICAST_GROUP;
        int len = VrrpPacket.write(seg, 0, 2, 51, 100, 100, vip, 1, "pw".getBytes(), HIGHER_IP, mc);
        assertThat(i.validate(p.wrap(seg, 0, len), 255, mc)).isNull();
        assertThat(i.validate(p.wrap(seg, 0, len), 254, mc)).isEqualTo(DropReason.BAD_TTL);
        assertThat(i.validate(p.wrap(seg, 0, len), 255, HIGHER_IP)).isEqualTo(DropReason.UNICAST_MULTICAST_MISMATCH);
        len = VrrpPacket.write(seg, 0, 2, 51, 100, 100, vip, 1, "px".getBytes(), HIGHER_IP, mc);
        assertThat(i.validate(p.wrap(seg, 0, len), 255, mc)).isEqualTo(DropReason.AUTH_MISMATCH);
        len = VrrpPacket.write(seg, 0, 2, 51, 100, 100, vip, 0, null, HIGHER_IP, mc);
        assertThat(i.validate(p.wrap(seg, 0, len), 255, mc)).isEqualTo(DropReason.AUTH_TYPE_MISMATCH);
        len = VrrpPacket.write(seg, 0, 2, 51, 100, 200, vip, 1, "pw".getBytes(), HIGHER_IP, mc);
        assertThat(i.validate(p.wrap(seg, 0, len), 255, mc)).isEqualTo(DropReason.INTERVAL_MISMATCH);
        len = VrrpPacket.write(seg, 0, 3, 51, 100, 100, vip, 0, null, HIGHER_IP, mc);
        assertThat(i.validate(p.wrap(seg, 0, len), 255, mc)).isEqualTo(DropReason.BAD_VERSION);
        // a different address list is counted but not dropped (keepalived)
        len = VrrpPacket.write(seg, 0, 2, 51, 100, 100, new int[] {1, 2}, 1, "pw".getBytes(), HIGHER_IP, mc);
        assertThat(i.validate(p.wrap(seg, 0, len), 255, mc)).isNull();
        InstanceStatus.Counters c = i.counters();
        assertThat(c.drops(DropReason.BAD_TTL)).isEqualTo(1);
        assertThat(c.drops(DropReason.AUTH_MISMATCH)).isEqualTo(1);
        assertThat(c.drops(DropReason.AUTH_TYPE_MISMATCH)).isEqualTo(1);
        assertThat(c.drops(DropReason.INTERVAL_MISMATCH)).isEqualTo(1);
        assertThat(c.drops(DropReason.BAD_VERSION)).isEqualTo(1);
        assertThat(c.drops(DropReason.UNICAST_MULTICAST_MISMATCH)).isEqualTo(1);
        assertThat(c.drops(DropReason.ADDRESS_LIST_MISMATCH)).isEqualTo(1);
    }

    @Test
    void v3LearnsTheIntervalInsteadOfDropping() {
        VrrpInstance i = instance(cfg().version(3));
        java.lang.foreign.MemorySegment seg = java.lang.foreign.Arena.ofAuto().allocate(128);
        int mc = VrrpPacket.MULTICAST_GROUP;
        int len = VrrpPacket.write(seg, 0, 3, 51, 100, 37, new int[] {Ipv4.parse("192.0.2.100")}, 0, null, HIGHER_IP, mc);
        assertThat(i.validate(new VrrpPacket().wrap(seg, 0, len), 255, mc)).isNull();
    }

    VrrpInstance masterAt(int priority) {
        VrrpInstance i = instance(cfg().priority(priority));
        i.start();
        run(i, 4000);
        assertThat(i.state()).isEqualTo(VrrpState.MASTER);
        return i;
    }
}
