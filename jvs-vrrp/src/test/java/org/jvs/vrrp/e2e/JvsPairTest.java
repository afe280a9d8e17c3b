package org.jvs.vrrp.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.vrrp.e2e.VrrpLab.VIP;
import static org.jvs.vrrp.e2e.VrrpLab.await;
import static org.jvs.vrrp.e2e.VrrpLab.hasAddress;
import static org.jvs.vrrp.e2e.VrrpLab.isState;

import java.time.Duration;
import java.util.List;

import org.jvs.testkit.netns.Capture;
import org.jvs.vrrp.VrrpConfig;
import org.jvs.vrrp.VrrpDaemon;
import org.jvs.vrrp.VrrpState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two JVS daemons in two namespaces, and what their adverts look like on the wire (tshark). Needs root. */
@Timeout(120)
class JvsPairTest {
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

    static VrrpConfig.Builder instance(int version, int priority) {
        return VrrpConfig.Instance.builder("VI_1", "eth0", 51).version(version).priority(priority)
                .virtualIpaddress(VIP + "/24");
    }

    @Test
    void v3PairElectsTheHigherPriorityAdvertsDecodeAndSplitBrainEnds() throws Exception {
        VrrpDaemon a = lab.startDaemon(lab.jvs(), new VrrpConfig(List.of(instance(3, 150).build())), null);
        VrrpDaemon b = lab.startDaemon(lab.peer(), new VrrpConfig(List.of(instance(3, 100).build())), null);
        await("a master", Duration.ofSeconds(6), () -> isState(a, VrrpState.MASTER));
        Thread.sleep(1000);
        assertThat(isState(b, VrrpState.BACKUP)).isTrue();
        assertThat(hasAddress(lab.jvs(), VIP)).isTrue();
        assertThat(hasAddress(lab.peer(), VIP)).isFalse();

        Capture cap = lab.lab.capture(lab.client(), "eth0", "ip proto 112", 3, Duration.ofSeconds(10));
        cap.await();
        List<List<String>> rows = cap.fieldsWhere("vrrp", "ip.src", "ip.dst", "ip.ttl", "ip.proto",
                "ip.checksum.status", "vrrp.version", "vrrp.type", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.addr_count",
                "vrrp.short_adver_int", "vrrp.checksum.status", "vrrp.ip_addr", "eth.dst");
        assertThat(rows).hasSize(3).allSatisfy(r -> assertThat(r).containsExactly("192.0.2.2", "224.0.0.18", "255",
                "112", Capture.CHECKSUM_GOOD, "3", "1", "51", "150", "1", "100", "1", VIP, "01:00:5e:00:00:12"));
        assertThat(b.status().getFirst().masterAddress()).isEqualTo("192.0.2.2");
        assertThat(b.status().getFirst().counters().advertsReceived()).isGreaterThan(3);

        VrrpLab.blockVrrp(lab.jvs());
        await("b master too (split brain)", Duration.ofSeconds(6), () -> isState(b, VrrpState.MASTER));
        assertThat(isState(a, VrrpState.MASTER)).isTrue();
        Thread.sleep(500);
        long t0 = System.nanoTime();
        VrrpLab.unblockVrrp(lab.jvs());
        await("b backup again", Duration.ofSeconds(3), () -> isState(b, VrrpState.BACKUP));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("SPLIT BRAIN JVS-JVS resolved " + ms + " ms after unblocking");
        assertThat(ms).isLessThan(1300);
        assertThat(isState(a, VrrpState.MASTER)).isTrue();
        await("VIP gone from b", Duration.ofSeconds(1), () -> !hasAddress(lab.peer(), VIP));

        // a shuts down: b takes over after Skew_Time thanks to the priority-0 advert
        t0 = System.nanoTime();
        a.close();
        await("b master", Duration.ofSeconds(3), () -> isState(b, VrrpState.MASTER));
        ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("TAKEOVER JVS-JVS after shutdown: " + ms + " ms");
        assertThat(ms).isLessThan(1500);
        assertThat(hasAddress(lab.peer(), VIP)).isTrue();
        assertThat(hasAddress(lab.jvs(), VIP)).isFalse();
    }

    @Test
    void v2UnicastPairWithPasswordOnTheWire() throws Exception {
        VrrpConfig.Authentication pw = VrrpConfig.Authentication.pass("s3cret");
        VrrpDaemon a = lab.startDaemon(lab.jvs(), new VrrpConfig(List.of(instance(2, 150).authentication(pw)
                .unicastSrcIp("192.0.2.2").unicastPeer("192.0.2.11").build())), null);
        VrrpDaemon b = lab.startDaemon(lab.peer(), new VrrpConfig(List.of(instance(2, 100).authentication(pw)
                .unicastPeer("192.0.2.2").build())), null);
        await("a master", Duration.ofSeconds(6), () -> isState(a, VrrpState.MASTER));
        Capture cap = lab.lab.capture(lab.jvs(), "eth0", "ip proto 112", 2, Duration.ofSeconds(10));
        cap.await();
        List<List<String>> rows = cap.fieldsWhere("vrrp", "ip.src", "ip.dst", "ip.ttl", "vrrp.version",
                "vrrp.prio", "vrrp.auth_type", "vrrp.adver_int", "vrrp.auth_string", "vrrp.checksum.status");
        assertThat(rows).hasSize(2).allSatisfy(r -> assertThat(r).containsExactly("192.0.2.2", "192.0.2.11", "255",
                "2", "150", "1", "1", "s3cret", "1"));
        assertThat(isState(b, VrrpState.BACKUP)).isTrue();
        assertThat(b.status().getFirst().counters().advertsReceived()).isGreaterThan(0);
    }

    @Test
    void wrongPasswordIsDroppedAndCounted() throws Exception {
        VrrpDaemon a = lab.startDaemon(lab.jvs(), new VrrpConfig(List.of(instance(2, 150)
                .authentication(VrrpConfig.Authentication.pass("one")).build())), null);
        VrrpDaemon b = lab.startDaemon(lab.peer(), new VrrpConfig(List.of(instance(2, 100)
                .authentication(VrrpConfig.Authentication.pass("two")).build())), null);
        await("b master as well: it ignores a", Duration.ofSeconds(8), () -> isState(b, VrrpState.MASTER));
        assertThat(isState(a, VrrpState.MASTER)).isTrue();
        await("drops counted", Duration.ofSeconds(3), () ->
                b.status().getFirst().counters().drops(org.jvs.vrrp.DropReason.AUTH_MISMATCH) > 0);
        assertThat(b.status().getFirst().counters().advertsReceived()).isZero();
    }
}
