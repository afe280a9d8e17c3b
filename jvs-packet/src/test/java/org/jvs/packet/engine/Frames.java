package org.jvs.packet.engine;

import java.io.ByteArrayOutputStream;

/**
 * Test frames written byte by byte, with checksums from this class's own RFC 1071 sum (independent of the
 * production {@code Checksum}), so an expected frame does not depend on the code under test.
 */
final class Frames {
    static final int TCP = 6;
    static final int UDP = 17;
    static final int SYN = 0x02;
    static final int ACK = 0x10;

    private Frames() {
    }

    /** Ethernet + IPv4 (no options, DF, TTL 64, id 0x1234) + TCP (seq/ack fixed, window 512) + payload. */
    static byte[] tcp(long dstMac, long srcMac, int src, int sport, int dst, int dport, int flags, byte[] payload) {
        ByteArrayOutputStream l4 = new ByteArrayOutputStream();
        u16(l4, sport);
        u16(l4, dport);
        u32(l4, 0x01020304);
        u32(l4, (flags & ACK) != 0 ? 0x0a0b0c0d : 0);
        l4.write(5 << 4);
        l4.write(flags);
        u16(l4, 512);
        u16(l4, 0); // checksum, filled below
        u16(l4, 0);
        l4.writeBytes(payload);
        return ipv4(dstMac, srcMac, TCP, src, dst, l4.toByteArray(), 16);
    }

    /** Ethernet + IPv4 + UDP (with checksum) + payload. */
    static byte[] udp(long dstMac, long srcMac, int src, int sport, int dst, int dport, byte[] payload) {
        ByteArrayOutputStream l4 = new ByteArrayOutputStream();
        u16(l4, sport);
        u16(l4, dport);
        u16(l4, 8 + payload.length);
        u16(l4, 0);
        l4.writeBytes(payload);
        return ipv4(dstMac, srcMac, UDP, src, dst, l4.toByteArray(), 6);
    }

    private static byte[] ipv4(long dstMac, long srcMac, int proto, int src, int dst, byte[] l4, int csumAt) {
        // transport checksum over the pseudo-header and the segment
        ByteArrayOutputStream pseudo = new ByteArrayOutputStream();
        u32(pseudo, src);
        u32(pseudo, dst);
        pseudo.write(0);
        pseudo.write(proto);
        u16(pseudo, l4.length);
        pseudo.writeBytes(l4);
        int c = checksum(pseudo.toByteArray());
        if (proto == UDP && c == 0) {
            c = 0xFFFF;
        }
        l4[csumAt] = (byte) (c >>> 8);
        l4[csumAt + 1] = (byte) c;
        return ipv4Frame(dstMac, srcMac, proto, src, dst, l4);
    }

    /**
     * Ethernet + IPv4 + an ICMP error of {@code type}/{@code code} (the second word: {@code mtu} in its low 16 bits)
     * quoting the IP header and the first 8 payload bytes of {@code quotedFrame}'s packet.
     */
    static byte[] icmpError(long dstMac, long srcMac, int src, int dst, int type, int code, int mtu, byte[] quotedFrame) {
        ByteArrayOutputStream l4 = new ByteArrayOutputStream();
        l4.write(type);
        l4.write(code);
        u16(l4, 0);
        u16(l4, 0);
        u16(l4, mtu);
        l4.write(quotedFrame, 14, 28);
        byte[] m = l4.toByteArray();
        int c = checksum(m);
        m[2] = (byte) (c >>> 8);
        m[3] = (byte) c;
        return ipv4Frame(dstMac, srcMac, 1, src, dst, m);
    }

    private static byte[] ipv4Frame(long dstMac, long srcMac, int proto, int src, int dst, byte[] l4) {
        ByteArrayOutputStream ip = new ByteArrayOutputStream();
        ip.write(0x45);
        ip.write(0);
        u16(ip, 20 + l4.length);
        u16(ip, 0x1234);
        u16(ip, 0x4000);
        ip.write(64);
        ip.write(proto);
        u16(ip, 0);
        u32(ip, src);
        u32(ip, dst);
        byte[] h = ip.toByteArray();
        int hc = checksum(h);
        h[10] = (byte) (hc >>> 8);
        h[11] = (byte) hc;

        ByteArrayOutputStream f = new ByteArrayOutputStream();
        mac(f, dstMac);
        mac(f, srcMac);
        u16(f, 0x0800);
        f.writeBytes(h);
        f.writeBytes(l4);
        return f.toByteArray();
    }

    /** Ethernet + Ethernet/IPv4 ARP (no padding: 42 bytes). */
    static byte[] arp(long dstMac, long srcMac, int op, long sha, int spa, long tha, int tpa) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        mac(f, dstMac);
        mac(f, srcMac);
        u16(f, 0x0806);
        u16(f, 1);
        u16(f, 0x0800);
        f.write(6);
        f.write(4);
        u16(f, op);
        mac(f, sha);
        u32(f, spa);
        mac(f, tha);
        u32(f, tpa);
        return f.toByteArray();
    }

    /** A copy of {@code frame} with new Ethernet destination and source. */
    static byte[] withMacs(byte[] frame, long dstMac, long srcMac) {
        byte[] b = frame.clone();
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (dstMac >>> (40 - 8 * i));
            b[6 + i] = (byte) (srcMac >>> (40 - 8 * i));
        }
        return b;
    }

    /** A copy of an untagged IPv4 {@code frame} with another TTL and its header checksum recomputed. */
    static byte[] withTtl(byte[] frame, int ttl) {
        byte[] b = frame.clone();
        b[22] = (byte) ttl;
        b[24] = 0;
        b[25] = 0;
        int c = checksum(java.util.Arrays.copyOfRange(b, 14, 14 + (b[14] & 0x0F) * 4));
        b[24] = (byte) (c >>> 8);
        b[25] = (byte) c;
        return b;
    }

    /** What a VS/NAT reply looks like after the director routed it: TTL 63. */
    static byte[] routed(byte[] frame) {
        return withTtl(frame, 63);
    }

    static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    /** RFC 1071: ones' complement of the ones' complement sum of 16-bit words. */
    static int checksum(byte[] b) {
        long sum = 0;
        for (int i = 0; i < b.length; i += 2) {
            int hi = b[i] & 0xFF;
            int lo = i + 1 < b.length ? b[i + 1] & 0xFF : 0;
            sum += hi << 8 | lo;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private static void mac(ByteArrayOutputStream o, long mac) {
        for (int i = 40; i >= 0; i -= 8) {
            o.write((int) (mac >>> i));
        }
    }

    private static void u16(ByteArrayOutputStream o, int v) {
        o.write(v >>> 8);
        o.write(v);
    }

    private static void u32(ByteArrayOutputStream o, int v) {
        u16(o, v >>> 16);
        u16(o, v);
    }
}
