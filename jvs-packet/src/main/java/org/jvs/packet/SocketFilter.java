package org.jvs.packet;

import java.util.Arrays;

/**
 * A classic BPF program for {@code SO_ATTACH_FILTER} (linux/filter.h: {@code struct sock_filter}, 8 bytes an
 * instruction), so the kernel hands a packet socket only the frames its reader wants instead of a copy of every
 * frame on the interface. Immutable; {@link #instructions()} are {@code code, jt, jf, k} packed in a long each.
 *
 * <p>{@link #forEngine}: what a packet-engine worker needs from its interface: every ARP frame, every 802.1Q
 * frame (the worker decides those), and IPv4 frames to the interface's MAC whose destination is one of the
 * VIPs or whose source is one of the VS/NAT real servers. Each address test is "compare, and on a match
 * return accept from the next instruction", so the program has no jump longer than one instruction whatever
 * the number of addresses (classic BPF jumps reach 255 instructions at most). With more addresses than a
 * program can list ({@link #MAX_INSTRUCTIONS}) it accepts every IPv4 frame to the MAC.
 */
public final class SocketFilter {
    /** The kernel refuses longer programs (BPF_MAXINSNS). */
    public static final int MAX_INSTRUCTIONS = 4096;

    // linux/bpf_common.h
    private static final int LD = 0x00;
    private static final int JMP = 0x05;
    private static final int RET = 0x06;
    private static final int W = 0x00;
    private static final int H = 0x08;
    private static final int ABS = 0x20;
    private static final int JEQ = 0x10;
    private static final int K = 0x00;
    private static final int ACCEPT_BYTES = 0x40000;

    private final long[] instructions;

    private SocketFilter(long[] instructions) {
        if (instructions.length > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("socket filter of " + instructions.length + " instructions: at most " + MAX_INSTRUCTIONS);
        }
        this.instructions = instructions;
    }

    /** Accepts every frame: what a socket without a filter gets. */
    public static SocketFilter acceptAll() {
        return new SocketFilter(new long[] {insn(RET | K, 0, 0, ACCEPT_BYTES)});
    }

    /** The program described above; {@code mac} is the interface's (low 48 bits). */
    public static SocketFilter forEngine(long mac, int[] destinations, int[] sources) {
        // 13 fixed, a load per address list, two per address, the final drop
        long[] p = new long[13 + 2 + 2 * (destinations.length + sources.length) + 1];
        int n = 0;
        p[n++] = insn(LD | H | ABS, 0, 0, 12);                               // EtherType (outer)
        p[n++] = insn(JMP | JEQ | K, 0, 1, 0x0806);                          // ARP:
        p[n++] = insn(RET | K, 0, 0, ACCEPT_BYTES);                          //   accept
        p[n++] = insn(JMP | JEQ | K, 0, 1, 0x8100);                          // 802.1Q:
        p[n++] = insn(RET | K, 0, 0, ACCEPT_BYTES);                          //   accept
        p[n++] = insn(JMP | JEQ | K, 1, 0, 0x0800);                          // not IPv4:
        p[n++] = insn(RET | K, 0, 0, 0);                                     //   drop
        p[n++] = insn(LD | W | ABS, 0, 0, 0);                                // destination MAC, bytes 0..3
        p[n++] = insn(JMP | JEQ | K, 1, 0, (int) (mac >>> 16));
        p[n++] = insn(RET | K, 0, 0, 0);
        p[n++] = insn(LD | H | ABS, 0, 0, 4);                                // bytes 4..5
        p[n++] = insn(JMP | JEQ | K, 1, 0, (int) (mac & 0xFFFF));
        p[n++] = insn(RET | K, 0, 0, 0);
        if (p.length > MAX_INSTRUCTIONS) {
            // Too many addresses to list: every IPv4 frame to the MAC then (the worker sorts them out).
            p[n++] = insn(RET | K, 0, 0, ACCEPT_BYTES);
            return new SocketFilter(Arrays.copyOf(p, n));
        }
        n = addresses(p, n, 30, destinations);                                 // IPv4 destination
        n = addresses(p, n, 26, sources);                                      // IPv4 source
        p[n++] = insn(RET | K, 0, 0, 0);
        return new SocketFilter(Arrays.copyOf(p, n));
    }

    private static int addresses(long[] p, int n, int offset, int[] addresses) {
        if (addresses.length == 0) {
            return n;
        }
        p[n++] = insn(LD | W | ABS, 0, 0, offset);
        for (int a : addresses) {
            p[n++] = insn(JMP | JEQ | K, 0, 1, a);
            p[n++] = insn(RET | K, 0, 0, ACCEPT_BYTES);
        }
        return n;
    }

    private static long insn(int code, int jt, int jf, int k) {
        return (long) code << 48 | (long) jt << 40 | (long) jf << 32 | (k & 0xFFFF_FFFFL);
    }

    /** Instructions, each {@code code << 48 | jt << 40 | jf << 32 | k}. */
    public long[] instructions() {
        return instructions.clone();
    }

    public int length() {
        return instructions.length;
    }

    /** The program as {@code tcpdump -dd} prints one: {@code { 0x28, 0, 0, 0x0000000c },} per line. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (long i : instructions) {
            sb.append(String.format("{ 0x%02x, %d, %d, 0x%08x },%n", (int) (i >>> 48), (int) (i >>> 40) & 0xFF,
                    (int) (i >>> 32) & 0xFF, (int) i));
        }
        return sb.toString();
    }
}
