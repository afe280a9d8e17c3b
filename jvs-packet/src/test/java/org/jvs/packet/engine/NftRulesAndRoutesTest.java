package org.jvs.packet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The nft script for a set of owned services, the default gateway from /proc/net/route text, address text. */
class NftRulesAndRoutesTest {
    private final EngineFixture fx = EngineFixture.twoLinks(8);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void theScriptDropsVipTrafficFacingClientsAndNatRepliesFacingServers() {
        String script = NftRules.script("jvs_x", List.of(fx.links), fx.owned.current());
        assertThat(script).isEqualTo("""
                add table netdev jvs_x
                delete table netdev jvs_x
                table netdev jvs_x {
                  chain in_eth0 {
                    type filter hook ingress device "eth0" priority -500; policy accept;
                    ip daddr 10.0.0.100 tcp dport 80 counter drop
                    ip daddr 10.0.0.101 tcp dport 80 counter drop
                    ip daddr 10.0.0.102 tcp dport 80 counter drop
                    ip daddr 10.0.0.103 tcp dport 80 counter drop
                    ip daddr 10.0.0.101 udp dport 53 counter drop
                    ip daddr 10.0.0.100 counter drop
                    ip daddr 10.0.0.101 counter drop
                    ip daddr 10.0.0.102 counter drop
                    ip daddr 10.0.0.103 counter drop
                  }
                  chain in_eth1 {
                    type filter hook ingress device "eth1" priority -500; policy accept;
                    ip saddr 10.0.1.2 ip daddr != 10.0.1.254 tcp sport 8080 counter drop
                    ip saddr 10.0.1.2 ip daddr != 10.0.1.254 udp sport 53 counter drop
                  }
                }
                """);
        assertThat(script).as("socket-engine service").doesNotContain("10.0.0.104");
    }

    @Test
    void theDefaultGatewayIsTheLowestMetricDefaultRouteViaAGateway() {
        String route = """
                Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
                eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0
                eth1\t00000000\t0102A8C0\t0003\t0\t0\t50\t00000000\t0\t0\t0
                eth1\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
                """;
        assertThat(Addresses.ipv4(Addresses.defaultGateway(route))).isEqualTo("192.168.2.1");
        assertThat(Addresses.defaultGateway("Iface\tDestination\n garbage\n")).isZero();
    }

    @Test
    void addressText() {
        assertThat(Addresses.parseIpv4("10.1.0.254")).isEqualTo(Frames.ip(10, 1, 0, 254));
        assertThat(Addresses.mac(0x02_00_00_00_0a_ffL)).isEqualTo("02:00:00:00:0a:ff");
        for (String bad : List.of("10.1.0", "10.1.0.256", "a.b.c.d", "10..0.1", "1.2.3.4.5")) {
            assertThatThrownBy(() -> Addresses.parseIpv4(bad)).hasMessage("'" + bad + "' is not an IPv4 address");
        }
    }
}
