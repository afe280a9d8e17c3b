package org.jvs.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.jvs.core.sched.Flow;
import org.junit.jupiter.api.Test;

/** Bad frames from the wire are reported as malformed, never thrown. */
class MalformedPacketTest {
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Header ip = new Ipv4Header();
    private final Ipv6Header ip6 = new Ipv6Header();
    private final Flow flow = new Flow();

    @Test
    void truncatedFramesAtEveryLength() {
        for (String hex : new String[] {Golden.ARP_REQUEST, Golden.TCP_SYN, Golden.DNS_OVER_IPV6_HBH,
                Golden.ICMP_PORT_UNREACHABLE, Golden.VLAN_ECHO}) {
            MemorySegment s = Golden.segment(hex);
            for (int n = 0; n < s.byteSize(); n++) {
                eth.wrap(s, 0, n);
                if (n < 14 || (n < 18 && eth.tagged())) {
                    assertThat(eth.valid()).as("ethernet of %d bytes", n).isFalse();
                    continue;
                }
                assertThat(eth.valid()).isTrue();
                long p = eth.payloadOffset();
                long rest = eth.payloadLength();
                assertThat(new ArpPacket().wrap(s, p, rest).valid()).isEqualTo(hex.equals(Golden.ARP_REQUEST) && rest >= 28);
                switch (eth.etherType()) {
                    case EthernetFrame.TYPE_IPV4 -> assertThat(ip.wrap(s, p, rest).valid())
                            .as("IPv4 with %d of %d bytes", rest, s.byteSize() - p).isEqualTo(rest >= ip.totalLength() && rest >= 20);
                    case EthernetFrame.TYPE_IPV6 -> assertThat(ip6.wrap(s, p, rest).parse())
                            .isEqualTo(rest == s.byteSize() - p ? IpProtocol.UDP : Ipv6Header.MALFORMED);
                    default -> { }
                }
            }
        }
    }

    @Test
    void ihlBelowFiveIsMalformed() {
        MemorySegment s = Golden.segment(Golden.TCP_SYN);
        for (int ihl = 0; ihl < 5; ihl++) {
            ip.wrap(s, 14).versionIhl(4, ihl);
            assertThat(ip.valid()).as("IHL %d", ihl).isFalse();
        }
        ip.versionIhl(4, 15); // 60-byte header in a 60-byte datagram: header fits, no room for TCP
        assertThat(ip.valid()).isTrue();
        assertThat(Flows.fromIpv4(ip, flow)).isEqualTo(Flows.NOT_A_FLOW);
        assertThat(Rewrite.dnatV4(ip, 1, 1)).isFalse();
    }

    @Test
    void wrongVersionIsMalformed() {
        MemorySegment s = Golden.segment(Golden.TCP_SYN);
        assertThat(ip.wrap(s, 14).versionIhl(6, 5).valid()).isFalse();
        MemorySegment s6 = Golden.segment(Golden.DNS_OVER_IPV6_HBH);
        s6.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 14, (byte) 0x45);
        assertThat(ip6.wrap(s6, 14).parse()).isEqualTo(Ipv6Header.MALFORMED);
    }

    @Test
    void totalLengthBeyondTheBufferOrBelowTheHeader() {
        MemorySegment s = Golden.segment(Golden.TCP_SYN);
        ip.wrap(s, 14).totalLength(61);
        assertThat(ip.valid()).isFalse();
        ip.totalLength(0xFFFF);
        assertThat(ip.valid()).isFalse();
        ip.totalLength(19);
        assertThat(ip.valid()).isFalse();
        ip.totalLength(20); // header only: valid IP, but no transport header
        assertThat(ip.valid()).isTrue();
        assertThat(Flows.fromIpv4(ip, flow)).isEqualTo(Flows.NOT_A_FLOW);
        assertThat(new TcpHeader().wrap(s, ip.payloadOffset()).valid(ip.payloadLength())).isFalse();
    }

    @Test
    void ethernetPaddingBeyondTotalLengthIsFine() {
        byte[] padded = java.util.Arrays.copyOf(Golden.bytes(Golden.TCP_SYN), 100);
        ip.wrap(MemorySegment.ofArray(padded), 14, 86);
        assertThat(ip.valid()).isTrue();
        assertThat(ip.payloadLength()).isEqualTo(40);
    }

    @Test
    void ipv6PayloadLengthBeyondTheBuffer() {
        MemorySegment s = Golden.segment(Golden.DNS_OVER_IPV6_HBH);
        ip6.wrap(s, 14).payloadLength(46);
        assertThat(ip6.valid()).isFalse();
        assertThat(ip6.parse()).isEqualTo(Ipv6Header.MALFORMED);
        assertThat(ip6.upperLayerOffset()).isEqualTo(-1);
        assertThat(ip6.hasTransportHeader()).isFalse();
        assertThat(Flows.fromIpv6(ip6, flow)).isEqualTo(Flows.NOT_A_FLOW);
    }

    @Test
    void ipv6ExtensionChainsThatNeverEndAreMalformed() {
        // 9 destination-options headers, each pointing at another: longer than MAX_EXTENSIONS.
        int n = Ipv6Header.MAX_EXTENSIONS + 1;
        MemorySegment s = MemorySegment.ofArray(new byte[40 + 8 * n + 8]);
        ip6.wrap(s, 0).versionClassFlow(0, 0).payloadLength(8 * n + 8).nextHeader(Ipv6Header.EXT_DEST_OPTIONS);
        for (int i = 0; i < n; i++) {
            Net.u8(s, 40 + 8 * i, i == n - 1 ? IpProtocol.UDP : Ipv6Header.EXT_DEST_OPTIONS);
        }
        assertThat(ip6.parse()).isEqualTo(Ipv6Header.MALFORMED);
        // One fewer is fine.
        Net.u8(s, 40 + 8 * (n - 2), IpProtocol.UDP);
        Net.u16(s, 40 + 8 * (n - 1) + 4, 8); // a UDP header where the last extension was
        assertThat(ip6.parse()).isEqualTo(IpProtocol.UDP);
        assertThat(ip6.upperLayerOffset()).isEqualTo(40 + 8L * (n - 1));
    }

    @Test
    void ipv6ExtensionRunningPastThePayloadOrMisplacedHopByHop() {
        MemorySegment s = Golden.segment(Golden.DNS_OVER_IPV6_HBH);
        ip6.wrap(s, 14);
        Net.u8(s, 14 + 40 + 1, 200); // hop-by-hop length (200 + 1) * 8: past the payload
        assertThat(ip6.parse()).isEqualTo(Ipv6Header.MALFORMED);
        Net.u8(s, 14 + 40 + 1, 0);
        Net.u8(s, 14 + 40, Ipv6Header.EXT_HOP_BY_HOP); // a second hop-by-hop header
        assertThat(ip6.parse()).isEqualTo(Ipv6Header.MALFORMED);
    }

    @Test
    void ipv6NonFirstFragmentHasNoTransportHeader() {
        MemorySegment s = MemorySegment.ofArray(new byte[40 + 8 + 16]);
        ip6.wrap(s, 0).versionClassFlow(0, 0).payloadLength(24).nextHeader(Ipv6Header.EXT_FRAGMENT);
        Net.u8(s, 40, IpProtocol.UDP);
        Net.u16(s, 42, 185 << 3); // offset 185 * 8
        assertThat(ip6.parse()).isEqualTo(IpProtocol.UDP);
        assertThat(ip6.isFragment()).isTrue();
        assertThat(ip6.hasTransportHeader()).isFalse();
        assertThat(Flows.fromIpv6(ip6, flow)).isEqualTo(Flows.NOT_A_FLOW);
        assertThat(Rewrite.dnatV6(ip6, 1, 2, 3)).isFalse();
        Net.u16(s, 42, 1); // first fragment, more follow
        Net.u16(s, 48 + 4, 16);
        assertThat(ip6.parse()).isEqualTo(IpProtocol.UDP);
        assertThat(ip6.isFragment()).isTrue();
        assertThat(ip6.hasTransportHeader()).isTrue();
    }

    @Test
    void ipv4FragmentsAreFlaggedAndLaterOnesCarryNoPorts() {
        MemorySegment s = Golden.segment(Golden.TCP_SYN);
        ip.wrap(s, 14).flagsFragment(Ipv4Header.FLAG_MF);
        assertThat(ip.isFragment()).isTrue();
        assertThat(ip.hasTransportHeader()).isTrue();
        ip.flagsFragment(100);
        assertThat(ip.isFragment()).isTrue();
        assertThat(ip.hasTransportHeader()).isFalse();
        assertThat(Flows.fromIpv4(ip, flow)).isEqualTo(Flows.NOT_A_FLOW);
        assertThat(Rewrite.dnatV4(ip, 1, 2)).isFalse();
    }

    @Test
    void tcpDataOffsetOutOfRange() {
        MemorySegment s = Golden.segment(Golden.TCP_SYN);
        ip.wrap(s, 14);
        TcpHeader tcp = new TcpHeader().wrap(s, ip.payloadOffset());
        tcp.dataOffset(4);
        assertThat(tcp.valid(ip.payloadLength())).isFalse();
        assertThat(Flows.fromIpv4(ip, flow)).isEqualTo(Flows.NOT_A_FLOW);
        tcp.dataOffset(11); // 44 bytes in a 40-byte segment
        assertThat(tcp.valid(ip.payloadLength())).isFalse();
        assertThat(Flows.fromIpv4(ip, flow)).isEqualTo(Flows.NOT_A_FLOW);
    }

    @Test
    void udpLengthOutOfRange() {
        MemorySegment s = Golden.segment(Golden.DNS_OVER_IPV6_HBH);
        ip6.wrap(s, 14).parse();
        UdpHeader udp = new UdpHeader().wrap(s, ip6.upperLayerOffset());
        udp.length(7);
        assertThat(udp.valid(ip6.upperLayerLength())).isFalse();
        assertThat(Flows.fromIpv6(ip6, flow)).isEqualTo(Flows.NOT_A_FLOW);
        udp.length(38);
        assertThat(udp.valid(ip6.upperLayerLength())).isFalse();
    }

    @Test
    void arpOfAnotherKindIsNotValid() {
        MemorySegment s = Golden.segment(Golden.ARP_REQUEST);
        ArpPacket arp = new ArpPacket().wrap(s, 14);
        assertThat(arp.protocolType(0x86DD).valid()).isFalse();
        assertThat(arp.protocolType(0x0800).hardwareLength(8).valid()).isFalse();
    }
}
