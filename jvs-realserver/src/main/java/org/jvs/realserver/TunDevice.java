package org.jvs.realserver;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.jvs.vrrp.io.Rtnetlink;

/**
 * A TUN device ({@code IFF_TUN | IFF_NO_PI}: whole IP packets, no extra header) made by opening
 * {@code /dev/net/tun}, brought up, with the VIPs on it as /32 addresses, in the calling thread's network
 * namespace. A packet {@link #write}n to it is received by the kernel as arriving on the device. The device lives
 * as long as this object: {@link #close} removes it, and its addresses with it. Writes from several threads are
 * safe (each is one {@code write(2)}).
 */
final class TunDevice implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final String name;
    private final int fd;
    private final ThreadLocal<MemorySegment> captures;

    private TunDevice(String name, int fd) {
        this.name = name;
        this.fd = fd;
        this.captures = ThreadLocal.withInitial(() -> Sys.capture(Arena.ofAuto()));
    }

    /** Creates device {@code name} (at most 15 bytes), brings it up and adds {@code vips} (IPv4, big-endian ints). */
    static TunDevice create(String name, int[] vips) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length == 0 || n.length >= Sys.IFNAMSIZ) {
            throw new IllegalArgumentException("device name '" + name + "': 1 to 15 characters");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Sys.capture(a);
            int fd = (int) Sys.OPEN.invokeExact(cap, a.allocateFrom("/dev/net/tun"), Sys.O_RDWR | Sys.O_CLOEXEC);
            if (fd < 0) {
                int e = Sys.errno(cap);
                throw Sys.failure("opening /dev/net/tun", e, e == Sys.ENOENT
                        ? "no TUN support: load the tun module, or in a container pass --device /dev/net/tun" : "needs root or CAP_NET_ADMIN");
            }
            TunDevice dev = new TunDevice(name, fd);
            try {
                MemorySegment ifr = a.allocate(Sys.IFREQ_SIZE);
                MemorySegment.copy(n, 0, ifr, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, n.length);
                ifr.set(JAVA_SHORT, Sys.IFNAMSIZ, (short) (Sys.IFF_TUN | Sys.IFF_NO_PI));
                if ((int) Sys.IOCTL.invokeExact(cap, fd, Sys.TUNSETIFF, ifr) < 0) {
                    throw Sys.failure("creating TUN device " + name, Sys.errno(cap), "a device of that name that is not ours may exist");
                }
                dev.up(a, cap);
                // NetworkInterface lists only interfaces with an address; the new device has none yet.
                int index = (int) Sys.IF_NAMETOINDEX.invokeExact(cap, a.allocateFrom(name));
                if (index <= 0) {
                    throw Sys.failure("finding the index of " + name, Sys.errno(cap), null);
                }
                try (Rtnetlink nl = Rtnetlink.open()) {
                    for (int vip : vips) {
                        nl.addAddress(index, name, vip, 32);
                    }
                }
                return dev;
            } catch (RuntimeException | Error e) {
                dev.close();
                throw e;
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void up(Arena a, MemorySegment cap) throws Throwable {
        int s = (int) Sys.SOCKET.invokeExact(cap, Sys.AF_INET, Sys.SOCK_DGRAM | Sys.SOCK_CLOEXEC, 0);
        if (s < 0) {
            throw Sys.failure("socket for SIOCSIFFLAGS", Sys.errno(cap), null);
        }
        try {
            MemorySegment ifr = a.allocate(Sys.IFREQ_SIZE);
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(n, 0, ifr, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, n.length);
            if ((int) Sys.IOCTL.invokeExact(cap, s, Sys.SIOCGIFFLAGS, ifr) < 0) {
                throw Sys.failure("reading the flags of " + name, Sys.errno(cap), null);
            }
            ifr.set(JAVA_SHORT, Sys.IFNAMSIZ, (short) (ifr.get(JAVA_SHORT, Sys.IFNAMSIZ) | Sys.IFF_UP));
            if ((int) Sys.IOCTL.invokeExact(cap, s, Sys.SIOCSIFFLAGS, ifr) < 0) {
                throw Sys.failure("bringing " + name + " up", Sys.errno(cap), null);
            }
        } finally {
            int ignored = (int) Sys.CLOSE.invokeExact(cap, s);
        }
    }

    String name() {
        return name;
    }

    /**
     * Hands {@code length} bytes at {@code seg[offset]} (one IPv4 packet; {@code seg} native) to the kernel; false when
     * it refused.
     */
    boolean write(MemorySegment seg, long offset, int length) {
        try {
            long r = (long) Sys.WRITE.invokeExact(captures.get(), fd, seg.address() + offset, (long) length);
            return r == length;
        } catch (Throwable t) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) Sys.CLOSE.invokeExact(Sys.capture(arena), fd);
        } catch (Throwable ignored) {
            // closing is best effort; the kernel removes the device with the last descriptor
        }
        arena.close();
    }
}
