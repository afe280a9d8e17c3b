package org.jvs.vrrp.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.vrrp.e2e.VrrpLab.VIP;
import static org.jvs.vrrp.e2e.VrrpLab.await;
import static org.jvs.vrrp.e2e.VrrpLab.hasAddress;
import static org.jvs.vrrp.e2e.VrrpLab.isState;

import java.time.Duration;
import java.util.List;

import org.jvs.testkit.netns.LabProcess;
import org.jvs.vrrp.DropReason;
import org.jvs.vrrp.InstanceStatus;
import org.jvs.vrrp.TransitionListener;
import org.jvs.vrrp.VrrpConfig;
import org.jvs.vrrp.VrrpDaemon;
import org.jvs.vrrp.VrrpState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** JVS's VRRP against a real keepalived 2.2.x, in network namespaces. Needs root (CI runs as root). */
@Timeout(120)
class KeepalivedInteropTest {
    VrrpLab lab;

    @BeforeEach
    void lab() {
        lab = new VrrpLab();
    }

    @AfterEach
    void teardown() {
        if (lab != null) {
            lab.close();
        }
    }

    static VrrpConfig jvsConfig(int version, int priority, VrrpConfig.InitialState state) {
        return new VrrpConfig(List.of(VrrpConfig.Instance.builder("VI_1", "eth0", 51).version(version)
                .priority(priority).state(state).virtualIpaddress(VIP + "/24").build()));
    }

    static String keepalived(int version, int priority, String state) {
        return """
                    state %s
                    interface eth0
                    virtual_router_id 51
                    priority %d
                    advert_int 1
                    version %d
                    virtual_ipaddress {
                        %s/24
                    }
                """.formatted(state, priority, version, VIP);
    }

    @Test
    void jvsBackupTakesOverFromAKilledKeepalivedMasterAndYieldsWhenItReturns() throws Exception {
        LabProcess ka = lab.startKeepalived(keepalived(2, 150, "MASTER"));
        await("keepalived master holding the VIP", Duration.ofSeconds(10), () -> hasAddress(lab.peer(), VIP));
        List<TransitionListener.Transition> log = VrrpLab.transitions();
        VrrpDaemon jvs = lab.startDaemon(lab.jvs(), jvsConfig(2, 100, VrrpConfig.InitialState.BACKUP), log);
        Thread.sleep(5000); // longer than Master_Down_Interval: JVS must stay backup while keepalived advertises
        InstanceStatus st = jvs.status().getFirst();
        assertThat(st.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(st.masterAddress()).isEqualTo("192.0.2.11");
        assertThat(st.counters().advertsReceived()).isGreaterThanOrEqualTo(4);
        assertThat(st.counters().drops().values().stream().mapToLong(Long::longValue).sum()).isZero();
        assertThat(hasAddress(lab.jvs(), VIP)).isFalse();
        // the client reaches the VIP (and learns keepalived's MAC for it)
        assertThat(VrrpLab.answers(lab.client(), VIP)).isTrue();

        long killed = System.nanoTime();
        lab.killKeepalived(ka);
        lab.peer().exec("ip", "addr", "del", VIP + "/24", "dev", "eth0"); // a dead host answers nothing
        await("JVS master after keepalived was killed", Duration.ofSeconds(8), () -> isState(jvs, VrrpState.MASTER));
        long takeoverMs = (System.nanoTime() - killed) / 1_000_000;
        System.out.println("TAKEOVER after SIGKILL of keepalived master: " + takeoverMs + " ms "
                + "(Master_Down_Interval 3609 ms)");
        assertThat(takeoverMs).isLessThan(3609 + 700);
        assertThat(hasAddress(lab.jvs(), VIP)).isTrue();
        // gratuitous ARP moved the client's neighbour entry to the director's MAC, and the VIP answers
        String directorMac = lab.jvs().mac("eth0");
        await("client's ARP entry for the VIP pointing at the director", Duration.ofSeconds(3),
                () -> lab.client().exec("ip", "neigh", "show", VIP).stdout().contains(directorMac));
        assertThat(VrrpLab.answers(lab.client(), VIP)).isTrue();
        assertThat(lab.client().exec("ip", "neigh", "show", VIP).stdout()).contains(directorMac);
        assertThat(log).extracting(TransitionListener.Transition::to)
                .containsExactly(VrrpState.BACKUP, VrrpState.MASTER);

        // keepalived comes back with a higher priority and preempt (its default): it takes over
        LabProcess ka2 = lab.startKeepalived(keepalived(2, 200, "BACKUP"));
        long back = System.nanoTime();
        await("JVS back to backup", Duration.ofSeconds(8), () -> isState(jvs, VrrpState.BACKUP));
        System.out.println("PREEMPTED by returning keepalived (priority 200) after "
                + (System.nanoTime() - back) / 1_000_000 + " ms from its start");
        await("VIP removed from the JVS side", Duration.ofSeconds(2), () -> !hasAddress(lab.jvs(), VIP));
        await("VIP on keepalived's side", Duration.ofSeconds(3), () -> hasAddress(lab.peer(), VIP));
        assertThat(ka2.isAlive()).isTrue();
        assertThat(ka2.output()).contains("Entering MASTER STATE");
    }

    @Test
    void jvsMasterOfAKeepalivedBackupV2() throws Exception {
        jvsMasterOfAKeepalivedBackup(2);
    }

    @Test
    void jvsMasterOfAKeepalivedBackupV3() throws Exception {
        jvsMasterOfAKeepalivedBackup(3);
    }

    void jvsMasterOfAKeepalivedBackup(int version) throws Exception {
        List<TransitionListener.Transition> log = VrrpLab.transitions();
        VrrpDaemon jvs = lab.startDaemon(lab.jvs(), jvsConfig(version, 200, VrrpConfig.InitialState.MASTER), log);
        await("JVS master", Duration.ofSeconds(5), () -> isState(jvs, VrrpState.MASTER));
        LabProcess ka = lab.startKeepalived(keepalived(version, 100, "BACKUP"));
        Thread.sleep(5000);
        assertThat(isState(jvs, VrrpState.MASTER)).isTrue();
        assertThat(hasAddress(lab.jvs(), VIP)).isTrue();
        assertThat(hasAddress(lab.peer(), VIP)).isFalse();
        assertThat(ka.output()).contains("Entering BACKUP STATE").doesNotContain("Entering MASTER STATE")
                .doesNotContain("Invalid").doesNotContain("mismatch").doesNotContain("wrong");
        InstanceStatus st = jvs.status().getFirst();
        assertThat(st.counters().advertsSent()).isGreaterThanOrEqualTo(5);
        assertThat(st.counters().drops(DropReason.BAD_CHECKSUM)).isZero();

        // JVS shuts down: its priority-0 advert lets keepalived take over after Skew_Time (~0.6 s), not 3.6 s
        long t0 = System.nanoTime();
        jvs.close();
        assertThat(hasAddress(lab.jvs(), VIP)).isFalse();
        await("keepalived master", Duration.ofSeconds(3), () -> hasAddress(lab.peer(), VIP));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("TAKEOVER by keepalived v" + version + " after JVS shutdown (priority 0): " + ms + " ms");
        assertThat(ms).isLessThan(1500);
        assertThat(log).extracting(TransitionListener.Transition::to).endsWith(VrrpState.STOP);
    }

    @Test
    void splitBrainEndsWithinOneAdvertIntervalOfTheLinkReturning() throws Exception {
        LabProcess ka = lab.startKeepalived(keepalived(3, 150, "MASTER"));
        await("keepalived master", Duration.ofSeconds(10), () -> hasAddress(lab.peer(), VIP));
        VrrpDaemon jvs = lab.startDaemon(lab.jvs(), jvsConfig(3, 100, VrrpConfig.InitialState.BACKUP), null);
        Thread.sleep(1500);
        assertThat(isState(jvs, VrrpState.BACKUP)).isTrue();

        VrrpLab.blockVrrp(lab.jvs());
        await("JVS master too (split brain)", Duration.ofSeconds(6), () -> isState(jvs, VrrpState.MASTER));
        assertThat(hasAddress(lab.peer(), VIP)).isTrue();
        assertThat(hasAddress(lab.jvs(), VIP)).isTrue();
        Thread.sleep(1000);

        long t0 = System.nanoTime();
        VrrpLab.unblockVrrp(lab.jvs());
        await("one master again", Duration.ofSeconds(3), () -> isState(jvs, VrrpState.BACKUP));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("SPLIT BRAIN with keepalived resolved " + ms + " ms after unblocking");
        assertThat(ms).isLessThan(1000 + 300);
        await("VIP gone from JVS", Duration.ofSeconds(1), () -> !hasAddress(lab.jvs(), VIP));
        assertThat(hasAddress(lab.peer(), VIP)).isTrue();
        assertThat(ka.isAlive()).isTrue();
    }

    @Test
    void unicastV3WithKeepalived() throws Exception {
        VrrpDaemon jvs = lab.startDaemon(lab.jvs(), new VrrpConfig(List.of(VrrpConfig.Instance.builder("VI_1", "eth0", 51)
                .version(3).priority(200).virtualIpaddress(VIP + "/24").unicastSrcIp("192.0.2.2")
                .unicastPeer("192.0.2.11").build())), null);
        await("JVS master", Duration.ofSeconds(6), () -> isState(jvs, VrrpState.MASTER));
        LabProcess ka = lab.startKeepalived(keepalived(3, 100, "BACKUP") + """
                    unicast_src_ip 192.0.2.11
                    unicast_peer {
                        192.0.2.2
                    }
                """);
        Thread.sleep(5000);
        assertThat(isState(jvs, VrrpState.MASTER)).isTrue();
        assertThat(hasAddress(lab.peer(), VIP)).isFalse();
        assertThat(ka.output()).contains("Entering BACKUP STATE").doesNotContain("Entering MASTER STATE")
                .doesNotContain("checksum").doesNotContain("Invalid");
        // keepalived takes over when JVS stops, and JVS (now unicast backup) would hear it: restart JVS lower
        jvs.close();
        await("keepalived master", Duration.ofSeconds(3), () -> hasAddress(lab.peer(), VIP));
        VrrpDaemon again = lab.startDaemon(lab.jvs(), new VrrpConfig(List.of(VrrpConfig.Instance.builder("VI_1", "eth0", 51)
                .version(3).priority(50).virtualIpaddress(VIP + "/24").unicastPeer("192.0.2.11").build())), null);
        Thread.sleep(4500);
        InstanceStatus st = again.status().getFirst();
        assertThat(st.state()).isEqualTo(VrrpState.BACKUP);
        assertThat(st.masterAddress()).isEqualTo("192.0.2.11");
        assertThat(st.counters().drops(DropReason.BAD_CHECKSUM)).isZero();
        assertThat(st.counters().advertsReceived()).isGreaterThan(2);
    }
}
