package org.jvs.director.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.jvs.sync.SyncConfig;
import org.jvs.sync.SyncVersion;
import org.jvs.vrrp.VrrpConfig;
import org.junit.jupiter.api.Test;

/** The {@code sync:} and {@code vrrp:} sections: what they read, and errors that name file, line and field. */
class FailoverSectionsTest {
    static final Path FILE = Path.of("jvs.yaml");
    static final String SERVICES = """
            services:
              - name: web
                address: 203.0.113.10
                port: 80
                engine: socket
                real_servers: [{address: 127.0.0.1, port: 8081}]
            """;

    DirectorConfig parse(String yaml) {
        return new YamlConfigLoader().parse(FILE, yaml + SERVICES);
    }

    @Test
    void readsBothSectionsWithKeepalivedAndIpvsadmNames() {
        DirectorConfig c = parse("""
                sync:
                  version: 0
                  threshold: 2
                  period: 10
                  daemons:
                    - {state: master, mcast_interface: eth0, syncid: 5, maxlen: 1400, mcast_group: 239.1.1.1, mcast_port: 9000, mcast_ttl: 2}
                    - {state: backup, mcast_interface: eth1}
                vrrp:
                  scripts:
                    chk: {script: "/bin/true", interval: 2s, weight: -20, fall: 2}
                  instances:
                    - name: VI_1
                      interface: eth0
                      state: MASTER
                      virtual_router_id: 51
                      priority: 150
                      advert_int: 500ms
                      version: 3
                      preempt: false
                      virtual_ipaddress: [203.0.113.10/32, "192.0.2.1/24 dev eth1"]
                      unicast_peer: [192.0.2.3]
                      track_interface: [eth1, {name: eth2, weight: -10}]
                      track_script: [chk]
                      track_service: [web]
                      notify: /etc/jvs/notify.sh
                  sync_groups:
                    - {name: G, group: [VI_1]}
                """);
        SyncConfig s = c.sync();
        assertThat(s.version()).isEqualTo(SyncVersion.V0);
        assertThat(s.threshold()).isEqualTo(2);
        assertThat(s.period()).isEqualTo(10);
        SyncConfig.Daemon m = s.daemon(SyncConfig.Role.MASTER);
        assertThat(m.syncId()).isEqualTo(5);
        assertThat(m.maxLen()).isEqualTo(1400);
        assertThat(m.group().getHostAddress()).isEqualTo("239.1.1.1");
        assertThat(m.port()).isEqualTo(9000);
        assertThat(m.ttl()).isEqualTo(2);
        SyncConfig.Daemon b = s.daemon(SyncConfig.Role.BACKUP);
        assertThat(b.group().getHostAddress()).isEqualTo("224.0.0.81");
        assertThat(b.port()).isEqualTo(8848);
        assertThat(b.ttl()).isEqualTo(1);

        VrrpConfig v = c.vrrp();
        VrrpConfig.Instance i = v.instances().getFirst();
        assertThat(i.interfaceName()).isEqualTo("eth0");
        assertThat(i.state()).isEqualTo(VrrpConfig.InitialState.MASTER);
        assertThat(i.priority()).isEqualTo(150);
        assertThat(i.advertInt()).isEqualTo(Duration.ofMillis(500));
        assertThat(i.preempt()).isFalse();
        assertThat(i.virtualIpaddress()).hasSize(2);
        assertThat(i.virtualIpaddress().get(1).dev()).isEqualTo("eth1");
        assertThat(i.trackInterface().get(1).weight()).isEqualTo(-10);
        assertThat(i.trackService().getFirst().name()).isEqualTo("web");
        assertThat(i.notifyScript()).isEqualTo("/etc/jvs/notify.sh");
        assertThat(v.script("chk").weight()).isEqualTo(-20);
        assertThat(v.syncGroups().getFirst().group()).containsExactly("VI_1");
    }

    @Test
    void withoutTheSectionsThereIsNoSyncAndNoVrrp() {
        DirectorConfig c = parse("");
        assertThat(c.sync().daemons()).isEmpty();
        assertThat(c.vrrp().instances()).isEmpty();
    }

    @Test
    void mistakesNameTheirPlace() {
        assertThatThrownBy(() -> parse("sync:\n  daemons:\n    - {state: primary, mcast_interface: eth0}\n"))
                .hasMessageContaining("jvs.yaml:3:").hasMessageContaining("sync.daemons[0].state").hasMessageContaining("expected master or backup");
        assertThatThrownBy(() -> parse("sync:\n  daemons:\n    - {state: master}\n"))
                .hasMessageContaining("needs 'mcast_interface'");
        assertThatThrownBy(() -> parse("sync:\n  daemons:\n    - {state: master, mcast_interface: eth0}\n    - {state: master, mcast_interface: eth1}\n"))
                .hasMessageContaining("more than one master daemon");
        assertThatThrownBy(() -> parse("sync:\n  threshold: 60\n"))
                .hasMessageContaining("threshold 60 must be below the period (50)");
        assertThatThrownBy(() -> parse("sync:\n  daemons:\n    - {state: master, mcast_interface: eth0, mcast_group: 10.0.0.1}\n"))
                .hasMessageContaining("not an IPv4 multicast address");
        assertThatThrownBy(() -> parse("sync:\n  daemons:\n    - {state: master, mcast_interface: eth0, syncd: 1}\n"))
                .hasMessageContaining("unknown field 'syncd'");
        assertThatThrownBy(() -> parse("vrrp:\n  instances:\n    - {name: VI_1, interface: eth0, virtual_router_id: 0}\n"))
                .hasMessageContaining("jvs.yaml:3:").hasMessageContaining("out of range 1..255");
        assertThatThrownBy(() -> parse("vrrp:\n  instances:\n    - {name: VI_1, interface: eth0, virtual_router_id: 5, track_service: [api]}\n"))
                .hasMessageContaining("no service named 'api'");
        assertThatThrownBy(() -> parse("vrrp:\n  instances:\n    - {name: VI_1, interface: eth0, virtual_router_id: 5, virtual_ipaddress: [300.1.1.1/32]}\n"))
                .hasMessageContaining("vrrp.instances[0].virtual_ipaddress[0]");
        assertThatThrownBy(() -> parse("vrrp:\n  instances:\n    - {name: VI_1, interface: eth0, virtual_router_id: 5, prio: 3}\n"))
                .hasMessageContaining("unknown field 'prio'");
        assertThatThrownBy(() -> parse("vrrp:\n  instances:\n    - {name: VI_1, interface: eth0, virtual_router_id: 5, authentication: {auth_type: AH, auth_pass: x}}\n"))
                .hasMessageContaining("AH");
    }
}
