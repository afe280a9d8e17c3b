package org.jvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * TCP segmentation in software, as the kernel's GSO does it for a TSO super-frame that must leave as ordinary
 * packets (VS/TUN: the virtio header cannot describe a super-frame inside a tunnel). Segment {@code i} of an IPv4
 * TCP packet carries payload bytes {@code [i*mss, (i+1)*mss)}, the sequence number advanced by as much, the IP
 * identification advanced by {@code i}; FIN and PSH stay on the last segment only, CWR on the first only; both
 * checksums are computed whole. Static; nothing allocated.
 */
public final class TcpSegments {
    private TcpSegments() {
    }

    /** How many segments a payload of {@code payloadLength} bytes makes at {@code mss} (at least one). */
    public static int count(int payloadLength, int mss) {
        return payloadLength <= mss ? 1 : (payloadLength + mss - 1) / mss;
    }

    /**
     * Writes segment {@code index} of the packet at {@code src[ip]} (IP header {@code ihl} bytes, TCP header {@code thl},
     * {@code payloadLength} bytes of payload) at {@code dst[at]}; returns its length. {@code dst} must have room for
     * the headers and {@code mss} bytes; the caller checks {@code index} against {@link #count}.
     */
    public static int write(MemorySegment src, long ip, int ihl, int thl, int payloadLength, int mss, int index,
                            MemorySegment dst, long at) {
        int headers = ihl + thl;
        int from = index * mss;
        int chunk = Math.min(mss, payloadLength - from);
        boolean last = from + chunk >= payloadLength;
        MemorySegment.copy(src, ip, dst, at, headers);
        MemorySegment.copy(src, ip + headers + from, dst, at + headers, chunk);
        int total = headers + chunk;
        Net.u16(dst, at + Ipv4Header.TOTAL_LENGTH_OFFSET, total);
        Net.u16(dst, at + Ipv4Header.ID_OFFSET, Net.u16(src, ip + Ipv4Header.ID_OFFSET) + index);
        Net.u16(dst, at + Ipv4Header.CHECKSUM_OFFSET, 0);
        Net.u16(dst, at + Ipv4Header.CHECKSUM_OFFSET, Checksum.checksum(dst, at, ihl));
        long tcp = at + ihl;
        Net.i32(dst, tcp + TcpHeader.SEQ_OFFSET, Net.i32(src, ip + ihl + TcpHeader.SEQ_OFFSET) + from);
        int flags = Net.u8(src, ip + ihl + TcpHeader.FLAGS_OFFSET);
        if (!last) {
            flags &= ~(TcpHeader.FIN | TcpHeader.PSH);
        }
        if (index > 0) {
            flags &= ~TcpHeader.CWR;
        }
        Net.u8(dst, tcp + TcpHeader.FLAGS_OFFSET, flags);
        Net.u16(dst, tcp + TcpHeader.CHECKSUM_OFFSET, 0);
        int s = Net.i32(dst, at + Ipv4Header.SRC_OFFSET);
        int d = Net.i32(dst, at + Ipv4Header.DST_OFFSET);
        long sum = Checksum.sum(dst, tcp, thl + chunk, Checksum.pseudoV4(s, d, IpProtocol.TCP, thl + chunk));
        Net.u16(dst, tcp + TcpHeader.CHECKSUM_OFFSET, Checksum.finish(sum));
        return total;
    }
}
