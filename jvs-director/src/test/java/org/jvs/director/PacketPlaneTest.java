package org.jvs.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packet plane as an administrator starts it: {@code ip netns exec <ns> java ... DirectorMain --config X}
 * (as root; CI runs as root). In a namespace of its own the director starts the engine on a veth, installs its
 * nftables table, follows a service added through jvsadm, and removes the table when SIGTERM stops it. Without
 * CAP_NET_RAW ({@code setpriv --bounding-set -net_raw}) it refuses to start and says why.
 */
@Timeout(120)
class PacketPlaneTest {
    @TempDir
    Path dir;
    private final String suffix = String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    private final String director = "jvs-" + suffix + "-d";
    private final String peer = "jvs-" + suffix + "-p";
    private final String ifname = "jv" + suffix + "d";
    private final String table = "jvs_t" + suffix;
    private final List<String> namespaces = new ArrayList<>();
    private Process process;

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        for (String ns : namespaces) {
            try {
                run("ip", "netns", "del", ns);
            } catch (IllegalStateException e) {
                System.err.println("PacketPlaneTest cleanup: " + e.getMessage());
            }
        }
    }

    private Path config(String ifname, String table) throws IOException {
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, """
                services:
                  - address: 10.3.0.100
                    port: 80
                    engine: packet
                    real_servers:
                      - {address: 10.3.0.2, port: 8080, method: nat}
                packet:
                  interfaces:
                    - {name: %s, role: both}
                  nft_table: %s
                """.formatted(ifname, table));
        return cfg;
    }

    private List<String> java(Path cfg) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "--enable-native-access=ALL-UNNAMED",
                "org.jvs.director.DirectorMain", "--config", cfg.toString(), "--socket", dir.resolve("jvs.sock").toString());
    }

    @Test
    void aDirectorInANamespaceRunsTheEngineFollowsChangesAndCleansUp() throws Exception {
        for (String ns : List.of(director, peer)) {
            run("ip", "netns", "add", ns);
            namespaces.add(ns);
        }
        run("ip", "link", "add", ifname, "netns", director, "type", "veth", "peer", "name", "jv" + suffix + "p", "netns", peer);
        run("ip", "-n", director, "addr", "add", "10.3.0.1/24", "dev", ifname);
        run("ip", "-n", director, "link", "set", ifname, "up");
        run("ip", "-n", peer, "link", "set", "jv" + suffix + "p", "up");

        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", director));
        cmd.addAll(java(config(ifname, table)));
        Path log = dir.resolve("director.log");
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();

        String rules = waitForTable(20);
        assertThat(rules).as(Files.readString(log)).contains("ip daddr 10.3.0.100 tcp dport 80 counter");
        assertThat(rules).contains("ip saddr 10.3.0.2 ip daddr != 10.3.0.1 tcp sport 8080 counter");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // The control API opens after the planes. Its socket file appears at bind(), a moment before listen():
        // wait until it answers, not until the file is there (a connect in between is refused).
        while (!answers(dir.resolve("jvs.sock")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(answers(dir.resolve("jvs.sock"))).as("control API answers; log:\n" + Files.readString(log)).isTrue();

        assertThat(jvsadm("-A", "-t", "10.3.0.101:80", "-s", "rr", "--engine", "packet")).isEmpty();
        assertThat(nft()).as("after jvsadm -A").contains("ip daddr 10.3.0.101 tcp dport 80 counter");
        assertThat(jvsadm("-L", "-n")).contains("10.3.0.100:80").contains("10.3.0.101:80");

        process.destroy(); // SIGTERM: the director stops its planes
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("director exits").isTrue();
        assertThat(nft()).as("table after stop; log:\n" + Files.readString(log)).isNull();
        assertThat(Files.readString(log)).contains("packet engine: 1 workers on [" + ifname + " (both");
    }

    @Test
    void withoutCapNetRawTheDirectorRefusesToStartAndSaysWhy() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set", "-net_raw"));
        cmd.addAll(java(config("lo", table)));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isEqualTo(2);
        assertThat(out).contains("jvs director: cannot start: AF_PACKET socket: Operation not permitted (EPERM): "
                + "JVS's packet engine needs CAP_NET_RAW; run as root or grant the capability");
    }

    private static boolean answers(Path socket) {
        try {
            return new org.jvs.director.api.ControlClient(socket).call("GET", "/v1/status", null).status() == 200;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private String jvsadm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = JvsadmMain.run(List.of(args), dir.resolve("jvs.sock"), java.io.InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private String waitForTable(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline && process.isAlive()) {
            String s = nft();
            if (s != null) {
                return s;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no nftables table " + table + " in " + seconds + " s (director alive: " + process.isAlive() + ")");
    }

    /** The engine's table in the director's namespace, or null when there is none. */
    private String nft() {
        try {
            return run("ip", "netns", "exec", director, "nft", "list", "table", "netdev", table);
        } catch (IllegalStateException e) {
            if (e.getMessage().contains("No such file or directory")) {
                return null;
            }
            throw e;
        }
    }

    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + ": no answer in 20 s");
            }
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
}
