package org.jvs.bench.flood;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.jvs.testkit.netns.CommandResult;
import org.jvs.testkit.netns.Commands;
import org.jvs.testkit.netns.Lab;
import org.jvs.testkit.netns.LabProcess;

/**
 * {@code bin/jvs director} in the lab's director namespace, pinned to one CPU, with one packet-engine
 * service on the VIP over the lab's real servers (DR in a DR lab, NAT in a NAT lab). The lab stops it.
 */
final class JvsDirector {
    private final LabProcess process;
    private final Path jvsHome;
    private final Path socket;

    private JvsDirector(LabProcess process, Path jvsHome, Path socket) {
        this.process = process;
        this.jvsHome = jvsHome;
        this.socket = socket;
    }

    /**
     * Starts the director and waits for its control API. Throws {@link PacketEngineBench.Unavailable} when this
     * build has no packet engine: the director refuses the configuration, or runs without a packet data plane.
     */
    static JvsDirector start(Lab lab, Path jvsHome, String cpu) {
        Path socket = lab.workDir().resolve("jvs.sock");
        Path config = lab.workDir().resolve("jvs.yaml");
        try {
            Files.writeString(config, yaml(lab, socket));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LabProcess p = lab.start(lab.director(), "jvs-director", "taskset", "-c", cpu,
                jvsHome.resolve("bin/jvs").toString(), "director", "--config", config.toString());
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!Files.exists(socket)) {
            if (!p.isAlive()) {
                throw new PacketEngineBench.Unavailable("packet engine not available: the director refused "
                        + config.getFileName() + ": " + lastLines(p.output(), 3));
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("director did not open its control socket in 90 s: " + lastLines(p.output(), 5));
            }
            sleep(200);
        }
        JvsDirector d = new JvsDirector(p, jvsHome, socket);
        String status = d.api("/v1/status");
        if (!status.contains("\"packet\"")) {
            throw new PacketEngineBench.Unavailable("packet engine not available: the director runs without one ("
                    + status.strip() + ")");
        }
        return d;
    }

    /**
     * The director's configuration. The {@code packet:} section follows the packet engine's runtime as its
     * design stands (interfaces the engine owns, worker count); this is the one place to adjust if it lands
     * with other names.
     */
    static String yaml(Lab lab, Path socket) {
        String method = switch (lab.topology()) {
            case DR -> "dr";
            case NAT -> "nat";
            case TUN -> "tun";
        };
        String interfaces = lab.director().interfaces().stream().map(i -> i.name()).collect(Collectors.joining(", "));
        String servers = lab.realServers().stream()
                .map(rs -> "      - {address: " + rs.address() + ", port: " + Lab.HTTP_PORT + ", method: " + method + "}")
                .collect(Collectors.joining("\n"));
        return """
                director:
                  control_socket: %s
                  conn_table_size: 4194304
                packet:
                  interfaces: [%s]
                  workers: 1
                services:
                  - name: bench
                    address: %s
                    port: %d
                    scheduler: rr
                    engine: packet
                    real_servers:
                %s
                """.formatted(socket, interfaces, lab.vip(), Lab.HTTP_PORT, servers);
    }

    /** Connections the director has created for all services ({@code jvsadm -L -n --stats --exact}, Conns column). */
    long connectionsCreated() {
        CommandResult r = Commands.check(Duration.ofSeconds(60), null, List.of("env", "JVS_SOCKET=" + socket,
                jvsHome.resolve("bin/jvsadm").toString(), "-L", "-n", "--stats", "--exact"));
        long total = 0;
        for (String line : r.stdout().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && (f[0].equals("TCP") || f[0].equals("UDP") || f[0].equals("SCTP") || f[0].equals("FWM"))) {
                total += Long.parseLong(f[2]);
            }
        }
        return total;
    }

    /** The director process's user + system CPU ticks ({@code /proc/PID/stat} fields 14 and 15). */
    long cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            throw new UncheckedIOException("director exited? " + e.getMessage(), e);
        }
    }

    private String api(String path) {
        return Commands.check(Duration.ofSeconds(10), null,
                List.of("curl", "-sS", "--unix-socket", socket.toString(), "http://jvs" + path)).stdout();
    }

    private static String lastLines(String text, int n) {
        List<String> lines = text.strip().lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
