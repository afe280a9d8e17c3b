package org.jvs.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.jvs.core.model.IpAddr;
import org.jvs.core.sched.Flow;
import org.junit.jupiter.api.Test;

/** Every getter of every flyweight on golden frames (see {@link Golden}). */
class GoldenPacketTest {
    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Header ip = new Ipv4Header();
    private final Ipv6Header ip6 = new Ipv6Header();
    private final TcpHeader tcp = new TcpHeader();
    private final UdpHeader udp = new UdpHeader();
    private final IcmpHeader icmp = new IcmpHeader();
    private final Flow flow = new Flow();

    @Test
    void arpRequest() {
        MemorySegment s = Golden.segment(Golden.ARP_REQUEST);
        assertThat(s.byteSize()).isEqualTo(60);
        assertThat(eth.wrap(s, 0).valid()).isTrue();
        assertThat(eth.destination()).isEqualTo(EthernetFrame.BROADCAST);
        assertThat(eth.source()).isEqualTo(0x0011_2233_4455L);
        assertThat(eth.tagged()).isFalse();
        assertThat(eth.etherType()).isEqualTo(EthernetFrame.TYPE_ARP);
        assertThat(eth.outerType()).isEqualTo(EthernetFrame.TYPE_ARP);
        assertThat(eth.vlanId()).isEqualTo(-1);
        assertThat(eth.priority()).isEqualTo(-1);
        assertThat(eth.tci()).isEqualTo(-1);
        assertThat(eth.headerLength()).isEqualTo(14);
        assertThat(eth.payloadOffset()).isEqualTo(14);
        assertThat(eth.payloadLength()).isEqualTo(46);

        assertThat(arp.wrap(s, eth.payloadOffset(), eth.payloadLength()).valid()).isTrue();
        assertThat(arp.hardwareType()).isEqualTo(1);
        assertThat(arp.protocolType()).isEqualTo(0x0800);
        assertThat(arp.hardwareLength()).isEqualTo(6);
        assertThat(arp.protocolLength()).isEqualTo(4);
        assertThat(arp.operation()).isEqualTo(ArpPacket.OP_REQUEST);
        assertThat(arp.senderHardware()).isEqualTo(0x0011_2233_4455L);
        assertThat(arp.senderProtocol()).isEqualTo(Golden.ip(192, 168, 1, 10));
        assertThat(arp.targetHardware()).isZero();
        assertThat(arp.targetProtocol()).isEqualTo(Golden.ip(192, 168, 1, 1));
    }

    @Test
    void arpRequestTurnedIntoAReplyInPlace() {
        MemorySegment s = Golden.segment(Golden.ARP_REQUEST);
        eth.wrap(s, 0);
        arp.wrap(s, eth.payloadOffset());
        long me = 0x0200_0000_0063L;
        int asked = arp.targetProtocol();
        eth.destination(eth.source()).source(me);
        arp.operation(ArpPacket.OP_REPLY)
                .targetHardware(arp.senderHardware()).targetProtocol(arp.senderProtocol())
                .senderHardware(me).senderProtocol(asked);
        assertThat(arp.valid()).isTrue();
        assertThat(eth.destination()).isEqualTo(0x0011_2233_4455L);
        assertThat(eth.source()).isEqualTo(me);
        assertThat(arp.operation()).isEqualTo(2);
        assertThat(arp.senderHardware()).isEqualTo(me);
        assertThat(arp.senderProtocol()).isEqualTo(Golden.ip(192, 168, 1, 1));
        assertThat(arp.targetHardware()).isEqualTo(0x0011_2233_4455L);
        assertThat(arp.targetProtocol()).isEqualTo(Golden.ip(192, 168, 1, 10));
    }

    @Test
    void tcpSynOverIpv4() {
        MemorySegment s = Golden.segment(Golden.TCP_SYN);
        assertThat(eth.wrap(s, 0).valid()).isTrue();
        assertThat(eth.destination()).isEqualTo(0x0200_0000_0001L);
        assertThat(eth.source()).isEqualTo(0x0200_0000_0002L);
        assertThat(eth.etherType()).isEqualTo(EthernetFrame.TYPE_IPV4);

        assertThat(ip.wrap(s, eth.payloadOffset(), eth.payloadLength()).valid()).isTrue();
        assertThat(ip.version()).isEqualTo(4);
        assertThat(ip.ihl()).isEqualTo(5);
        assertThat(ip.headerLength()).isEqualTo(20);
        assertThat(ip.tos()).isZero();
        assertThat(ip.totalLength()).isEqualTo(60);
        assertThat(ip.id()).isEqualTo(0x1c46);
        assertThat(ip.flagsFragment()).isEqualTo(0x4000);
        assertThat(ip.dontFragment()).isTrue();
        assertThat(ip.moreFragments()).isFalse();
        assertThat(ip.fragmentOffset()).isZero();
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.hasTransportHeader()).isTrue();
        assertThat(ip.ttl()).isEqualTo(64);
        assertThat(ip.protocol()).isEqualTo(IpProtocol.TCP);
        assertThat(ip.checksum()).isEqualTo(0x520b);
        assertThat(ip.checksumValid()).isTrue();
        assertThat(ip.source()).isEqualTo(Golden.ip(192, 0, 2, 7));
        assertThat(ip.destination()).isEqualTo(Golden.ip(10, 0, 0, 100));
        assertThat(ip.payloadOffset()).isEqualTo(34);
        assertThat(ip.payloadLength()).isEqualTo(40);

        tcp.wrap(s, ip.payloadOffset());
        assertThat(tcp.valid(ip.payloadLength())).isTrue();
        assertThat(tcp.sourcePort()).isEqualTo(40000);
        assertThat(tcp.destinationPort()).isEqualTo(80);
        assertThat(tcp.sequence()).isEqualTo(0x12345678);
        assertThat(tcp.acknowledgment()).isZero();
        assertThat(tcp.dataOffset()).isEqualTo(10);
        assertThat(tcp.headerLength()).isEqualTo(40);
        assertThat(tcp.flags()).isEqualTo(TcpHeader.SYN);
        assertThat(tcp.syn()).isTrue();
        assertThat(tcp.ack()).isFalse();
        assertThat(tcp.fin()).isFalse();
        assertThat(tcp.rst()).isFalse();
        assertThat(tcp.window()).isEqualTo(0xfaf0);
        assertThat(tcp.checksum()).isEqualTo(0x7b66);
        assertThat(tcp.urgentPointer()).isZero();
        long pseudo = Checksum.pseudoV4(ip.source(), ip.destination(), IpProtocol.TCP, ip.payloadLength());
        assertThat(tcp.checksumValid(pseudo, ip.payloadLength())).isTrue();

        assertThat(Flows.fromIpv4(ip, flow)).isEqualTo(TcpHeader.SYN)
                .isEqualTo(org.jvs.core.conn.TcpStateMachine.SYN);
        assertThat(flow.protocol).isEqualTo(6);
        assertThat(flow.v6).isFalse();
        assertThat(flow.src()).isEqualTo(IpAddr.parse("192.0.2.7"));
        assertThat(flow.dst()).isEqualTo(IpAddr.parse("10.0.0.100"));
        assertThat(flow.srcPort).isEqualTo(40000);
        assertThat(flow.dstPort).isEqualTo(80);
    }

    @Test
    void computedChecksumsMatchTheGoldenOnes() {
        MemorySegment s = Golden.segment(Golden.TCP_SYN);
        ip.wrap(s, 14).computeChecksum();
        assertThat(ip.checksum()).isEqualTo(0x520b);
        long pseudo = Checksum.pseudoV4(ip.source(), ip.destination(), IpProtocol.TCP, ip.payloadLength());
        tcp.wrap(s, ip.payloadOffset()).computeChecksum(pseudo, ip.payloadLength());
        assertThat(tcp.checksum()).isEqualTo(0x7b66);
    }

    @Test
    void udpDnsQueryOverIpv6WithHopByHop() {
        MemorySegment s = Golden.segment(Golden.DNS_OVER_IPV6_HBH);
        assertThat(eth.wrap(s, 0).valid()).isTrue();
        assertThat(eth.etherType()).isEqualTo(EthernetFrame.TYPE_IPV6);

        ip6.wrap(s, eth.payloadOffset(), eth.payloadLength());
        assertThat(ip6.valid()).isTrue();
        assertThat(ip6.version()).isEqualTo(6);
        assertThat(ip6.trafficClass()).isZero();
        assertThat(ip6.flowLabel()).isZero();
        assertThat(ip6.payloadLength()).isEqualTo(45);
        assertThat(ip6.nextHeader()).isEqualTo(Ipv6Header.EXT_HOP_BY_HOP);
        assertThat(ip6.hopLimit()).isEqualTo(64);
        IpAddr src = IpAddr.parse("2001:db8::1");
        IpAddr dst = IpAddr.parse("2001:db8::53");
        assertThat(ip6.sourceHi()).isEqualTo(src.hi());
        assertThat(ip6.sourceLo()).isEqualTo(src.lo());
        assertThat(ip6.destinationHi()).isEqualTo(dst.hi());
        assertThat(ip6.destinationLo()).isEqualTo(dst.lo());

        assertThat(ip6.parse()).isEqualTo(IpProtocol.UDP);
        assertThat(ip6.upperProtocol()).isEqualTo(IpProtocol.UDP);
        assertThat(ip6.upperLayerOffset()).isEqualTo(14 + 40 + 8);
        assertThat(ip6.upperLayerLength()).isEqualTo(37);
        assertThat(ip6.isFragment()).isFalse();
        assertThat(ip6.hasTransportHeader()).isTrue();

        udp.wrap(s, ip6.upperLayerOffset());
        assertThat(udp.valid(ip6.upperLayerLength())).isTrue();
        assertThat(udp.sourcePort()).isEqualTo(53000);
        assertThat(udp.destinationPort()).isEqualTo(53);
        assertThat(udp.length()).isEqualTo(37); // odd: 29 bytes of DNS
        assertThat(udp.checksum()).isEqualTo(0xf2fe);
        assertThat(udp.checksumValid(ip6.pseudoHeaderSum(IpProtocol.UDP, udp.length()))).isTrue();

        assertThat(Flows.fromIpv6(ip6, flow)).isZero();
        assertThat(flow.protocol).isEqualTo(17);
        assertThat(flow.v6).isTrue();
        assertThat(flow.src()).isEqualTo(src);
        assertThat(flow.dst()).isEqualTo(dst);
        assertThat(flow.srcPort).isEqualTo(53000);
        assertThat(flow.dstPort).isEqualTo(53);
    }

    @Test
    void icmpPortUnreachableCarryingIpv4Udp() {
        MemorySegment s = Golden.segment(Golden.ICMP_PORT_UNREACHABLE);
        eth.wrap(s, 0);
        assertThat(ip.wrap(s, eth.payloadOffset(), eth.payloadLength()).valid()).isTrue();
        assertThat(ip.tos()).isEqualTo(0xc0);
        assertThat(ip.protocol()).isEqualTo(IpProtocol.ICMP);
        assertThat(ip.checksum()).isEqualTo(0x6bb1);
        assertThat(ip.checksumValid()).isTrue();
        assertThat(ip.source()).isEqualTo(Golden.ip(10, 0, 0, 11));
        assertThat(ip.destination()).isEqualTo(Golden.ip(192, 0, 2, 7));
        assertThat(Flows.fromIpv4(ip, flow)).isEqualTo(Flows.NOT_A_FLOW);

        icmp.wrap(s, ip.payloadOffset());
        assertThat(icmp.valid(ip.payloadLength())).isTrue();
        assertThat(icmp.type()).isEqualTo(IcmpHeader.DEST_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(IcmpHeader.CODE_PORT_UNREACHABLE);
        assertThat(icmp.checksum()).isEqualTo(0xa179);
        assertThat(icmp.checksumValid(ip.payloadLength())).isTrue();
        assertThat(icmp.identifier()).isZero();
        assertThat(icmp.sequence()).isZero();
        assertThat(icmp.isError()).isTrue();
        assertThat(icmp.embeddedOffset()).isEqualTo(14 + 20 + 8);

        // The quoted header: its total length names the original datagram, longer than the quote, so it is
        // checked against what the quote holds by the caller, not by valid().
        Ipv4Header inner = new Ipv4Header().wrap(s, icmp.embeddedOffset());
        assertThat(inner.valid()).isFalse();
        assertThat(inner.version()).isEqualTo(4);
        assertThat(inner.headerLength()).isEqualTo(20);
        assertThat(inner.available()).isEqualTo(28);
        assertThat(inner.checksumValid()).isTrue();
        assertThat(inner.protocol()).isEqualTo(IpProtocol.UDP);
        assertThat(inner.source()).isEqualTo(Golden.ip(192, 0, 2, 7));
        assertThat(inner.destination()).isEqualTo(Golden.ip(10, 0, 0, 11));
        assertThat(inner.ttl()).isEqualTo(63);
        UdpHeader innerUdp = new UdpHeader().wrap(s, inner.payloadOffset());
        assertThat(innerUdp.sourcePort()).isEqualTo(40001);
        assertThat(innerUdp.destinationPort()).isEqualTo(53);
        assertThat(innerUdp.checksum()).isEqualTo(0xbeef);
    }

    @Test
    void vlanTaggedEcho() {
        MemorySegment s = Golden.segment(Golden.VLAN_ECHO);
        assertThat(eth.wrap(s, 0).valid()).isTrue();
        assertThat(eth.tagged()).isTrue();
        assertThat(eth.outerType()).isEqualTo(EthernetFrame.TYPE_VLAN);
        assertThat(eth.etherType()).isEqualTo(EthernetFrame.TYPE_IPV4);
        assertThat(eth.tci()).isEqualTo(0x6064);
        assertThat(eth.vlanId()).isEqualTo(100);
        assertThat(eth.priority()).isEqualTo(3);
        assertThat(eth.headerLength()).isEqualTo(18);
        assertThat(eth.payloadOffset()).isEqualTo(18);
        assertThat(eth.source()).isEqualTo(0x0a0b_0c0d_0e0fL);

        assertThat(ip.wrap(s, eth.payloadOffset(), eth.payloadLength()).valid()).isTrue();
        assertThat(ip.checksum()).isEqualTo(0x66d8);
        assertThat(ip.checksumValid()).isTrue();
        icmp.wrap(s, ip.payloadOffset());
        assertThat(icmp.valid(ip.payloadLength())).isTrue();
        assertThat(icmp.type()).isEqualTo(IcmpHeader.ECHO_REQUEST);
        assertThat(icmp.isError()).isFalse();
        assertThat(icmp.identifier()).isEqualTo(0x0bad);
        assertThat(icmp.sequence()).isEqualTo(7);
        assertThat(icmp.checksum()).isEqualTo(0x2785);
        assertThat(icmp.checksumValid(ip.payloadLength())).isTrue();

        eth.vlanId(200);
        assertThat(eth.vlanId()).isEqualTo(200);
        assertThat(eth.priority()).isEqualTo(3);
        eth.etherType(EthernetFrame.TYPE_IPV6);
        assertThat(eth.etherType()).isEqualTo(EthernetFrame.TYPE_IPV6);
        assertThat(eth.outerType()).isEqualTo(EthernetFrame.TYPE_VLAN);
    }

    @Test
    void ipv6HeaderSettersRoundTrip() {
        MemorySegment s = Golden.segment(Golden.DNS_OVER_IPV6_HBH);
        ip6.wrap(s, 14).trafficClass(0xb8).flowLabel(0xabcde).hopLimit(3);
        assertThat(ip6.version()).isEqualTo(6);
        assertThat(ip6.trafficClass()).isEqualTo(0xb8);
        assertThat(ip6.flowLabel()).isEqualTo(0xabcde);
        assertThat(ip6.hopLimit()).isEqualTo(3);
        ip6.versionClassFlow(1, 2);
        assertThat(ip6.trafficClass()).isEqualTo(1);
        assertThat(ip6.flowLabel()).isEqualTo(2);
    }

    @Test
    void ttlDecrementKeepsTheChecksumRight() {
        MemorySegment s = Golden.segment(Golden.TCP_SYN);
        ip.wrap(s, 14);
        assertThat(ip.decrementTtl()).isEqualTo(63);
        assertThat(ip.checksumValid()).isTrue();
        ip.ttl(0).computeChecksum();
        assertThat(ip.decrementTtl()).isZero();
        assertThat(ip.ttl()).isZero();
        assertThat(ip.checksumValid()).isTrue();
    }
}
