package org.jvs.packet;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Two network namespaces of its own, {@code jvs-XXXXXX-a} and {@code -b}, joined by a veth pair
 * {@code jvsXXXXXXa} / {@code jvsXXXXXXb} created directly inside them (the host's namespace never sees an
 * interface), both ends up, no addresses, IPv6 off (so no router solicitations or DAD probes cross the
 * wire). {@link #close()} deletes everything it created and tolerates half-made state, so tests call it in
 * {@code finally}/{@code @AfterEach} whatever happened.
 *
 * <p>A Java thread cannot be moved between namespaces safely, but a socket belongs to the namespace of the
 * thread that created it and stays there. {@link #inNamespace} therefore starts a fresh platform thread,
 * moves that thread alone into the namespace with {@code setns(2)}, runs the code (typically
 * {@link AfPacketIo#open}) and lets the thread end; the socket it returns is then used from any thread.
 * Needs root (CAP_SYS_ADMIN for setns, CAP_NET_ADMIN for ip, CAP_NET_RAW for the sockets).
 */
public final class NetnsPair implements AutoCloseable {
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

    final String nsA;
    final String nsB;
    final String ifA;
    final String ifB;
    private final List<String> created = new ArrayList<>();

    private NetnsPair(String suffix) {
        nsA = "jvs-" + suffix + "-a";
        nsB = "jvs-" + suffix + "-b";
        ifA = "jvs" + suffix + "a";
        ifB = "jvs" + suffix + "b";
    }

    static NetnsPair create() {
        String suffix = String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
        NetnsPair p = new NetnsPair(suffix);
        try {
            for (String ns : List.of(p.nsA, p.nsB)) {
                ip("netns", "add", ns);
                p.created.add(ns);
                ip("netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                        "net.ipv6.conf.default.disable_ipv6=1");
            }
            ip("link", "add", p.ifA, "netns", p.nsA, "type", "veth", "peer", "name", p.ifB, "netns", p.nsB);
            ip("-n", p.nsA, "link", "set", p.ifA, "up");
            ip("-n", p.nsB, "link", "set", p.ifB, "up");
            return p;
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
    }

    /** Runs {@code body} on a new thread that has entered namespace {@code ns}; the thread ends afterwards. */
    public static <T> T inNamespace(String ns, Callable<T> body) {
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
            t.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (t.isAlive()) {
            throw new IllegalStateException("code in namespace " + ns + " did not finish in 30 s");
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error r) {
            throw r;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
        return result.get();
    }

    private static void enter(String ns) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Linker.Option.captureStateLayout());
            int fd = (int) OPEN.invokeExact(capture, arena.allocateFrom("/run/netns/" + ns), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("open /run/netns/" + ns + ": " + Libc.strerror(Libc.errno(capture)));
            }
            try {
                int r = (int) SETNS.invokeExact(capture, fd, CLONE_NEWNET);
                if (r != 0) {
                    throw new IllegalStateException("setns " + ns + ": " + Libc.strerror(Libc.errno(capture)));
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        }
    }

    /** Runs {@code ip args...}, at most 20 s; throws with its output when it fails. */
    public static String ip(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + ": no answer in 20 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The MAC address of {@code ifname} in {@code ns}, as the low 48 bits of a long. */
    public static long mac(String ns, String ifname) {
        String out = ip("-n", ns, "-o", "link", "show", ifname);
        int i = out.indexOf("link/ether ");
        return Long.parseLong(out.substring(i + 11, i + 28).replace(":", ""), 16);
    }

    /** Deletes the veth pair and both namespaces; never throws, safe to call twice. */
    @Override
    public void close() {
        if (created.contains(nsA)) {
            try {
                ip("-n", nsA, "link", "del", ifA); // removes both ends
            } catch (RuntimeException ignored) {
                // never made, or already gone with a namespace
            }
        }
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                ip("netns", "del", created.get(i));
            } catch (RuntimeException e) {
                System.err.println("NetnsPair cleanup: " + e.getMessage());
            }
        }
        created.clear();
    }
}
