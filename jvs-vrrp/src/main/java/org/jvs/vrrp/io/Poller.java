package org.jvs.vrrp.io;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * {@code poll(2)} over a set of file descriptors plus an {@code eventfd} that other threads {@link #wakeUp()}.
 * {@link #await} runs on one thread; {@link #wakeUp} on any.
 */
public final class Poller implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment capture = Sys.allocateCapture(arena);
    private final MemorySegment wakeCapture = Sys.allocateCapture(arena);
    private final MemorySegment one = arena.allocate(8, 8);
    private final MemorySegment drain = arena.allocate(8, 8);
    private final int eventFd;
    private MemorySegment fds = arena.allocate(8 * 64, 8);
    private int count;

    public Poller() {
        try {
            eventFd = (int) Sys.EVENTFD.invokeExact(capture, 0, Sys.EFD_NONBLOCK | Sys.EFD_CLOEXEC);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (eventFd < 0) {
            throw Sys.failure("eventfd", Sys.errno(capture), null);
        }
        one.set(JAVA_LONG, 0, 1L);
    }

    /** The descriptors to watch besides the wake-up one (at most 63). */
    public void watch(int[] descriptors) {
        if (descriptors.length > 63) {
            throw new IllegalArgumentException("at most 63 sockets");
        }
        count = descriptors.length + 1;
        fds.fill((byte) 0);
        fds.set(JAVA_INT, 0, eventFd);
        fds.set(JAVA_SHORT, 4, Sys.POLLIN);
        for (int i = 0; i < descriptors.length; i++) {
            fds.set(JAVA_INT, 8L * (i + 1), descriptors[i]);
            fds.set(JAVA_SHORT, 8L * (i + 1) + 4, Sys.POLLIN);
        }
    }

    /** Waits up to {@code timeoutMillis} (-1: no limit) for input or a wake-up; drains the wake-up. */
    public void await(int timeoutMillis) {
        for (int i = 0; i < count; i++) {
            fds.set(JAVA_SHORT, 8L * i + 6, (short) 0);
        }
        try {
            int r = (int) Sys.POLL.invokeExact(capture, fds, (long) count, timeoutMillis);
            if (r < 0 && Sys.errno(capture) != Sys.EINTR) {
                throw Sys.failure("poll", Sys.errno(capture), null);
            }
            if ((fds.get(JAVA_SHORT, 6) & Sys.POLLIN) != 0) {
                long n = (long) Sys.READ.invokeExact(capture, eventFd, drain, 8L);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Wakes {@link #await} from any thread. */
    public void wakeUp() {
        try {
            long n = (long) Sys.WRITE.invokeExact(wakeCapture, eventFd, one, 8L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        Sys.closeQuietly(eventFd);
        arena.close();
    }
}
