package org.jvs.director.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.jvs.packet.engine.Addresses;
import org.jvs.packet.engine.EngineConfig;
import org.junit.jupiter.api.Test;

/** The {@code packet:} section: its shape, its defaults, and errors that say where and what. */
class PacketSectionParserTest {
    static final Path FILE = Path.of("jvs.yaml");

    DirectorConfig parse(String yaml) {
        return new YamlConfigLoader().parse(FILE, yaml);
    }

    @Test
    void readsInterfacesRolesWorkersGatewayAndTable() {
        EngineConfig c = parse("""
                services:
                  - {address: 10.1.0.100, port: 80, engine: packet, real_servers: [{address: 10.2.0.2, port: 8080, method: nat}]}
                packet:
                  interfaces:
                    - name: eth0
                      role: client
                    - {name: eth1, role: server}
                  workers: 2
                  gateway: 10.1.0.254
                  nft_table: jvs_lab
                """).packet();
        assertThat(c.interfaces()).containsExactly(new EngineConfig.Interface("eth0", EngineConfig.Role.CLIENT),
                new EngineConfig.Interface("eth1", EngineConfig.Role.SERVER));
        assertThat(c.workersPerInterface()).isEqualTo(2);
        assertThat(c.gateway()).isEqualTo(Addresses.parseIpv4("10.1.0.254"));
        assertThat(c.nftTable()).isEqualTo("jvs_lab");
    }

    @Test
    void markRulesAreReadInOrderOneRulePerPortRange() {
        EngineConfig c = parse("""
                packet:
                  interfaces: [eth0]
                  marks:
                    - {mark: 1, protocol: tcp, address: 203.0.113.10, ports: "80, 443,8000-8100"}
                    - {mark: 2, address: 203.0.113.11}
                    - {mark: 3, protocol: udp, address: 203.0.113.12, ports: 53}
                """).packet();
        int a = Addresses.parseIpv4("203.0.113.10");
        assertThat(c.marks()).containsExactly(
                new org.jvs.packet.engine.MarkRule(1, 6, a, 80, 80),
                new org.jvs.packet.engine.MarkRule(1, 6, a, 443, 443),
                new org.jvs.packet.engine.MarkRule(1, 6, a, 8000, 8100),
                new org.jvs.packet.engine.MarkRule(2, 0, a + 1, 0, 65535),
                new org.jvs.packet.engine.MarkRule(3, 17, a + 2, 53, 53));
    }

    @Test
    void badMarkRulesSayWhatAndWhere() {
        assertThatThrownBy(() -> parse("packet:\n  interfaces: [eth0]\n  marks:\n    - {mark: 1, address: 203.0.113.10, ports: \"90-80\"}\n"))
                .hasMessageContaining("jvs.yaml:4").hasMessageContaining("the lower first");
        assertThatThrownBy(() -> parse("packet:\n  interfaces: [eth0]\n  marks:\n    - {mark: 1, address: 203.0.113.10, ports: http}\n"))
                .hasMessageContaining("'http' is not a port");
        assertThatThrownBy(() -> parse("packet:\n  interfaces: [eth0]\n  marks:\n    - {mark: 1, protocol: sctp, address: 203.0.113.10}\n"))
                .hasMessageContaining("unknown protocol 'sctp'");
        assertThatThrownBy(() -> parse("packet:\n  interfaces: [eth0]\n  marks:\n    - {address: 203.0.113.10}\n"))
                .hasMessageContaining("needs 'mark' and 'address'");
        assertThatThrownBy(() -> parse("packet:\n  interfaces: [eth0]\n  marks:\n    - {mark: 0, address: 203.0.113.10}\n"))
                .hasMessageContaining("jvs.yaml:4");
    }

    @Test
    void defaultsAndNoSectionAtAll() {
        EngineConfig c = parse("""
                packet:
                  interfaces: [{name: veth0, role: both}]
                """).packet();
        assertThat(c.workersPerInterface()).isEqualTo(1);
        assertThat(c.gateway()).as("from the default route").isZero();
        assertThat(c.nftTable()).isEqualTo(EngineConfig.DEFAULT_NFT_TABLE);
        assertThat(parse("packet:\n  interfaces: [{name: veth0, role: both}]\n  nftables: false\n").packet().nftTable()).isNull();
        assertThat(parse("services: []\n").packet()).isNull();
        assertThat(parse("packet:\n  interfaces: [veth0, veth1]\n").packet().interfaces()).as("bare names")
                .containsExactly(new EngineConfig.Interface("veth0", EngineConfig.Role.BOTH),
                        new EngineConfig.Interface("veth1", EngineConfig.Role.BOTH));
    }

    @Test
    void aPacketServiceWithoutThePacketSectionIsRefusedAtTheService() {
        assertThatThrownBy(() -> parse("""
                services:
                  - {address: 10.1.0.100, port: 80, real_servers: [{address: 10.2.0.2}]}
                  - address: 10.1.0.101
                    port: 80
                    engine: packet
                """)).isInstanceOf(ConfigFileException.class)
                .hasMessage("jvs.yaml:5:13: services[1].engine: the packet engine needs a top-level 'packet:' section naming "
                        + "its interfaces (see docs/packet.md)");
    }

    @Test
    void anIpvsadmRulesFileCannotCarryPacketServices() {
        assertThatThrownBy(() -> new RulesConfigLoader().parse(Path.of("rules"), "-A -t 10.1.0.100:80 -s rr --engine packet\n"))
                .isInstanceOf(ConfigFileException.class).hasMessageContaining("rules:1: --engine packet: an ipvsadm rules file has no 'packet:' section");
    }

    record Bad(String yaml, String message) {
    }

    @Test
    void badSectionsSayWhereAndWhat() {
        List<Bad> cases = List.of(
                new Bad("packet:\n  workers: 2\n", "jvs.yaml:2:3: packet: the packet engine needs 'interfaces'"),
                new Bad("packet:\n  interfaces: [{name: eth0, role: front}]\n",
                        "jvs.yaml:2:35: packet.interfaces[0].role: unknown role 'front' (client, server or both)"),
                new Bad("packet:\n  interfaces: [{name: eth0}]\n",
                        "jvs.yaml:2:16: packet.interfaces[0]: an interface needs 'name' and 'role'"),
                new Bad("packet:\n  interfaces: [{name: eth0, role: client}]\n",
                        "jvs.yaml:2:3: packet: no interface faces real servers (role server or both)"),
                new Bad("packet:\n  interfaces: [{name: eth0, role: both}, {name: eth0, role: both}]\n",
                        "interface eth0 is listed twice"),
                new Bad("packet:\n  interfaces: [{name: eth0, role: both}]\n  workers: 0\n",
                        "jvs.yaml:3:12: packet.workers: 0 out of range 1..64"),
                new Bad("packet:\n  interfaces: [{name: eth0, role: both}]\n  gateway: 10.0.0\n",
                        "jvs.yaml:3:12: packet.gateway: '10.0.0' is not an IPv4 address"),
                new Bad("packet:\n  interfaces: [{name: eth0, role: both}]\n  nft_table: \"jvs packet\"\n",
                        "packet.nft_table: nftables table name 'jvs packet'"),
                new Bad("packet:\n  interfaces: [{name: \"a/b\", role: both}]\n",
                        "packet.interfaces[0]: bad interface name 'a/b'"),
                new Bad("packet:\n  interfaces: [{name: eth0, role: both}]\n  threads: 2\n",
                        "jvs.yaml:3:3: packet.threads: unknown field 'threads'"));
        for (Bad b : cases) {
            assertThatThrownBy(() -> parse(b.yaml())).as(b.yaml()).isInstanceOf(ConfigFileException.class)
                    .hasMessageContaining(b.message());
        }
    }
}
