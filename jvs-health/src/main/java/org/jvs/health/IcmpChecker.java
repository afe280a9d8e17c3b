package org.jvs.health;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * keepalived's PING_CHECK: one ICMP echo request, up when the matching reply comes within the timeout.
 * Uses an unprivileged ICMP datagram socket ({@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}, allowed
 * to the groups in {@code net.ipv4.ping_group_range}), else a raw socket (root or CAP_NET_RAW). The
 * socket is non-blocking and the wait is a sleep loop: a native call blocked in {@code recvfrom} would pin
 * the virtual thread's carrier, and checks share a couple of carriers. IPv4 only.
 */
public record IcmpChecker() implements Checker {

    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_RAW = 3;
    private static final int IPPROTO_ICMP = 1;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;
    private static final int EPERM = 1;
    private static final int EACCES = 13;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = downcall("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private static MethodHandle downcall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, Linker.Option.captureCallState("errno"));
    }

    @Override
    public int port() {
        return 0;
    }

    @Override
    public String type() {
        return "icmp";
    }

    @Override
    public CheckResult check(InetSocketAddress target, Duration timeout) {
        if (!(target.getAddress() instanceof Inet4Address v4)) {
            return CheckResult.down("ICMP checks support IPv4 only");
        }
        long start = System.nanoTime();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(CAPTURE);
            boolean raw = false;
            int fd = (int) SOCKET.invokeExact(errno, AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
            if (fd < 0) {
                int e = (int) ERRNO.get(errno, 0L);
                if (e != EACCES && e != EPERM) {
                    return CheckResult.down("ICMP socket: errno " + e);
                }
                fd = (int) SOCKET.invokeExact(errno, AF_INET, SOCK_RAW, IPPROTO_ICMP);
                if (fd < 0) {
                    return CheckResult.down("ICMP not permitted: net.ipv4.ping_group_range is " + pingGroupRange()
                            + " and a raw socket needs root (CAP_NET_RAW)");
                }
                raw = true;
            }
            try {
                return echo(arena, errno, fd, raw, v4, timeout, start);
            } finally {
                int ignored = (int) CLOSE.invokeExact(errno, fd);
            }
        } catch (IOException e) {
            return CheckResult.down(Reasons.brief(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CheckResult.down("interrupted");
        } catch (Throwable t) {
            return CheckResult.down("ICMP: " + Reasons.brief(String.valueOf(t)));
        }
    }

    private static CheckResult echo(Arena arena, MemorySegment errno, int fd, boolean raw, Inet4Address to, Duration timeout, long start)
            throws Throwable {
        int id = ThreadLocalRandom.current().nextInt(1 << 16);
        int seq = ThreadLocalRandom.current().nextInt(1 << 16);
        byte[] pkt = new byte[8 + 16];
        pkt[0] = 8; // echo request
        pkt[4] = (byte) (id >> 8);
        pkt[5] = (byte) id;
        pkt[6] = (byte) (seq >> 8);
        pkt[7] = (byte) seq;
        for (int i = 8; i < pkt.length; i++) {
            pkt[i] = (byte) ('J' + i);
        }
        int sum = checksum(pkt, 0, pkt.length);
        pkt[2] = (byte) (sum >> 8);
        pkt[3] = (byte) sum;
        MemorySegment out = arena.allocate(pkt.length);
        MemorySegment.copy(pkt, 0, out, JAVA_BYTE, 0, pkt.length);
        MemorySegment addr = sockaddr(arena, to);
        long sent = (long) SENDTO.invokeExact(errno, fd, out, (long) pkt.length, 0, addr, (int) addr.byteSize());
        if (sent < 0) {
            throw new IOException("ICMP send: errno " + (int) ERRNO.get(errno, 0L));
        }
        MemorySegment in = arena.allocate(1500);
        MemorySegment from = arena.allocate(16);
        MemorySegment fromLen = arena.allocate(JAVA_INT);
        byte[] want = to.getAddress();
        long end = start + timeout.toNanos();
        while (System.nanoTime() < end) {
            fromLen.set(JAVA_INT, 0, 16);
            long n = (long) RECVFROM.invokeExact(errno, fd, in, 1500L, MSG_DONTWAIT, from, fromLen);
            if (n < 0) {
                int e = (int) ERRNO.get(errno, 0L);
                if (e != EAGAIN) {
                    throw new IOException("ICMP receive: errno " + e);
                }
                Thread.sleep(2);
                continue;
            }
            int off = raw ? (in.get(JAVA_BYTE, 0) & 0x0F) * 4 : 0; // a raw socket hands over the IP header too
            if (n < off + 8 || !sameAddress(from, want)) {
                continue;
            }
            int type = in.get(JAVA_BYTE, off) & 0xFF;
            int gotId = (in.get(JAVA_BYTE, off + 4) & 0xFF) << 8 | (in.get(JAVA_BYTE, off + 5) & 0xFF);
            int gotSeq = (in.get(JAVA_BYTE, off + 6) & 0xFF) << 8 | (in.get(JAVA_BYTE, off + 7) & 0xFF);
            // A datagram ICMP socket's identifier is chosen by the kernel, which also filters replies by it.
            if (type == 0 && gotSeq == seq && (!raw || gotId == id)) {
                return CheckResult.up("echo reply in " + Probes.elapsed(start) + (raw ? " (raw socket)" : ""));
            }
        }
        return CheckResult.down("no echo reply, " + Reasons.timeout(timeout));
    }

    private static MemorySegment sockaddr(Arena arena, Inet4Address a) {
        MemorySegment s = arena.allocate(16);
        s.set(JAVA_SHORT, 0, (short) AF_INET);
        byte[] b = a.getAddress();
        for (int i = 0; i < 4; i++) {
            s.set(JAVA_BYTE, 4 + i, b[i]);
        }
        return s;
    }

    private static boolean sameAddress(MemorySegment from, byte[] want) {
        for (int i = 0; i < 4; i++) {
            if (from.get(JAVA_BYTE, 4 + i) != want[i]) {
                return false;
            }
        }
        return true;
    }

    /** The Internet checksum (RFC 1071). */
    static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += (b[off + i] & 0xFF) << 8 | (b[off + i + 1] & 0xFF);
        }
        if ((len & 1) == 1) {
            sum += (b[off + len - 1] & 0xFF) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private static String pingGroupRange() {
        try {
            return "'" + Files.readString(Path.of("/proc/sys/net/ipv4/ping_group_range")).strip().replace('\t', ' ') + "'";
        } catch (IOException e) {
            return "unknown";
        }
    }
}
