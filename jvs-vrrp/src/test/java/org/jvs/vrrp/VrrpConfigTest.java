package org.jvs.vrrp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class VrrpConfigTest {
    static VrrpConfig.Builder b() {
        return VrrpConfig.Instance.builder("VI_1", "eth0", 51);
    }

    @Test
    void keepalivedDefaults() {
        VrrpConfig.Instance i = b().build();
        assertThat(i.version()).isEqualTo(2);
        assertThat(i.priority()).isEqualTo(100);
        assertThat(i.advertInt()).isEqualTo(Duration.ofSeconds(1));
        assertThat(i.preempt()).isTrue();
        assertThat(i.state()).isEqualTo(VrrpConfig.InitialState.BACKUP);
        assertThat(i.garpMasterDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(i.garpMasterRepeat()).isEqualTo(5);
        assertThat(i.garpMasterRefresh()).isZero();
        assertThat(i.garpMasterRefreshRepeat()).isEqualTo(1);
    }

    @Test
    void virtualAddressesParse() {
        assertThat(VrrpConfig.VirtualAddress.parse("192.0.2.100").toString()).isEqualTo("192.0.2.100/32");
        assertThat(VrrpConfig.VirtualAddress.parse("192.0.2.100/24 dev eth1").toString())
                .isEqualTo("192.0.2.100/24 dev eth1");
        assertThatThrownBy(() -> VrrpConfig.VirtualAddress.parse("192.0.2.300/24"))
                .hasMessageContaining("192.0.2.300");
        assertThatThrownBy(() -> VrrpConfig.VirtualAddress.parse("192.0.2.1/24 label x")).hasMessageContaining("label");
    }

    @Test
    void refusalsNameTheInstanceAndTheKeyword() {
        assertThatThrownBy(() -> VrrpConfig.Instance.builder("VI_1", "eth0", 0).build())
                .isInstanceOf(VrrpConfigException.class).hasMessage("vrrp_instance VI_1: virtual_router_id 0: 1 to 255");
        assertThatThrownBy(() -> b().priority(0).build()).hasMessageContaining("vrrp_instance VI_1: priority 0");
        assertThatThrownBy(() -> b().advertInt(Duration.ofMillis(500)).build())
                .hasMessageContaining("advert_int 0.5 s: version 2 needs whole seconds");
        assertThat(b().version(3).advertInt(Duration.ofMillis(500)).build().advertIntCentis()).isEqualTo(50);
        assertThatThrownBy(() -> b().version(3).advertInt(Duration.ofMillis(41_000)).build())
                .hasMessageContaining("advert_int 41.0 s: version 3");
        assertThatThrownBy(() -> b().version(4).build()).hasMessageContaining("version 4: 2 or 3");
        assertThatThrownBy(() -> b().preemptDelay(Duration.ofSeconds(1001)).build()).hasMessageContaining("preempt_delay");
        assertThatThrownBy(() -> b().authentication(new VrrpConfig.Authentication("AH", "x")).build())
                .hasMessageContaining("auth_type AH (IPsec AH) is not supported");
        assertThatThrownBy(() -> b().authentication(VrrpConfig.Authentication.pass("123456789")).build())
                .hasMessageContaining("auth_pass: 1 to 8 characters");
        assertThatThrownBy(() -> b().version(3).authentication(VrrpConfig.Authentication.pass("x")).build())
                .hasMessageContaining("version 3 has no authentication");
        assertThatThrownBy(() -> b().unicastPeer("224.0.0.18").build()).hasMessageContaining("unicast_peer 224.0.0.18");
        assertThatThrownBy(() -> b().unicastSrcIp("nope").build()).hasMessageContaining("unicast_src_ip");
        assertThatThrownBy(() -> b().trackInterface(VrrpConfig.Track.of("eth1", 254)).build())
                .hasMessageContaining("weight 254 outside -253..253");
        assertThatThrownBy(() -> b().virtualIpaddress("192.0.2.1/24", "192.0.2.1/32").build())
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> b().garpMasterRepeat(0).build()).hasMessageContaining("garp_master_repeat 0");
        assertThatThrownBy(() -> VrrpConfig.Instance.builder("VI_1", "", 1).build()).hasMessageContaining("interface: missing");
    }

    @Test
    void wholeConfigChecksReferences() {
        VrrpConfig.Instance a = b().trackScript(VrrpConfig.Track.of("chk")).build();
        assertThatThrownBy(() -> new VrrpConfig(List.of(a)))
                .hasMessageContaining("vrrp_instance VI_1: track_script chk: no vrrp_script of that name");
        VrrpConfig.Instance b2 = VrrpConfig.Instance.builder("VI_2", "eth0", 51).build();
        assertThatThrownBy(() -> new VrrpConfig(List.of(b().build(), b2)))
                .hasMessageContaining("virtual_router_id 51 (version 2) on interface eth0 is already used by vrrp_instance VI_1");
        assertThatThrownBy(() -> new VrrpConfig(List.of(b().build()), List.of(),
                List.of(VrrpConfig.SyncGroup.of("G", List.of("VI_1", "VI_9")))))
                .hasMessageContaining("vrrp_sync_group G: group member VI_9");
        assertThatThrownBy(() -> VrrpConfig.Script.of("chk", " ")).hasMessageContaining("vrrp_script chk: script: missing");
        VrrpConfig.Script s = VrrpConfig.Script.of("chk", "/bin/true");
        assertThat(s.interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.timeout()).isEqualTo(s.interval());
        assertThat(new VrrpConfig(List.of(a), List.of(s), List.of()).instances()).hasSize(1);
    }

    @Test
    void commandLinesSplitLikeKeepalived() {
        assertThat(ScriptRunner.split("/bin/sh -c 'exit 1'")).containsExactly("/bin/sh", "-c", "exit 1");
        assertThat(ScriptRunner.split("  a \"b c\" ''")).containsExactly("a", "b c", "");
    }
}
