package org.jvs.packet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jvs.testkit.netns.Netns;

/**
 * Two network namespaces of its own, {@code jvs-XXXXXX-a} and {@code -b}, joined by a veth pair
 * {@code jvsXXXXXXa} / {@code jvsXXXXXXb} created directly inside them (the host's namespace never sees an
 * interface), both ends up, no addresses, IPv6 off (so no router solicitations or DAD probes cross the
 * wire). {@link #close()} deletes everything it created and tolerates half-made state, so tests call it in
 * {@code finally}/{@code @AfterEach} whatever happened.
 *
 * <p>A Java thread cannot be moved between namespaces safely, but a socket belongs to the namespace of the
 * thread that created it and stays there. {@link #inNamespace} therefore runs the code (typically
 * {@link AfPacketIo#open}) on a throwaway thread moved into the namespace with {@code setns(2)} (the test
 * kit's {@link Netns}); the socket it returns is then used from any thread.
 * Needs root (CAP_SYS_ADMIN for setns, CAP_NET_ADMIN for ip, CAP_NET_RAW for the sockets).
 */
public final class NetnsPair implements AutoCloseable {
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
        return Netns.call(ns, Duration.ofSeconds(30), body);
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
