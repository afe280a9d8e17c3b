package org.jvs.testkit.netns;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs Java code inside a named network namespace ({@code /run/netns/NAME}, as {@code ip netns add} makes
 * them). A JVM thread cannot be moved between namespaces safely (the JVM's own threads and any pooled
 * thread would be left behind or confused), but a socket belongs to the namespace of the thread that
 * created it and stays there. So {@link #call} starts a fresh platform thread, moves that thread alone with
 * {@code setns(2)}, runs the code (typically: open a socket) and lets the thread die; the socket it
 * returns is then used from any thread. Needs CAP_SYS_ADMIN.
 */
public final class Netns {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(
            LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.captureCallState("errno"),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SETNS = LINKER.downcallHandle(
            LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Netns() {
    }

    /** Runs {@code body} on a new thread that has entered namespace {@code ns}, waiting at most {@code timeout}. */
    public static <T> T call(String ns, Duration timeout, Callable<T> body) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + ns).unstarted(() -> {
            try {
                enter(ns);
                result.set(body.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        try {
            t.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running code in namespace " + ns, e);
        }
        if (t.isAlive()) {
            throw new IllegalStateException("code in namespace " + ns + " did not finish within " + timeout);
        }
        return switch (failure.get()) {
            case null -> result.get();
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            case Throwable e -> throw new IllegalStateException("in namespace " + ns + ": " + e, e);
        };
    }

    private static void enter(String ns) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Linker.Option.captureStateLayout());
            int fd = (int) OPEN.invokeExact(capture, arena.allocateFrom("/run/netns/" + ns), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("open /run/netns/" + ns + ": " + strerror(capture));
            }
            try {
                if ((int) SETNS.invokeExact(capture, fd, CLONE_NEWNET) != 0) {
                    throw new IllegalStateException("setns into " + ns + ": " + strerror(capture)
                            + " (needs root: CAP_SYS_ADMIN)");
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        }
    }

    private static String strerror(MemorySegment capture) throws Throwable {
        long errnoOffset = Linker.Option.captureStateLayout()
                .byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
        int errno = capture.get(ValueLayout.JAVA_INT, errnoOffset);
        MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
        return s.reinterpret(256).getString(0) + " (errno " + errno + ")";
    }
}
