package org.jvs.feedback;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real net-snmp agent for tests: its own config (v2c community {@value #COMMUNITY}, v3 user
 * {@value #USER} with SHA/AES), its own persistent directory, listening only where the test says, started
 * in the foreground so that {@link #close()} ends exactly this process. Optionally run through a prefix
 * command (ip netns exec ..., unshare ...).
 */
public final class Snmpd implements AutoCloseable {
    public static final String COMMUNITY = "jvstest";
    public static final String USER = "jvsv3";
    public static final String AUTH_PASSWORD = "authpass123";
    public static final String PRIV_PASSWORD = "privpass123";

    private final Process process;
    public final String host;
    public final int port;
    public final Path dir;

    private Snmpd(Process process, String host, int port, Path dir) {
        this.process = process;
        this.host = host;
        this.port = port;
        this.dir = dir;
    }

    /** A free UDP port on loopback (the small race until snmpd binds it is acceptable in tests). */
    public static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts snmpd listening on udp:host:port (and tcp:host:tcpPort when tcpPort > 0); waits until it answers. */
    public static Snmpd start(Path dir, List<String> prefix, String host, int port, int tcpPort) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String listen = "udp:" + host + ":" + port + (tcpPort > 0 ? ",tcp:" + host + ":" + tcpPort : "");
        Path conf = dir.resolve("snmpd.conf");
        Files.writeString(conf, String.join("\n",
                "agentAddress " + listen,
                "rocommunity " + COMMUNITY + " default",
                "createUser " + USER + " SHA \"" + AUTH_PASSWORD + "\" AES \"" + PRIV_PASSWORD + "\"",
                "rouser " + USER + " priv",
                "disk /",
                "") );
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("snmpd", "-f", "-Lf", dir.resolve("snmpd.log").toString(), "-C", "-c", conf.toString(),
                "-p", dir.resolve("snmpd.pid").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile());
        pb.environment().put("SNMP_PERSISTENT_DIR", dir.toString());
        pb.environment().put("MIBS", "");
        Snmpd d = new Snmpd(pb.start(), host, port, dir);
        try {
            d.awaitAnswer();
        } catch (Throwable e) {
            d.close();
            throw e;
        }
        return d;
    }

    private void awaitAnswer() throws IOException, InterruptedException {
        CollectorSpec spec = new CollectorSpec.SnmpV2c(host, port, COMMUNITY, Duration.ofMillis(300), 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        try (SnmpCollector c = new SnmpCollector()) {
            String last = "";
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException("snmpd exited with " + process.exitValue() + ": " + log());
                }
                try {
                    c.collect(spec, host);
                    return;
                } catch (CollectorException e) {
                    last = e.getMessage();
                }
                Thread.sleep(100);
            }
            throw new IOException("snmpd did not answer within 15 s: " + last + "; log: " + log());
        }
    }

    public String log() {
        try {
            return Files.exists(dir.resolve("snmpd.log")) ? Files.readString(dir.resolve("snmpd.log")) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    public long pid() {
        return process.pid();
    }

    /** The snmpd process itself: the started process, or its deepest descendant when started through a prefix. */
    public long agentPid() {
        return process.descendants().reduce((a, b) -> b).map(ProcessHandle::pid).orElse(process.pid());
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Stops this snmpd (and the prefix command's children); waits at most 5 s, then kills. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
