package org.jvs.vrrp.io;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A network interface looked up by name through {@code ioctl}s on a datagram socket of its own (no capability
 * needed): index, MAC address, primary IPv4 address, and link state ({@code IFF_UP} and {@code IFF_RUNNING}:
 * administratively up with carrier, what {@code operstate} "up" means). The socket, and so every answer,
 * belongs to the network namespace of the thread that called {@link #open}, whatever thread asks later: unlike
 * {@code /sys/class/net}, which shows the namespace {@code /sys} was mounted in. One thread at a time.
 */
public final class NetInterface implements AutoCloseable {
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final String name;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment capture = Sys.allocateCapture(arena);
    private final MemorySegment ifreq = arena.allocate(Sys.IFREQ_SIZE, 8);
    private int fd = -1;

    private NetInterface(String name) {
        this.name = name;
    }

    /** Opens the lookup socket in the calling thread's network namespace; fails if there is no such interface. */
    public static NetInterface open(String name) {
        checkName(name);
        NetInterface n = new NetInterface(name);
        try {
            int fd = (int) Sys.SOCKET.invokeExact(n.capture, Sys.AF_INET, Sys.SOCK_DGRAM | Sys.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw Sys.failure("interface lookup socket", Sys.errno(n.capture), null);
            }
            n.fd = fd;
            n.index();
            return n;
        } catch (RuntimeException | Error e) {
            n.close();
            throw e;
        } catch (Throwable t) {
            n.close();
            throw new IllegalStateException(t);
        }
    }

    static void checkName(String name) {
        if (name == null || name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length >= Sys.IFNAMSIZ
                || name.indexOf('/') >= 0 || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("bad network interface name '" + name
                    + "': 1 to 15 bytes, no '/' and no white space");
        }
    }

    public String name() {
        return name;
    }

    private void request(long op, String what) {
        ifreq.fill((byte) 0);
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(b, 0, ifreq, JAVA_BYTE, 0, b.length);
        int r;
        try {
            r = (int) Sys.IOCTL.invokeExact(capture, fd, op, ifreq);
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl downcall", t);
        }
        if (r < 0) {
            int e = Sys.errno(capture);
            throw Sys.failure("interface " + name + ": " + what, e, e == Sys.ENODEV
                    ? "no network interface of that name in this network namespace (see ip link)"
                    : e == Sys.EADDRNOTAVAIL ? "it has no IPv4 address" : null);
        }
    }

    /** Interface index. */
    public int index() {
        request(Sys.SIOCGIFINDEX, "index");
        return ifreq.get(ValueLayout.JAVA_INT, 16);
    }

    /** The MAC address as 48 bits (aa:bb:cc:dd:ee:ff = 0xaabbccddeeff). */
    public long mac() {
        request(Sys.SIOCGIFHWADDR, "hardware address");
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = (m << 8) | Byte.toUnsignedLong(ifreq.get(JAVA_BYTE, 18 + i));
        }
        return m;
    }

    /** The primary IPv4 address (the first one on the interface), or 0 if it has none. */
    public int primaryAddress() {
        try {
            request(Sys.SIOCGIFADDR, "IPv4 address");
        } catch (VrrpIoException e) {
            if (e.errno() == Sys.EADDRNOTAVAIL) {
                return 0;
            }
            throw e;
        }
        return ifreq.get(BE32, 20);
    }

    /** Up and running (carrier): false also when the interface has gone. */
    public boolean linkUp() {
        try {
            request(Sys.SIOCGIFFLAGS, "flags");
        } catch (VrrpIoException e) {
            if (e.errno() == Sys.ENODEV) {
                return false;
            }
            throw e;
        }
        int flags = Short.toUnsignedInt(ifreq.get(JAVA_SHORT, 16));
        return (flags & Sys.IFF_UP) != 0 && (flags & Sys.IFF_RUNNING) != 0;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Sys.closeQuietly(fd);
            fd = -1;
        }
        arena.close();
    }

    public static String formatMac(long mac) {
        StringBuilder sb = new StringBuilder();
        for (int i = 5; i >= 0; i--) {
            sb.append(String.format("%02x", (mac >>> (8 * i)) & 0xFF));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
