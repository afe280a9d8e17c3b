package org.jvs.director.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvs.director.TestPlanes;
import org.jvs.testkit.netns.CommandResult;
import org.jvs.testkit.netns.Commands;
import org.jvs.testkit.netns.Lab;
import org.jvs.testkit.netns.LabProcess;

/**
 * A JVS director running in a lab's director namespace with the packet engine on the lab's interfaces:
 * {@code ip netns exec DIRECTOR java ... org.jvs.director.DirectorMain --config FILE}, which is what
 * {@code bin/jvs director} runs (the jar is not built yet when Maven runs these tests, so the test class path
 * stands in for it). {@link #jvsadm} is bin/jvsadm's code ({@code JvsadmMain}) talking to the director's control
 * socket. The lab stops the process when it closes, whatever happened; {@link #close} stops it earlier.
 */
final class LabDirector implements AutoCloseable {
    private static final AtomicInteger STARTED = new AtomicInteger();

    /** One {@code -L -n --stats --exact} line: a service's or a real server's counters. */
    record Counters(long conns, long inPkts, long outPkts, long inBytes, long outBytes) {
    }

    /** {@code -L -n --stats --exact} of one service: its totals and each real server's, by address. */
    record Stats(Counters service, Map<String, Counters> servers, String text) {
    }

    private final Lab lab;
    private final LabProcess process;
    private final Path socket;
    private final Path config;

    private LabDirector(Lab lab, LabProcess process, Path socket, Path config) {
        this.lab = lab;
        this.process = process;
        this.socket = socket;
        this.config = config;
    }

    /**
     * Starts a director whose configuration is the lab's {@code packet:} section and {@code services} (YAML list
     * items, indented by two spaces); returns once its control API answers and its status lists the packet engine.
     */
    static LabDirector start(Lab lab, String services) {
        return start(lab, services, "");
    }

    /** As {@link #start(Lab, String)}, with {@code packetExtra} (YAML lines indented by two) in the packet section. */
    static LabDirector start(Lab lab, String services, String packetExtra) {
        return start(lab, services, packetExtra, "  conn_table_size: 65536\n");
    }

    /**
     * As {@link #start(Lab, String, String)}, with {@code directorSettings} (YAML lines indented by two, replacing
     * the default {@code conn_table_size: 65536}) in the director section.
     */
    static LabDirector start(Lab lab, String services, String packetExtra, String directorSettings) {
        int n = STARTED.incrementAndGet();
        Path socket = lab.workDir().resolve("jvs-" + n + ".sock");
        Path config = lab.workDir().resolve("jvs-" + n + ".yaml");
        writeConfig(lab, config, socket, services, packetExtra, directorSettings);
        // bin/jvs's DIRECTOR_JVM, with a smaller heap: the suite shares two cores and the lab needs little.
        LabProcess p = lab.start(lab.director(), "director-" + n,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xms128m", "-Xmx256m",
                "-Dio.netty.leakDetection.level=disabled",
                "-cp", System.getProperty("java.class.path"), "org.jvs.director.DirectorMain", "--config", config.toString());
        p.awaitOutput("JVS director", Duration.ofSeconds(60));
        LabDirector d = new LabDirector(lab, p, socket, config);
        String status = d.api("/v1/status");
        if (!status.contains("\"packet\"")) {
            throw new IllegalStateException("the director runs without its packet engine: " + status + "\n" + p.output());
        }
        return d;
    }

    private static void writeConfig(Lab lab, Path config, Path socket, String services) {
        writeConfig(lab, config, socket, services, "");
    }

    private static void writeConfig(Lab lab, Path config, Path socket, String services, String packetExtra) {
        writeConfig(lab, config, socket, services, packetExtra, "  conn_table_size: 65536\n");
    }

    private static void writeConfig(Lab lab, Path config, Path socket, String services, String packetExtra,
                                    String directorSettings) {
        String yaml = """
                director:
                  control_socket: %s
                %spacket:
                  interfaces:
                %s
                  workers: 1
                %sservices:
                %s""".formatted(socket, directorSettings, interfaces(lab), packetExtra, services.stripTrailing());
        try {
            Files.writeString(config, yaml + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Rewrites the configuration file with {@code services} and sends SIGHUP, as an administrator reloads; returns
     * once the director has logged the reload.
     */
    void reload(String services) {
        reload(services, "");
    }

    /** As {@link #reload(String)}, with {@code packetExtra} in the packet section. */
    void reload(String services, String packetExtra) {
        writeConfig(lab, config, socket, services, packetExtra);
        int before = reloads();
        Commands.check("kill", "-HUP", Long.toString(process.pid()));
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (reloads() == before) {
            if (System.nanoTime() > end || !process.isAlive()) {
                throw new IllegalStateException("no reload logged within 20 s after SIGHUP:\n" + log());
            }
            sleep(50);
        }
    }

    private int reloads() {
        return (int) log().lines().filter(l -> l.contains("org.jvs.director: reloaded ")).count();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** DR: one interface facing clients and servers; NAT: eth0 toward the client, eth1 toward the real servers. */
    private static String interfaces(Lab lab) {
        return switch (lab.topology()) {
            case DR, TUN -> "    - {name: eth0, role: both}";
            case NAT -> "    - {name: eth0, role: client}\n    - {name: eth1, role: server}";
        };
    }

    /** A YAML service item on the lab's VIP, TCP port 80, with the packet engine and the lab's real servers by weight. */
    static String service(Lab lab, String scheduler, int persistence, int... weights) {
        return service(lab, "tcp", Lab.HTTP_PORT, scheduler, persistence, weights);
    }

    /** A YAML service item on the lab's VIP and {@code protocol}/{@code port}, real servers on the same port. */
    static String service(Lab lab, String protocol, int port, String scheduler, int persistence, int... weights) {
        return service(lab, protocol, port, scheduler, persistence, "{type: ipip}", weights);
    }

    /** As {@link #service(Lab, String, int, String, int, int...)}; {@code tunnel}: the TUN lab's YAML tunnel mapping. */
    static String service(Lab lab, String protocol, int port, String scheduler, int persistence, String tunnel, int... weights) {
        String method = switch (lab.topology()) {
            case DR -> "dr";
            case NAT -> "nat";
            case TUN -> "tun, tunnel: " + tunnel;
        };
        List<String> rs = new ArrayList<>();
        for (int i = 0; i < lab.realServers().size(); i++) {
            int w = weights.length == 0 ? 1 : weights[i];
            rs.add("      - {address: %s, port: %d, method: %s, weight: %d}".formatted(
                    lab.realServer(i + 1).address(), port, method, w));
        }
        return """
                  - name: %s-%d
                    protocol: %s
                    address: %s
                    port: %d
                    scheduler: %s
                    engine: packet
                %s    real_servers:
                %s
                """.formatted(protocol, port, protocol, lab.vip(), port, scheduler,
                persistence > 0 ? "    persistence: " + persistence + "\n" : "", String.join("\n", rs));
    }

    /** The service's key as jvsadm writes it. */
    String vipPort() {
        return lab.vip() + ":" + Lab.HTTP_PORT;
    }

    /** One jvsadm command; fails unless it exits 0. Its standard output. */
    String jvsadm(String... argv) {
        Result r = jvsadmResult(argv);
        if (r.exit() != 0) {
            throw new IllegalStateException("jvsadm " + String.join(" ", argv) + " exited " + r.exit() + ": " + r.err());
        }
        return r.out();
    }

    record Result(int exit, String out, String err) {
    }

    Result jvsadmResult(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = TestPlanes.jvsadm(List.of(argv), socket, InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code jvsadm -L -n --stats --exact}, read back: the lab's TCP service on VIP:80 and its real servers. */
    Stats stats() {
        return stats("TCP", Lab.HTTP_PORT);
    }

    /** As {@link #stats()}, for the service {@code protocol} ({@code TCP}, {@code UDP}) on VIP:{@code port}. */
    Stats stats(String protocol, int port) {
        String text = jvsadm("-L", "-n", "--stats", "--exact");
        String key = lab.vip() + ":" + port;
        Counters service = null;
        Map<String, Counters> servers = new LinkedHashMap<>();
        boolean inService = false;
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            // "TCP VIP:PORT n n n n n" or "-> RIP:PORT n n n n n"; the titles have words there
            if (f.length != 7 || !f[2].chars().allMatch(Character::isDigit)) {
                continue;
            }
            Counters c = new Counters(Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), Long.parseLong(f[6]));
            if (!f[0].equals("->")) {
                inService = f[0].equals(protocol) && f[1].equals(key);
                if (inService) {
                    service = c;
                }
            } else if (inService) {
                servers.put(f[1].substring(0, f[1].lastIndexOf(':')), c);
            }
        }
        if (service == null) {
            throw new IllegalStateException("no " + protocol + " " + key + " in jvsadm -L -n --stats --exact:\n" + text);
        }
        return new Stats(service, servers, text);
    }

    /** GET on the control API's unix socket. */
    String api(String path) {
        return Commands.check(Duration.ofSeconds(10), null,
                List.of("curl", "-sS", "--fail", "--unix-socket", socket.toString(), "http://jvs" + path)).stdout();
    }

    /** The director's process id. */
    long pid() {
        return process.pid();
    }

    /** The director's log so far. */
    String log() {
        return process.output();
    }

    /**
     * SIGTERM, as an administrator stops it; waits for the exit and checks that the engine took its nftables table
     * with it (a table left behind would keep dropping the VIP's traffic for the next director).
     */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        int status = process.stop(Duration.ofSeconds(20));
        CommandResult table = lab.director().run(Duration.ofSeconds(10), "nft", "list", "table", "netdev", "jvs_packet");
        if (table.ok()) {
            throw new IllegalStateException("the director stopped (exit " + status + ") but left table netdev jvs_packet:\n"
                    + table.stdout() + "\nlog:\n" + log());
        }
    }
}
