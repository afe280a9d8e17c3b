package org.jvs.director.feedback;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jvs.feedback.Snmpd;

/**
 * Real servers for the feedback tests: network namespaces {@code jvsfb-XXXXXX-rsN}, each joined to the
 * host by a veth pair ({@code fbXXXXXXN} on the host, 198.19.R.(4N+1)/30 there and .(4N+2) inside), each
 * running its own snmpd in its own PID and mount namespace, so that HOST-RESOURCES-MIB's process count is
 * that server's own. Load average, CPU and memory are the one kernel's and so the same for every server.
 * {@link #close()} removes everything it made, whatever state a failed test left.
 */
final class FeedbackLab implements AutoCloseable {
    static final int SNMP_TCP_PORT = 1705;
    final String suffix = String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    final int net = ThreadLocalRandom.current().nextInt(256);
    final List<String> namespaces = new ArrayList<>();
    final List<Snmpd> agents = new ArrayList<>();
    private final List<Process> extra = new ArrayList<>();

    String ns(int i) {
        return "jvsfb-" + suffix + "-rs" + i;
    }

    String address(int i) {
        return "198.19." + net + "." + (4 * i + 2);
    }

    /** Creates server {@code i} (1-based) and starts its snmpd (v2c + v3, UDP 161 and TCP {@value #SNMP_TCP_PORT}). */
    Snmpd server(int i, Path dir) throws IOException, InterruptedException {
        String ns = ns(i);
        String host = "fb" + suffix + i;
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        run("ip", "link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "addr", "add", "198.19." + net + "." + (4 * i + 1) + "/30", "dev", host);
        run("ip", "link", "set", host, "up");
        run("ip", "-n", ns, "addr", "add", address(i) + "/30", "dev", "eth0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        run("ip", "-n", ns, "link", "set", "lo", "up");
        Snmpd d = Snmpd.start(dir.resolve("rs" + i), List.of("ip", "netns", "exec", ns, "unshare", "--pid", "--fork", "--kill-child", "--mount-proc"),
                address(i), 161, SNMP_TCP_PORT);
        agents.add(d);
        return d;
    }

    /** Runs a command inside server {@code i}'s network, PID and mount namespaces (those of its snmpd). */
    Process inside(Snmpd d, String... command) throws IOException {
        long agentPid = d.agentPid();
        List<String> cmd = new ArrayList<>(List.of("nsenter", "-t", Long.toString(agentPid), "-n", "-p", "-m"));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        extra.add(p);
        return p;
    }

    static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }

    @Override
    public void close() {
        extra.forEach(FeedbackLab::stop);
        agents.forEach(Snmpd::close);
        for (String ns : namespaces) {
            try {
                // Deleting the namespace deletes its veth end, and with it the host's.
                run("ip", "netns", "delete", ns);
            } catch (IOException | InterruptedException e) {
                System.err.println("cleanup: " + e.getMessage());
            }
        }
    }
}
