package org.jvs.packet;

import java.lang.foreign.MemorySegment;

/** Builds frames with the flyweights' setters and full (non-incremental) checksums. */
final class Build {
    private Build() {
    }

    /** Ethernet + IPv4 (with {@code optionWords} words of NOP options) + TCP or UDP + payload; returns the frame length. */
    static int ipv4(MemorySegment s, int protocol, int src, int srcPort, int dst, int dstPort, byte[] payload,
                    int optionWords, boolean udpChecksum) {
        new EthernetFrame().wrap(s, 0).destination(0x0200_0000_0001L).source(0x0200_0000_0002L)
                .outerType(EthernetFrame.TYPE_IPV4);
        int ihl = 5 + optionWords;
        int l4len = (protocol == IpProtocol.TCP ? 20 : 8) + payload.length;
        Ipv4Header ip = new Ipv4Header().wrap(s, 14).versionIhl(4, ihl).tos(0).totalLength(ihl * 4 + l4len)
                .id(0x1234).flagsFragment(Ipv4Header.FLAG_DF).ttl(64).protocol(protocol).source(src).destination(dst);
        for (int i = 0; i < optionWords * 4; i++) {
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 14 + 20 + i, (byte) 1);
        }
        ip.computeChecksum();
        long l4 = ip.payloadOffset();
        long pseudo = Checksum.pseudoV4(src, dst, protocol, l4len);
        writeL4(s, l4, protocol, srcPort, dstPort, payload, pseudo, udpChecksum);
        return (int) (l4 + l4len);
    }

    /** Ethernet + IPv6 (+ optional 8-byte destination-options header) + TCP or UDP + payload. */
    static int ipv6(MemorySegment s, int protocol, long srcHi, long srcLo, int srcPort, long dstHi, long dstLo,
                    int dstPort, byte[] payload, boolean extension) {
        new EthernetFrame().wrap(s, 0).destination(0x0200_0000_0001L).source(0x0200_0000_0002L)
                .outerType(EthernetFrame.TYPE_IPV6);
        int l4len = (protocol == IpProtocol.TCP ? 20 : 8) + payload.length;
        int ext = extension ? 8 : 0;
        Ipv6Header ip = new Ipv6Header().wrap(s, 14).versionClassFlow(0, 0x12345).payloadLength(ext + l4len)
                .nextHeader(extension ? Ipv6Header.EXT_DEST_OPTIONS : protocol).hopLimit(64)
                .source(srcHi, srcLo).destination(dstHi, dstLo);
        long l4 = 14 + 40 + ext;
        if (extension) {
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 54, (byte) protocol);
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 55, (byte) 0);
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 56, (byte) 1); // PadN
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 57, (byte) 4);
            s.asSlice(58, 4).fill((byte) 0);
        }
        writeL4(s, l4, protocol, srcPort, dstPort, payload, ip.pseudoHeaderSum(protocol, l4len), true);
        return (int) (l4 + l4len);
    }

    private static void writeL4(MemorySegment s, long l4, int protocol, int srcPort, int dstPort, byte[] payload,
                                long pseudo, boolean udpChecksum) {
        if (protocol == IpProtocol.TCP) {
            TcpHeader t = new TcpHeader().wrap(s, l4).sourcePort(srcPort).destinationPort(dstPort)
                    .sequence(0x01020304).acknowledgment(0x0a0b0c0d).dataOffset(5).flags(TcpHeader.ACK | TcpHeader.PSH)
                    .window(512).urgentPointer(0);
            MemorySegment.copy(MemorySegment.ofArray(payload), 0, s, l4 + 20, payload.length);
            t.computeChecksum(pseudo, 20 + payload.length);
        } else {
            UdpHeader u = new UdpHeader().wrap(s, l4).sourcePort(srcPort).destinationPort(dstPort)
                    .length(8 + payload.length);
            MemorySegment.copy(MemorySegment.ofArray(payload), 0, s, l4 + 8, payload.length);
            if (udpChecksum) {
                u.computeChecksum(pseudo);
            } else {
                u.checksum(0);
            }
        }
    }

    /** The L4 checksum a full recomputation gives for the packet as it now is (UDP: 0 written as 0xFFFF). */
    static int fullL4Checksum(MemorySegment s, long l4, int protocol, long pseudo, int l4len) {
        int at = protocol == IpProtocol.TCP ? TcpHeader.CHECKSUM_OFFSET : UdpHeader.CHECKSUM_OFFSET;
        int saved = Net.u16(s, l4 + at);
        Net.u16(s, l4 + at, 0);
        int c = Checksum.finish(Checksum.sum(s, l4, l4len, pseudo));
        Net.u16(s, l4 + at, saved);
        return protocol == IpProtocol.UDP && c == 0 ? 0xFFFF : c;
    }
}
