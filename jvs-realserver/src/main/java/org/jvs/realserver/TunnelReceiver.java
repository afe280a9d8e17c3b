package org.jvs.realserver;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jvs.core.model.TunnelType;
import org.jvs.packet.IpProtocol;
import org.jvs.packet.TunDevice;

/**
 * One tunnel type's receiving socket and its loop: a raw IPv4 socket of protocol 4 (IPIP) or 47 (GRE), which the
 * kernel hands every such packet to this host with its outer header (and, having no module for the protocol,
 * answers none of them with "protocol unreachable" while the socket is open), or a UDP socket on the GUE port.
 * Each packet is stripped by the {@link Decapsulator} and written into the {@link TunDevice}. The socket waits at
 * most half a second per receive, so {@link #stop} ends the loop promptly. Nothing allocated per packet.
 */
final class TunnelReceiver implements Runnable {
    private static final int BUFFER = 65536;
    private static final ValueLayout.OfInt BE32 = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);

    private final TunnelType type;
    private final int port;
    private final Decapsulator decap;
    private final TunDevice tun;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment capture = Sys.capture(arena);
    private final MemorySegment buffer = arena.allocate(BUFFER, 64);
    private final MemorySegment from = arena.allocate(16, 4);
    private final MemorySegment fromLength = arena.allocate(4, 4);
    private final int fd;
    private volatile boolean running = true;
    private volatile long delivered;
    private volatile long refused;

    /** Opens the socket (in the calling thread's network namespace); {@code port} for GUE only. */
    TunnelReceiver(TunnelType type, int port, Decapsulator decap, TunDevice tun) {
        this.type = type;
        this.port = port;
        this.decap = decap;
        this.tun = tun;
        try {
            this.fd = open();
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private int open() {
        try {
            int fd = type == TunnelType.GUE
                    ? (int) Sys.SOCKET.invokeExact(capture, Sys.AF_INET, Sys.SOCK_DGRAM | Sys.SOCK_CLOEXEC, 0)
                    : (int) Sys.SOCKET.invokeExact(capture, Sys.AF_INET, Sys.SOCK_RAW | Sys.SOCK_CLOEXEC,
                            type == TunnelType.IPIP ? IpProtocol.IPIP : IpProtocol.GRE);
            if (fd < 0) {
                int e = Sys.errno(capture);
                throw Sys.failure("opening the " + describe() + " socket", e, e == Sys.EPERM ? "needs root or CAP_NET_RAW" : null);
            }
            MemorySegment tv = arena.allocate(16, 8);
            tv.set(JAVA_LONG, 0, 0);
            tv.set(JAVA_LONG, 8, 500_000);
            int ignored = (int) Sys.SETSOCKOPT.invokeExact(capture, fd, Sys.SOL_SOCKET, Sys.SO_RCVTIMEO, tv, 16);
            MemorySegment size = arena.allocate(4, 4);
            size.set(JAVA_INT, 0, 4 << 20);
            ignored = (int) Sys.SETSOCKOPT.invokeExact(capture, fd, Sys.SOL_SOCKET, Sys.SO_RCVBUF, size, 4);
            if (type == TunnelType.GUE) {
                MemorySegment sa = arena.allocate(16, 4);
                sa.set(JAVA_SHORT, 0, (short) Sys.AF_INET);
                sa.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) port);
                if ((int) Sys.BIND.invokeExact(capture, fd, sa, 16) != 0) {
                    int e = Sys.errno(capture);
                    int c = (int) Sys.CLOSE.invokeExact(capture, fd);
                    throw Sys.failure("binding udp/" + port + " for GUE", e, "is another program (the kernel's fou?) on it");
                }
            }
            return fd;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code ipip (raw socket, protocol 4)}, {@code gue (udp/6080)}, ... */
    String describe() {
        return switch (type) {
            case IPIP -> "ipip (raw socket, protocol 4)";
            case GRE -> "gre (raw socket, protocol 47)";
            case GUE -> "gue (udp/" + port + ")";
        };
    }

    @Override
    public void run() {
        try {
            while (running) {
                long n;
                int source = 0;
                if (type == TunnelType.GUE) {
                    fromLength.set(JAVA_INT, 0, 16);
                    n = (long) Sys.RECVFROM.invokeExact(capture, fd, buffer, (long) BUFFER, 0, from, fromLength);
                    source = from.get(BE32, 4);
                } else {
                    n = (long) Sys.RECV.invokeExact(capture, fd, buffer, (long) BUFFER, 0);
                }
                if (n < 0) {
                    int e = Sys.errno(capture);
                    if (e == Sys.EAGAIN || e == Sys.EINTR) {
                        continue;
                    }
                    throw Sys.failure("receiving on the " + describe() + " socket", e, null);
                }
                if (decap.decapsulate(buffer, (int) n, source) == Decapsulator.Outcome.DELIVER
                        && tun.write(buffer, decap.innerOffset(), decap.innerLength())) {
                    delivered++;
                } else {
                    refused++;
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    Decapsulator decapsulator() {
        return decap;
    }

    long delivered() {
        return delivered;
    }

    long refused() {
        return refused;
    }

    /** Ends the loop (within half a second) and closes the socket once it has. */
    void stop() {
        running = false;
    }

    void close() {
        try {
            int ignored = (int) Sys.CLOSE.invokeExact(capture, fd);
        } catch (Throwable ignored) {
            // best effort at exit
        }
    }
}
