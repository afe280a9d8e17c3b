package org.jvs.packet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.packet.engine.EngineFixture.CLIENT;
import static org.jvs.packet.engine.EngineFixture.CLIENT_MAC;
import static org.jvs.packet.engine.EngineFixture.CLIENT_SIDE_IP;
import static org.jvs.packet.engine.EngineFixture.FAR_CLIENT;
import static org.jvs.packet.engine.EngineFixture.GATEWAY_MAC;
import static org.jvs.packet.engine.EngineFixture.OWN_MAC;
import static org.jvs.packet.engine.EngineFixture.OWN_MAC_1;
import static org.jvs.packet.engine.EngineFixture.RS1_MAC;
import static org.jvs.packet.engine.EngineFixture.RS2;
import static org.jvs.packet.engine.EngineFixture.RS2_MAC;
import static org.jvs.packet.engine.EngineFixture.VIP_DR;
import static org.jvs.packet.engine.EngineFixture.VIP_NAT;
import static org.jvs.packet.engine.Frames.ACK;
import static org.jvs.packet.engine.Frames.SYN;

import java.util.HexFormat;
import org.jvs.packet.EthernetFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two networks, the director routing between them: link 0 faces clients (192.0.2.0/24), link 1 faces the real
 * servers (10.0.1.0/24). Inbound goes out of the servers' side with that side's MAC; NAT replies go out of the
 * clients' side, to the client itself when it is on the connected subnet (resolved by ARP there) and to the
 * gateway otherwise.
 */
class MultiLinkWorkerTest {
    private final EngineFixture fx = EngineFixture.twoLinks(32);

    @AfterEach
    void close() {
        fx.close();
    }

    private String sentOn(int link) {
        assertThat(fx.ios[link].sentCount()).as("frames sent on link " + link).isEqualTo(1);
        return hex(fx.ios[link].takeSent());
    }

    @Test
    void natInboundLeavesByTheServersSide() {
        fx.ios[0].inject(Frames.tcp(OWN_MAC, CLIENT_MAC, CLIENT, 40001, VIP_NAT, 80, SYN, new byte[0]));
        fx.workers[0].poll();
        assertThat(fx.ios[0].sentCount()).isZero();
        assertThat(sentOn(1)).isEqualTo(hex(Frames.tcp(RS2_MAC, OWN_MAC_1, CLIENT, 40001, RS2, 8080, SYN, new byte[0])));
    }

    @Test
    void drLeavesByTheLinkHoldingTheServer() {
        byte[] syn = Frames.tcp(OWN_MAC, CLIENT_MAC, CLIENT, 40002, VIP_DR, 80, SYN, new byte[0]);
        fx.ios[0].inject(syn);
        fx.workers[0].poll();
        assertThat(sentOn(1)).isEqualTo(hex(Frames.withMacs(syn, RS1_MAC, OWN_MAC_1)));
    }

    @Test
    void natReplyToAConnectedClientGoesAtOnceToTheMacItsSynCameFromAndArpConfirmsIt() {
        fx.ios[0].inject(Frames.tcp(OWN_MAC, CLIENT_MAC, CLIENT, 40003, VIP_NAT, 80, SYN, new byte[0]));
        fx.workers[0].poll();
        fx.ios[1].discardSent();
        assertThat(fx.workers[0].learned()).as("gleaned from the SYN").isEqualTo(1);
        byte[] reply = Frames.tcp(OWN_MAC_1, RS2_MAC, RS2, 8080, CLIENT, 40003, SYN | ACK, new byte[0]);
        String forwarded = hex(Frames.routed(Frames.tcp(CLIENT_MAC, OWN_MAC, VIP_NAT, 80, CLIENT, 40003, SYN | ACK, new byte[0])));

        fx.ios[1].inject(reply);
        fx.workers[1].poll();
        assertThat(fx.ios[0].sentCount()).as("a unicast ARP probe, then the reply").isEqualTo(2);
        assertThat(hex(fx.ios[0].takeSent())).isEqualTo(hex(Frames.arp(CLIENT_MAC, OWN_MAC, 1, OWN_MAC, CLIENT_SIDE_IP, CLIENT_MAC, CLIENT)));
        assertThat(hex(fx.ios[0].takeSent())).isEqualTo(forwarded);
        assertThat(fx.workers[1].noNeighbour()).isZero();

        fx.ios[0].inject(Frames.arp(OWN_MAC, CLIENT_MAC, 2, CLIENT_MAC, CLIENT, OWN_MAC, CLIENT_SIDE_IP));
        fx.workers[0].poll();
        fx.ios[1].inject(reply);
        fx.workers[1].poll();
        assertThat(sentOn(0)).as("confirmed: no more probes").isEqualTo(forwarded);
        assertThat(fx.workers[1].natReplies()).isEqualTo(2);
    }

    @Test
    void aClientWhoseMacIsKnownIsNotRewrittenByItsFrames() {
        fx.links[0].neighbours().put(CLIENT, CLIENT_MAC);
        fx.ios[0].inject(Frames.tcp(OWN_MAC, 0x02_00_00_00_00_99L, CLIENT, 40006, VIP_NAT, 80, SYN, new byte[0]));
        fx.workers[0].poll();
        assertThat(fx.workers[0].learned()).isZero();
        assertThat(fx.links[0].neighbours().lookup(CLIENT)).isEqualTo(CLIENT_MAC);
    }

    @Test
    void aReplyToAConnectedClientNeverSeenStillWaitsForArp() {
        // A reply whose connection was not opened through this engine's frame (nothing to glean): resolved by ARP.
        fx.ios[0].inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, FAR_CLIENT, 40007, VIP_NAT, 80, SYN, new byte[0]));
        fx.workers[0].poll();
        assertThat(fx.workers[0].learned()).as("a far client is not on the link: nothing gleaned").isZero();
        assertThat(fx.links[0].neighbours().lookup(FAR_CLIENT)).isEqualTo(NeighbourTable.NONE);
    }

    @Test
    void natReplyToAFarClientGoesToTheGateway() {
        fx.ios[0].inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, FAR_CLIENT, 40004, VIP_NAT, 80, SYN, new byte[0]));
        fx.workers[0].poll();
        fx.ios[1].discardSent();
        fx.ios[1].inject(Frames.tcp(OWN_MAC_1, RS2_MAC, RS2, 8080, FAR_CLIENT, 40004, ACK, new byte[10]));
        fx.workers[1].poll();
        assertThat(sentOn(0)).isEqualTo(hex(Frames.routed(Frames.tcp(GATEWAY_MAC, OWN_MAC, VIP_NAT, 80, FAR_CLIENT, 40004, ACK, new byte[10]))));
    }

    @Test
    void vipArpIsAnsweredOnlyOnTheClientsSide() {
        fx.ios[1].inject(Frames.arp(EthernetFrame.BROADCAST, RS2_MAC, 1, RS2_MAC, RS2, 0, VIP_NAT));
        fx.workers[1].poll();
        assertThat(fx.ios[1].sentCount()).isZero();
        fx.ios[0].inject(Frames.arp(EthernetFrame.BROADCAST, CLIENT_MAC, 1, CLIENT_MAC, CLIENT, 0, VIP_NAT));
        fx.workers[0].poll();
        assertThat(sentOn(0)).isEqualTo(hex(Frames.arp(CLIENT_MAC, OWN_MAC, 2, OWN_MAC, VIP_NAT, CLIENT_MAC, CLIENT)));
    }

    @Test
    void drToAServerOffEveryConnectedSubnetIsNoRoute() {
        fx.lb.addDest(new org.jvs.core.model.ServiceKey.Virtual(org.jvs.core.model.Protocol.TCP,
                        org.jvs.core.model.IpAddr.v4(EngineFixture.VIP_EMPTY), 80),
                org.jvs.core.model.DestSpec.of(org.jvs.core.model.IpAddr.v4(Frames.ip(172, 16, 0, 1)), 80,
                        org.jvs.core.model.ForwardingMethod.DIRECT_ROUTE));
        fx.ios[0].inject(Frames.tcp(OWN_MAC, CLIENT_MAC, CLIENT, 40005, EngineFixture.VIP_EMPTY, 80, SYN, new byte[0]));
        fx.workers[0].poll();
        assertThat(fx.workers[0].noRoute()).isEqualTo(1);
        assertThat(fx.ios[0].sentCount() + fx.ios[1].sentCount()).isZero();
    }

    private static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
