package org.jvs.vrrp.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.jvs.testkit.netns.Host;
import org.jvs.testkit.netns.Lab;
import org.jvs.testkit.netns.LabProcess;
import org.jvs.vrrp.TransitionListener;
import org.jvs.vrrp.VrrpConfig;
import org.jvs.vrrp.VrrpDaemon;
import org.jvs.vrrp.VrrpState;

/**
 * Three namespaces on one bridge (the testkit's DR lab with one real server): {@code director} (192.0.2.2) runs a
 * JVS {@link VrrpDaemon}, {@code rs1} (192.0.2.11) runs keepalived or a second daemon, {@code client}
 * (192.0.2.1) watches. The lab turns transmit checksum offload off; VRRP tests put the veth default back on.
 */
final class VrrpLab implements AutoCloseable {
    static final String VIP = "192.0.2.100";
    final Lab lab;
    private final List<VrrpDaemon> daemons = new ArrayList<>();
    private final List<LabProcess> keepaliveds = new ArrayList<>();
    private int keepalivedRuns;

    VrrpLab() {
        lab = Lab.dr(1);
        try {
            for (Host h : List.of(lab.client(), lab.director(), lab.realServer(1))) {
                h.exec("ethtool", "-K", "eth0", "tx", "on");
            }
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    Host jvs() {
        return lab.director();
    }

    Host peer() {
        return lab.realServer(1);
    }

    Host client() {
        return lab.client();
    }

    /** Starts a daemon inside {@code host}'s namespace; records its transitions into {@code log}. */
    VrrpDaemon startDaemon(Host host, VrrpConfig config, List<TransitionListener.Transition> log) {
        VrrpDaemon d = new VrrpDaemon(config);
        if (log != null) {
            d.addTransitionListener(log::add);
        }
        daemons.add(d);
        host.call(() -> {
            d.start();
            return null;
        });
        return d;
    }

    static List<TransitionListener.Transition> transitions() {
        return new CopyOnWriteArrayList<>();
    }

    /** Writes a keepalived configuration and starts keepalived (VRRP only) in {@code peer()}, own pid files. */
    LabProcess startKeepalived(String instanceBody) throws IOException {
        int run = ++keepalivedRuns;
        Path dir = lab.workDir().resolve("keepalived-" + run);
        Files.createDirectories(dir);
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, """
                global_defs {
                    router_id ka%d
                    enable_script_security
                    script_user root
                }
                vrrp_instance VI_1 {
                %s
                }
                """.formatted(run, instanceBody));
        LabProcess p = lab.start(peer(), "keepalived-" + run, "keepalived", "--dont-fork", "--log-console",
                "--log-detail", "--no-syslog", "--vrrp", "--dont-respawn", "-f", conf.toString(),
                "-p", dir.resolve("keepalived.pid").toString(), "-r", dir.resolve("vrrp.pid").toString());
        keepaliveds.add(p);
        p.awaitOutput("Entering", Duration.ofSeconds(15));
        return p;
    }

    /** SIGKILL keepalived's VRRP child and then its parent: no priority-0 advert, addresses left behind. */
    void killKeepalived(LabProcess p) throws Exception {
        Path dir = lab.workDir().resolve(p.name());
        String child = Files.readString(dir.resolve("vrrp.pid")).strip();
        ProcessHandle.of(Long.parseLong(child)).ifPresent(ProcessHandle::destroyForcibly);
        ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
        p.waitFor(Duration.ofSeconds(5));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ProcessHandle.of(Long.parseLong(child)).map(ProcessHandle::isAlive).orElse(false)
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    static boolean hasAddress(Host h, String address) {
        return h.exec("ip", "-4", "-o", "addr", "show", "dev", "eth0").stdout().contains(" " + address + "/");
    }

    /**
     * Whether a TCP connection from {@code from} to {@code address} port 9 is answered (refused: a host holds
     * the address) rather than timing out. There is no ping in the lab; curl's exit 7 is "connection refused".
     */
    static boolean answers(Host from, String address) {
        int code = from.run(Duration.ofSeconds(10), "curl", "-s", "-m", "3", "http://" + address + ":9/").exitCode();
        return code == 7;
    }

    /** Polls {@code cond} every 20 ms; returns the milliseconds it took, or throws with {@code what}. */
    static long await(String what, Duration timeout, BooleanSupplier cond) throws InterruptedException {
        long t0 = System.nanoTime();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() - t0 > timeout.toNanos()) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(20);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static boolean isState(VrrpDaemon d, VrrpState s) {
        return d.status().getFirst().state() == s;
    }

    /** Drops VRRP (protocol 112) in and out of {@code h}: both sides stop hearing each other, links stay up. */
    static void blockVrrp(Host h) {
        h.nft("""
                table ip vrrpblock {
                    chain in { type filter hook input priority -300; ip protocol vrrp drop; }
                    chain out { type filter hook output priority -300; ip protocol vrrp drop; }
                }
                """);
    }

    static void unblockVrrp(Host h) {
        h.exec("nft", "delete", "table", "ip", "vrrpblock");
    }

    @Override
    public void close() {
        for (VrrpDaemon d : daemons) {
            try {
                d.close();
            } catch (RuntimeException e) {
                System.err.println("closing VRRP daemon: " + e);
            }
        }
        for (LabProcess p : keepaliveds) {
            try {
                killKeepalived(p);
            } catch (Exception e) {
                System.err.println("killing keepalived: " + e);
            }
        }
        lab.close();
    }
}
