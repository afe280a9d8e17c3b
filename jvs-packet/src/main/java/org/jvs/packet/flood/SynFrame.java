package org.jvs.packet.flood;

import java.lang.foreign.MemorySegment;
import org.jvs.packet.Checksum;
import org.jvs.packet.EthernetFrame;
import org.jvs.packet.IpProtocol;
import org.jvs.packet.Ipv4Header;
import org.jvs.packet.TcpHeader;

/**
 * Writes the SYN-flood frame: Ethernet + a 40-byte IPv4 datagram (20-byte header, 20-byte TCP header with
 * SYN alone, no options, no payload), both checksums computed in full. One instance per sending thread;
 * nothing is allocated per frame.
 */
public final class SynFrame {
    /** 14 + 20 + 20: veth and AF_PACKET carry it without Ethernet's 60-byte padding. */
    public static final int LENGTH = EthernetFrame.HEADER_LENGTH + Ipv4Header.MIN_LENGTH + TcpHeader.MIN_LENGTH;
    private static final int IP_LENGTH = Ipv4Header.MIN_LENGTH + TcpHeader.MIN_LENGTH;

    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Header ip = new Ipv4Header();
    private final TcpHeader tcp = new TcpHeader();

    /** Writes one SYN frame at {@code seg[offset]} ({@link #LENGTH} bytes). */
    public void write(MemorySegment seg, long offset, long srcMac, long dstMac, int srcIp, int srcPort, int dstIp,
            int dstPort, int seq, int ipId) {
        eth.wrap(seg, offset).destination(dstMac).source(srcMac).etherType(EthernetFrame.TYPE_IPV4);
        long ipAt = offset + EthernetFrame.HEADER_LENGTH;
        ip.wrap(seg, ipAt).versionIhl(4, 5).tos(0).totalLength(IP_LENGTH).id(ipId & 0xFFFF)
                .flagsFragment(Ipv4Header.FLAG_DF).ttl(64).protocol(IpProtocol.TCP).source(srcIp).destination(dstIp)
                .computeChecksum();
        long tcpAt = ipAt + Ipv4Header.MIN_LENGTH;
        tcp.wrap(seg, tcpAt).sourcePort(srcPort).destinationPort(dstPort).sequence(seq).acknowledgment(0).dataOffset(5)
                .flags(TcpHeader.SYN).window(64240).checksum(0).urgentPointer(0);
        tcp.checksum(Checksum.finish(Checksum.sum(seg, tcpAt, TcpHeader.MIN_LENGTH,
                Checksum.pseudoV4(srcIp, dstIp, IpProtocol.TCP, TcpHeader.MIN_LENGTH))));
    }
}
