package org.jvs.vrrp.io;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.jvs.vrrp.Ipv4;
import org.jvs.vrrp.VrrpPacket;

/**
 * A raw IPv4 socket for protocol 112 on one interface, through FFM: {@code socket(AF_INET, SOCK_RAW, 112)},
 * {@code SO_BINDTODEVICE}, {@code IP_ADD_MEMBERSHIP} 224.0.0.18 on the interface, {@code IP_MULTICAST_IF},
 * {@code IP_MULTICAST_TTL} and {@code IP_TTL} 255, {@code IP_MULTICAST_LOOP} 0, and {@code IP_HDRINCL}: this
 * side writes the IPv4 header, so the source address (which the v3 checksum covers) and TTL 255 are exactly
 * what was asked. Received packets come with their IPv4 header (raw sockets deliver it), so the TTL and
 * destination are read from it, the source from {@code recvmsg}'s address.
 *
 * <p>Opening needs {@code CAP_NET_RAW}; without it {@link #open} throws "VRRP raw socket: Operation not permitted
 * (EPERM): VRRP needs CAP_NET_RAW; run as root or grant the capability". The socket belongs to the network
 * namespace of the thread that opened it. One thread uses it.
 */
public final class VrrpSocket implements AutoCloseable {
    static final String NEEDS_CAP_NET_RAW = "VRRP needs CAP_NET_RAW; run as root or grant the capability";
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int BUFFER = 2048;

    /** {@code struct msghdr}, 56 bytes. */
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"), JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"), JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"), JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4));

    private final String ifname;
    private final NetInterface iface;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment capture = Sys.allocateCapture(arena);
    private final MemorySegment rx = arena.allocate(BUFFER, 8);
    private final MemorySegment tx = arena.allocate(BUFFER, 8);
    private final MemorySegment name = arena.allocate(16, 8);
    private final MemorySegment to = arena.allocate(16, 8);
    private final MemorySegment iov = arena.allocate(16, 8);
    private final MemorySegment msg = arena.allocate(MSGHDR);
    private final int ifindex;
    private int fd = -1;
    private int ipId;
    private int length;
    private int flags;

    private VrrpSocket(String ifname, NetInterface iface) {
        this.ifname = ifname;
        this.iface = iface;
        this.ifindex = iface.index();
        iov.set(ADDRESS, 0, rx);
        iov.set(JAVA_LONG, 8, BUFFER);
        msg.set(ADDRESS, MSGHDR.byteOffset(groupElement("msg_name")), name);
        msg.set(ADDRESS, MSGHDR.byteOffset(groupElement("msg_iov")), iov);
        msg.set(JAVA_LONG, MSGHDR.byteOffset(groupElement("msg_iovlen")), 1L);
    }

    /** Opens and sets up the socket on {@code ifname} in the calling thread's network namespace. */
    public static VrrpSocket open(String ifname) {
        NetInterface.checkName(ifname);
        MemorySegment cap0;
        int fd;
        try (Arena a = Arena.ofConfined()) {
            cap0 = Sys.allocateCapture(a);
            fd = (int) Sys.SOCKET.invokeExact(cap0, Sys.AF_INET, Sys.SOCK_RAW | Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC,
                    VrrpPacket.IPPROTO_VRRP);
            if (fd < 0) {
                int e = Sys.errno(cap0);
                throw Sys.failure("VRRP raw socket", e, e == Sys.EPERM || e == Sys.EACCES ? NEEDS_CAP_NET_RAW : null);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        NetInterface iface = null;
        VrrpSocket s = null;
        try {
            iface = NetInterface.open(ifname);
            s = new VrrpSocket(ifname, iface);
            s.fd = fd;
            s.setUp();
            return s;
        } catch (RuntimeException | Error e) {
            if (s != null) {
                s.close();
            } else {
                Sys.closeQuietly(fd);
                if (iface != null) {
                    iface.close();
                }
            }
            throw e;
        }
    }

    private void setUp() {
        byte[] n = ifname.getBytes(StandardCharsets.UTF_8);
        MemorySegment dev = arena.allocate(Sys.IFNAMSIZ);
        MemorySegment.copy(n, 0, dev, JAVA_BYTE, 0, n.length);
        option(Sys.SOL_SOCKET, Sys.SO_BINDTODEVICE, dev, Sys.IFNAMSIZ, "SO_BINDTODEVICE " + ifname);
        intOption(Sys.SOL_IP, Sys.IP_HDRINCL, 1, "IP_HDRINCL");
        intOption(Sys.SOL_IP, Sys.IP_TTL, VrrpPacket.TTL, "IP_TTL 255");
        intOption(Sys.SOL_IP, Sys.IP_MULTICAST_TTL, VrrpPacket.TTL, "IP_MULTICAST_TTL 255");
        intOption(Sys.SOL_IP, Sys.IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP 0");
        MemorySegment mreqn = arena.allocate(12, 4);
        mreqn.set(JAVA_INT, 8, ifindex);
        option(Sys.SOL_IP, Sys.IP_MULTICAST_IF, mreqn, 12, "IP_MULTICAST_IF " + ifname);
        mreqn.set(BE32, 0, VrrpPacket.MULTICAST_GROUP);
        option(Sys.SOL_IP, Sys.IP_ADD_MEMBERSHIP, mreqn, 12, "IP_ADD_MEMBERSHIP 224.0.0.18 on " + ifname);
    }

    private void intOption(int level, int opt, int value, String what) {
        MemorySegment v = arena.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, value);
        option(level, opt, v, 4, what);
    }

    private void option(int level, int opt, MemorySegment v, int len, String what) {
        int r;
        try {
            r = (int) Sys.SETSOCKOPT.invokeExact(capture, fd, level, opt, v, len);
        } catch (Throwable t) {
            throw new IllegalStateException("setsockopt downcall", t);
        }
        if (r != 0) {
            int e = Sys.errno(capture);
            throw Sys.failure("VRRP socket " + what, e, e == Sys.EPERM ? NEEDS_CAP_NET_RAW : null);
        }
    }

    public int fd() {
        return fd;
    }

    public String interfaceName() {
        return ifname;
    }

    public int interfaceIndex() {
        return ifindex;
    }

    /** The interface this socket is bound to, for link state, MAC and primary address (same namespace). */
    public NetInterface netInterface() {
        return iface;
    }

    /**
     * Receives one packet without blocking: its length (IPv4 header included), or -1 when none is waiting. The
     * bytes are in {@link #buffer()} until the next call.
     */
    public int receive() {
        name.fill((byte) 0);
        msg.set(JAVA_INT, MSGHDR.byteOffset(groupElement("msg_namelen")), 16);
        msg.set(JAVA_INT, MSGHDR.byteOffset(groupElement("msg_flags")), 0);
        long n;
        try {
            n = (long) Sys.RECVMSG.invokeExact(capture, fd, msg, Sys.MSG_DONTWAIT);
        } catch (Throwable t) {
            throw new IllegalStateException("recvmsg downcall", t);
        }
        if (n < 0) {
            int e = Sys.errno(capture);
            if (e == Sys.EAGAIN || e == Sys.EINTR) {
                return -1;
            }
            throw Sys.failure("VRRP receive on " + ifname, e, null);
        }
        flags = msg.get(JAVA_INT, MSGHDR.byteOffset(groupElement("msg_flags")));
        length = (int) n;
        return length;
    }

    public MemorySegment buffer() {
        return rx;
    }

    public int length() {
        return length;
    }

    /** Whether the last packet was longer than the buffer. */
    public boolean truncated() {
        return (flags & Sys.MSG_TRUNC) != 0;
    }

    /** The source address recvmsg reported for the last packet. */
    public int source() {
        return name.get(BE32, 4);
    }

    /**
     * Sends a VRRP message ({@code len} bytes of {@code vrrp}) in an IPv4 packet from {@code src} to {@code dst}
     * (TTL 255, protocol 112). Returns false when the kernel had no room or the network is unreachable.
     */
    public boolean send(int src, int dst, MemorySegment vrrp, long offset, int len) {
        int hl = VrrpPacket.writeIpv4Header(tx, 0, len, (ipId = (ipId + 1) & 0xFFFF), src, dst);
        MemorySegment.copy(vrrp, offset, tx, hl, len);
        to.fill((byte) 0);
        to.set(JAVA_SHORT, 0, (short) Sys.AF_INET);
        to.set(BE32, 4, dst);
        long n;
        try {
            n = (long) Sys.SENDTO.invokeExact(capture, fd, tx, (long) (hl + len), Sys.MSG_DONTWAIT, to, 16);
        } catch (Throwable t) {
            throw new IllegalStateException("sendto downcall", t);
        }
        if (n < 0) {
            int e = Sys.errno(capture);
            if (e == Sys.EAGAIN || e == Sys.ENOBUFS || e == Sys.EINTR || e == Sys.ENETDOWN || e == Sys.ENETUNREACH) {
                return false;
            }
            throw Sys.failure("VRRP send to " + Ipv4.format(dst) + " on " + ifname, e, null);
        }
        return true;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Sys.closeQuietly(fd);
            fd = -1;
        }
        iface.close();
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
