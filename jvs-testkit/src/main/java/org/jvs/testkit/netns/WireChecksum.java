package org.jvs.testkit.netns;

/**
 * The state of an IPv4 TCP frame's checksums as captured on a wire of the lab. With the veths' default offloads a
 * sender's capture, and a receiver's when nothing on the way finished it, shows a TCP checksum that holds only the
 * pseudo-header sum (the kernel's CHECKSUM_PARTIAL, finished by whoever transmits last); tshark calls that bad.
 * This tells it apart from a checksum that is simply wrong, which a broken rewrite would leave.
 */
public enum WireChecksum {
    /** The IPv4 header checksum and the TCP checksum verify. */
    FINISHED,
    /** The IPv4 header checksum verifies; the TCP checksum field holds exactly the pseudo-header sum. */
    UNFINISHED,
    /** Neither: a checksum no kernel would accept. */
    WRONG,
    /** Not an untagged IPv4 TCP frame, or cut short. */
    NOT_TCP;

    /** The state of one captured Ethernet frame ({@link Capture#frames()}). */
    public static WireChecksum of(byte[] f) {
        if (f.length < 14 + 20 || u16(f, 12) != 0x0800 || (f[14] >> 4) != 4 || f[14 + 9] != 6) {
            return NOT_TCP;
        }
        int ihl = (f[14] & 0xF) * 4;
        int total = u16(f, 16);
        if (ihl < 20 || total < ihl + 20 || 14 + total > f.length) {
            return NOT_TCP;
        }
        if (fold(sum(f, 14, ihl)) != 0xFFFF) {
            return WRONG;
        }
        int tcpLength = total - ihl;
        long pseudo = sum(f, 14 + 12, 8) + 6 + tcpLength;
        if (fold(pseudo + sum(f, 14 + ihl, tcpLength)) == 0xFFFF) {
            return FINISHED;
        }
        return u16(f, 14 + ihl + 16) == fold(pseudo) ? UNFINISHED : WRONG;
    }

    private static long sum(byte[] f, int from, int length) {
        long s = 0;
        int end = from + length;
        int i = from;
        for (; i + 1 < end; i += 2) {
            s += u16(f, i);
        }
        if (i < end) {
            s += (f[i] & 0xFF) << 8;
        }
        return s;
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    private static int u16(byte[] f, int at) {
        return (f[at] & 0xFF) << 8 | f[at + 1] & 0xFF;
    }
}
