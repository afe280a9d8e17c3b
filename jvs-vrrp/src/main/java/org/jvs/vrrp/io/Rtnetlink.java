package org.jvs.vrrp.io;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.jvs.vrrp.Ipv4;

/**
 * Adds and removes IPv4 addresses on interfaces through rtnetlink ({@code RTM_NEWADDR}/{@code RTM_DELADDR} with
 * {@code NLM_F_ACK}), as keepalived does, over an {@code AF_NETLINK}/{@code NETLINK_ROUTE} socket opened in the
 * calling thread's network namespace. Every request waits for the kernel's acknowledgement; an error comes back
 * as a {@link VrrpIoException} naming the address, the interface and the errno. Adding an address that is
 * already there and removing one that is not are not errors (the return value tells). One thread at a time.
 */
public final class Rtnetlink implements AutoCloseable {
    private static final int NETLINK_ROUTE = 0;
    private static final int RTM_NEWADDR = 20;
    private static final int RTM_DELADDR = 21;
    private static final int NLMSG_ERROR = 2;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_ACK = 0x4;
    private static final int NLM_F_EXCL = 0x200;
    private static final int NLM_F_CREATE = 0x400;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int IFA_BROADCAST = 4;
    private static final int RT_SCOPE_UNIVERSE = 0;
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Arena arena = Arena.ofShared();
    private final MemorySegment capture = Sys.allocateCapture(arena);
    private final MemorySegment req = arena.allocate(128, 8);
    private final MemorySegment resp = arena.allocate(8192, 8);
    private int fd = -1;
    private int seq = (int) (System.nanoTime() & 0x7FFFFFFF);

    private Rtnetlink() {
    }

    public static Rtnetlink open() {
        Rtnetlink n = new Rtnetlink();
        try {
            int fd = (int) Sys.SOCKET.invokeExact(n.capture, Sys.AF_NETLINK, Sys.SOCK_RAW | Sys.SOCK_CLOEXEC, NETLINK_ROUTE);
            if (fd < 0) {
                throw Sys.failure("rtnetlink socket", Sys.errno(n.capture), null);
            }
            n.fd = fd;
            MemorySegment sa = n.arena.allocate(12, 4);
            sa.set(JAVA_SHORT, 0, (short) Sys.AF_NETLINK);
            int r = (int) Sys.BIND.invokeExact(n.capture, fd, sa, 12);
            if (r != 0) {
                throw Sys.failure("rtnetlink bind", Sys.errno(n.capture), null);
            }
            return n;
        } catch (RuntimeException | Error e) {
            n.close();
            throw e;
        } catch (Throwable t) {
            n.close();
            throw new IllegalStateException(t);
        }
    }

    /** Adds {@code address/prefix} to the interface; false if it was already there. */
    public boolean addAddress(int ifindex, String ifname, int address, int prefix) {
        int e = request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, address, prefix);
        if (e == Sys.EEXIST) {
            return false;
        }
        if (e != 0) {
            throw Sys.failure("adding " + Ipv4.format(address) + "/" + prefix + " to " + ifname, e,
                    e == Sys.EPERM ? "needs CAP_NET_ADMIN; run as root or grant the capability" : null);
        }
        return true;
    }

    /** Removes {@code address/prefix} from the interface; false if it was not there. */
    public boolean deleteAddress(int ifindex, String ifname, int address, int prefix) {
        int e = request(RTM_DELADDR, 0, ifindex, address, prefix);
        if (e == Sys.EADDRNOTAVAIL || e == Sys.ESRCH || e == Sys.ENODEV) {
            return false;
        }
        if (e != 0) {
            throw Sys.failure("removing " + Ipv4.format(address) + "/" + prefix + " from " + ifname, e,
                    e == Sys.EPERM ? "needs CAP_NET_ADMIN; run as root or grant the capability" : null);
        }
        return true;
    }

    /** Sends the request and returns the errno of the kernel's acknowledgement (0 = done). */
    private int request(int type, int extraFlags, int ifindex, int address, int prefix) {
        int mySeq = ++seq;
        req.fill((byte) 0);
        int len = 16 + 8; // nlmsghdr + ifaddrmsg
        req.set(JAVA_SHORT, 4, (short) type);
        req.set(JAVA_SHORT, 6, (short) (NLM_F_REQUEST | NLM_F_ACK | extraFlags));
        req.set(JAVA_INT, 8, mySeq);
        req.set(JAVA_BYTE, 16, (byte) Sys.AF_INET);     // ifa_family
        req.set(JAVA_BYTE, 17, (byte) prefix);          // ifa_prefixlen
        req.set(JAVA_BYTE, 18, (byte) 0);               // ifa_flags
        req.set(JAVA_BYTE, 19, (byte) RT_SCOPE_UNIVERSE);
        req.set(JAVA_INT, 20, ifindex);
        len = attr(len, IFA_LOCAL, address);
        len = attr(len, IFA_ADDRESS, address);
        if (type == RTM_NEWADDR && prefix < 31) {
            int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            len = attr(len, IFA_BROADCAST, address | ~mask);
        }
        req.set(JAVA_INT, 0, len);
        try {
            long n = (long) Sys.SENDTO.invokeExact(capture, fd, req, (long) len, 0, MemorySegment.NULL, 0);
            if (n < 0) {
                throw Sys.failure("rtnetlink send", Sys.errno(capture), null);
            }
            while (true) {
                long got = (long) Sys.RECV.invokeExact(capture, fd, resp, resp.byteSize(), 0);
                if (got < 0) {
                    int e = Sys.errno(capture);
                    if (e == Sys.EINTR) {
                        continue;
                    }
                    throw Sys.failure("rtnetlink receive", e, null);
                }
                int at = 0;
                while (at + 16 <= got) {
                    int mlen = resp.get(JAVA_INT, at);
                    int mtype = Short.toUnsignedInt(resp.get(JAVA_SHORT, at + 4));
                    int mseq = resp.get(JAVA_INT, at + 8);
                    if (mlen < 16) {
                        break;
                    }
                    if (mseq == mySeq && mtype == NLMSG_ERROR) {
                        return -resp.get(JAVA_INT, at + 16);
                    }
                    at += (mlen + 3) & ~3;
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("rtnetlink downcall", t);
        }
    }

    private int attr(int at, int type, int address) {
        req.set(JAVA_SHORT, at, (short) 8);
        req.set(JAVA_SHORT, at + 2, (short) type);
        req.set(BE32, at + 4, address);
        return at + 8;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Sys.closeQuietly(fd);
            fd = -1;
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
