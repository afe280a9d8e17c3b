package org.jvs.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.jvs.core.model.IpAddr;
import org.junit.jupiter.api.Test;

/** NAT rewrites on golden frames, checked against full recomputation, and UDP's zero rules. */
class RewriteTest {
    private final Ipv4Header ip = new Ipv4Header();
    private final Ipv6Header ip6 = new Ipv6Header();
    private final TcpHeader tcp = new TcpHeader();
    private final UdpHeader udp = new UdpHeader();

    @Test
    void dnatOfTheSynToARealServerAndBack() {
        MemorySegment s = Golden.segment(Golden.TCP_SYN);
        ip.wrap(s, 14);
        int rip = Golden.ip(10, 0, 1, 11);
        assertThat(Rewrite.dnatV4(ip, rip, 8080)).isTrue();
        assertThat(ip.destination()).isEqualTo(rip);
        assertThat(tcp.wrap(s, ip.payloadOffset()).destinationPort()).isEqualTo(8080);
        assertThat(tcp.sourcePort()).isEqualTo(40000);
        assertThat(ip.checksumValid()).isTrue();
        assertThat(tcp.checksumValid(Checksum.pseudoV4(ip.source(), ip.destination(), 6, 40), 40)).isTrue();

        // The reply path turns RIP:rport back into VIP:vport; here, undoing it restores the golden bytes.
        assertThat(Rewrite.dnatV4(ip, Golden.ip(10, 0, 0, 100), 80)).isTrue();
        assertThat(s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(Golden.bytes(Golden.TCP_SYN));
    }

    @Test
    void snatOfAReply() {
        MemorySegment s = Golden.segment(Golden.TCP_SYN);
        ip.wrap(s, 14);
        assertThat(Rewrite.snatV4(ip, Golden.ip(203, 0, 113, 1), 1234)).isTrue();
        assertThat(ip.source()).isEqualTo(Golden.ip(203, 0, 113, 1));
        assertThat(tcp.wrap(s, ip.payloadOffset()).sourcePort()).isEqualTo(1234);
        assertThat(ip.checksumValid()).isTrue();
        assertThat(tcp.checksumValid(Checksum.pseudoV4(ip.source(), ip.destination(), 6, 40), 40)).isTrue();
    }

    @Test
    void updateMethodsOfTheHeadersFixTheirOwnChecksum() {
        MemorySegment s = Golden.segment(Golden.TCP_SYN);
        ip.wrap(s, 14).updateSource(0x01020304).updateDestination(0x05060708);
        assertThat(ip.checksumValid()).isTrue();
        tcp.wrap(s, ip.payloadOffset()).updateSourcePort(1).updateDestinationPort(2);
        // The TCP checksum was fixed for the ports only; the addresses changed under it.
        long pseudoOld = Checksum.pseudoV4(Golden.ip(192, 0, 2, 7), Golden.ip(10, 0, 0, 100), 6, 40);
        assertThat(tcp.checksumValid(pseudoOld, 40)).isTrue();
    }

    @Test
    void udpWithoutChecksumStaysWithout() {
        MemorySegment s = MemorySegment.ofArray(new byte[128]);
        int len = Build.ipv4(s, IpProtocol.UDP, 1, 2, 3, 4, new byte[] {1, 2, 3}, 0, false);
        ip.wrap(s, 14, len - 14);
        assertThat(Rewrite.dnatV4(ip, 0x0A000001, 53)).isTrue();
        assertThat(udp.wrap(s, ip.payloadOffset()).checksum()).isZero();
        assertThat(udp.updateDestinationPort(54).checksum()).isZero();
        assertThat(ip.checksumValid()).isTrue();
    }

    @Test
    void udpChecksumThatComesOutZeroIsWrittenAsAllOnes() {
        MemorySegment s = MemorySegment.ofArray(new byte[128]);
        int len = Build.ipv4(s, IpProtocol.UDP, 0x0A000002, 5000, 0x0A000064, 53, new byte[] {9, 8, 7, 6, 5}, 0, true);
        ip.wrap(s, 14, len - 14);
        udp.wrap(s, ip.payloadOffset());
        int csum = udp.checksum();
        // Find the port that makes the plain RFC 1624 result 0: the rewrite must write 0xFFFF instead.
        int port = -1;
        for (int p = 0; p < 65536; p++) {
            if (Checksum.update32And16(csum, ip.destination(), 0x0A000101, 53, p) == 0) {
                port = p;
                break;
            }
        }
        assertThat(port).isNotNegative();
        assertThat(Rewrite.dnatV4(ip, 0x0A000101, port)).isTrue();
        assertThat(udp.checksum()).isEqualTo(0xFFFF);
        assertThat(udp.checksumValid(Checksum.pseudoV4(ip.source(), ip.destination(), 17, udp.length()))).isTrue();
        assertThat(Build.fullL4Checksum(s, udp.offset(), 17,
                Checksum.pseudoV4(ip.source(), ip.destination(), 17, udp.length()), udp.length())).isEqualTo(0xFFFF);
    }

    @Test
    void ipv6DnsQueryRewrittenPastTheHopByHopHeader() {
        MemorySegment s = Golden.segment(Golden.DNS_OVER_IPV6_HBH);
        ip6.wrap(s, 14).parse();
        IpAddr rs = IpAddr.parse("2001:db8:1::35");
        assertThat(Rewrite.dnatV6(ip6, rs.hi(), rs.lo(), 5353)).isTrue();
        udp.wrap(s, ip6.upperLayerOffset());
        assertThat(udp.destinationPort()).isEqualTo(5353);
        assertThat(ip6.destinationHi()).isEqualTo(rs.hi());
        assertThat(ip6.destinationLo()).isEqualTo(rs.lo());
        assertThat(udp.checksumValid(ip6.pseudoHeaderSum(17, udp.length()))).isTrue();
        assertThat(udp.checksum()).isEqualTo(Build.fullL4Checksum(s, udp.offset(), 17,
                ip6.pseudoHeaderSum(17, udp.length()), udp.length()));
    }

    @Test
    void icmpv6AddressRewriteFixesItsPseudoHeaderChecksum() {
        MemorySegment s = MemorySegment.ofArray(new byte[40 + 8 + 4]);
        IpAddr a = IpAddr.parse("2001:db8::1");
        IpAddr b = IpAddr.parse("2001:db8::2");
        ip6.wrap(s, 0).versionClassFlow(0, 0).payloadLength(12).nextHeader(IpProtocol.ICMPV6).hopLimit(64)
                .source(a.hi(), a.lo()).destination(b.hi(), b.lo());
        Icmpv6Header icmp = new Icmpv6Header().wrap(s, 40).type(Icmpv6Header.ECHO_REQUEST).code(0)
                .identifier(77).sequence(1);
        icmp.computeChecksum(ip6.pseudoHeaderSum(58, 12), 12);
        assertThat(icmp.checksumValid(ip6.pseudoHeaderSum(58, 12), 12)).isTrue();
        assertThat(icmp.isError()).isFalse();
        assertThat(icmp.identifier()).isEqualTo(77);
        assertThat(icmp.sequence()).isEqualTo(1);
        assertThat(icmp.embeddedOffset()).isEqualTo(48);
        assertThat(ip6.parse()).isEqualTo(IpProtocol.ICMPV6);

        IpAddr c = IpAddr.parse("2001:db8:ffff::9");
        assertThat(Rewrite.addressV6(ip6, c.hi(), c.lo(), true)).isTrue();
        assertThat(icmp.checksumValid(ip6.pseudoHeaderSum(58, 12), 12)).isTrue();
        assertThat(Rewrite.dnatV6(ip6, c.hi(), c.lo(), 1)).as("no ports in ICMPv6").isFalse();

        icmp.type(Icmpv6Header.PACKET_TOO_BIG).mtu(1280);
        assertThat(icmp.isError()).isTrue();
        assertThat(icmp.mtu()).isEqualTo(1280);
        assertThat(icmp.code()).isZero();
    }

    @Test
    void otherProtocolsAreLeftAlone() {
        MemorySegment s = Golden.segment(Golden.ICMP_PORT_UNREACHABLE);
        ip.wrap(s, 14);
        byte[] before = s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertThat(Rewrite.dnatV4(ip, 1, 2)).isFalse();
        assertThat(Rewrite.snatV4(ip, 1, 2)).isFalse();
        assertThat(s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(before);
    }
}
