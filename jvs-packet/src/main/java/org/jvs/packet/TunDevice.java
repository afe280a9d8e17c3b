package org.jvs.packet;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * A TUN device made by opening {@code /dev/net/tun} ({@code IFF_TUN | IFF_NO_PI}: whole IP packets, no extra
 * header), brought up, in the calling thread's network namespace. A packet written to it is received by the
 * kernel as arriving on the device. With {@code vnetHeader} ({@code IFF_VNET_HDR}) every packet written is preceded
 * by a {@code virtio_net_hdr} ({@link Offload#HEADER_LENGTH} bytes), so a packet with an unfinished checksum or a TSO
 * super-frame goes in as it is and the kernel finishes or cuts it. The device lives as long as this object:
 * {@link #close} removes it, with its addresses. Writes from several threads are safe (each is one
 * {@code write(2)}); addresses are the caller's business (rtnetlink, {@code ip addr}).
 */
public final class TunDevice implements AutoCloseable {
    private static final String PATH = "/dev/net/tun";
    /** {@code <linux/if_tun.h>}: {@code _IOW('T', 202, int)}. */
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final short IFF_UP = 0x1;
    private static final int IFNAMSIZ = 16;
    private static final int IFREQ_SIZE = 40;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;

    private final String name;
    private final int fd;
    private final boolean vnetHeader;
    private final ThreadLocal<MemorySegment> captures = ThreadLocal.withInitial(() -> Libc.allocateCapture(Arena.ofAuto()));
    private volatile boolean closed;

    private TunDevice(String name, int fd, boolean vnetHeader) {
        this.name = name;
        this.fd = fd;
        this.vnetHeader = vnetHeader;
    }

    /** Creates device {@code name} (1-15 bytes) and brings it up. */
    public static TunDevice open(String name, boolean vnetHeader) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length == 0 || n.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("device name '" + name + "': 1 to 15 characters");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.allocateCapture(a);
            int fd = (int) Libc.OPEN.invokeExact(cap, a.allocateFrom(PATH), O_RDWR | O_CLOEXEC);
            if (fd < 0) {
                int e = Libc.errno(cap);
                throw Libc.failure("opening " + PATH, e, e == Libc.ENOENT
                        ? "no TUN support: load the tun module, or give a container --device /dev/net/tun" : "needs root or CAP_NET_ADMIN");
            }
            TunDevice dev = new TunDevice(name, fd, vnetHeader);
            try {
                MemorySegment ifr = ifreq(a, n);
                ifr.set(JAVA_SHORT, IFNAMSIZ, (short) (IFF_TUN | IFF_NO_PI | (vnetHeader ? IFF_VNET_HDR : 0)));
                if ((int) Libc.IOCTL.invokeExact(cap, fd, TUNSETIFF, ifr) < 0) {
                    throw Libc.failure("creating TUN device " + name, Libc.errno(cap), "is there a device of that name that is not a TUN device?");
                }
                up(a, cap, n);
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

    private static MemorySegment ifreq(Arena a, byte[] name) {
        MemorySegment ifr = a.allocate(IFREQ_SIZE);
        MemorySegment.copy(name, 0, ifr, JAVA_BYTE, 0, name.length);
        return ifr;
    }

    private static void up(Arena a, MemorySegment cap, byte[] name) throws Throwable {
        int s = (int) Libc.SOCKET.invokeExact(cap, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0) {
            throw Libc.failure("socket for SIOCSIFFLAGS", Libc.errno(cap), null);
        }
        try {
            MemorySegment ifr = ifreq(a, name);
            if ((int) Libc.IOCTL.invokeExact(cap, s, SIOCGIFFLAGS, ifr) < 0) {
                throw Libc.failure("reading the flags of " + new String(name, StandardCharsets.US_ASCII), Libc.errno(cap), null);
            }
            ifr.set(JAVA_SHORT, IFNAMSIZ, (short) (ifr.get(JAVA_SHORT, IFNAMSIZ) | IFF_UP));
            if ((int) Libc.IOCTL.invokeExact(cap, s, SIOCSIFFLAGS, ifr) < 0) {
                throw Libc.failure("bringing " + new String(name, StandardCharsets.US_ASCII) + " up", Libc.errno(cap), null);
            }
        } finally {
            int ignored = (int) Libc.CLOSE.invokeExact(cap, s);
        }
    }

    public String name() {
        return name;
    }

    /** Whether each packet written must be preceded by a virtio header ({@link #write(MemorySegment, long, int, long)}). */
    public boolean vnetHeader() {
        return vnetHeader;
    }

    /**
     * Hands the IPv4 packet of {@code length} bytes at {@code seg[offset]} ({@code seg} native) to the kernel; false
     * when it refused it. Without a virtio header only.
     */
    public boolean write(MemorySegment seg, long offset, int length) {
        return writeRaw(seg.address() + offset, length);
    }

    /**
     * With a virtio header: writes {@code meta} ({@link Offload}, its checksum start counted from the packet's first
     * byte) into the {@link Offload#HEADER_LENGTH} bytes before {@code seg[offset]}, which the caller gives up, and
     * hands header and packet to the kernel in one write; false when it refused them.
     */
    public boolean write(MemorySegment seg, long offset, int length, long meta) {
        long at = offset - Offload.HEADER_LENGTH;
        Offload.write(meta, seg, at);
        return writeRaw(seg.address() + at, length + Offload.HEADER_LENGTH);
    }

    private boolean writeRaw(long address, int length) {
        if (closed) {
            return false;
        }
        try {
            long r = (long) Libc.WRITE_AT.invokeExact(captures.get(), fd, address, (long) length);
            return r == length;
        } catch (Throwable t) {
            return false;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) Libc.CLOSE.invokeExact(Libc.allocateCapture(a), fd);
        } catch (Throwable ignored) {
            // best effort: the kernel removes the device with its last descriptor
        }
    }
}
