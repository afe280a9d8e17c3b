package org.jvs.bench.flood;

import org.jvs.packet.flood.SynFlood;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.jvs.testkit.netns.Host;
import org.jvs.testkit.netns.Lab;
import org.jvs.testkit.netns.LabProcess;

/**
 * The packet-engine benchmark (bench/packet-engine.sh runs it): the same SYN flood through four directors in
 * the network-namespace lab, one mode after the other, and one table of what each forwarded.
 *
 * <ul>
 *   <li>{@code kernel-forward}: NAT lab, the director's kernel routes SYNs addressed to the real servers
 *       themselves: the path's limit (no balancing at all).
 *   <li>{@code nft-dnat}: NAT lab, the director's kernel DNATs the VIP round robin with nftables (conntrack):
 *       what a user without IPVS would set up.
 *   <li>{@code jvs-dr}, {@code jvs-nat}: DR and NAT labs, the director is {@code bin/jvs director} with a
 *       packet-engine service.
 *   <li>{@code jvs-tun}: the TUN lab, the same service by VS/TUN (IPIP): every SYN leaves encapsulated, 20 bytes
 *       longer; the real servers drop the IPIP packets unanswered.
 * </ul>
 * The flood runs pinned to CPU 1 in the client; the director's interfaces steer their receive processing
 * to CPU 0 (RPS) and JVS is pinned there, the real servers' to CPU 1, so CPU 0's busy time is the
 * director's cost in every mode. Rates are measured over the steady part of the flood, between its
 * first and its last one-second report. Real servers drop the SYNs at their input hook (no RST comes back).
 */
public final class PacketEngineBench {
    static final List<String> MODES = List.of("kernel-forward", "nft-dnat", "jvs-dr", "jvs-nat", "jvs-tun");
    private static final int REAL_SERVERS = 3;
    private static final String CPU_DIRECTOR = "0";
    private static final String CPU_CLIENT = "1";

    /** One mode's figures; -1 where a figure does not apply. */
    record Result(String mode, double offeredPps, double forwardedPps, double newConnsPerSec, double cpu0Busy,
            double directorProcessCpu, String note) {
    }

    /** A mode could not run (e.g. no packet engine in this build); the others still do. */
    static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }

    private final int seconds;
    private final Path out;
    private final Path jvsHome;
    private final String javaBin;
    private final Path benchJar;
    /** Offered SYNs per second, 0 for as fast as the generator goes. */
    private long rate;

    PacketEngineBench(int seconds, Path out, Path jvsHome) {
        this.seconds = seconds;
        this.out = out;
        this.jvsHome = jvsHome;
        this.javaBin = ProcessHandle.current().info().command().orElse("java");
        this.rate = 0;
        this.benchJar = jvsHome.resolve("jvs-bench/target/jvs-bench.jar");
    }

    public static void main(String[] args) throws IOException {
        int seconds = 10;
        long rate = 0;
        Path out = Path.of(".bench");
        Path home = Path.of(".");
        List<String> modes = new ArrayList<>(MODES);
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                    case "--out" -> out = Path.of(args[++i]);
                    case "--jvs-home" -> home = Path.of(args[++i]);
                    case "--modes" -> modes = List.of(args[++i].split(","));
                    case "--rate" -> rate = Long.parseLong(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (seconds < 3 || seconds > 600) {
                throw new IllegalArgumentException("seconds " + seconds + ": out of range 3..600 (rates are taken between the first and last second)");
            }
            for (String m : modes) {
                if (!MODES.contains(m)) {
                    throw new IllegalArgumentException("unknown mode " + m + " (known: " + String.join(", ", MODES) + ")");
                }
            }
        } catch (RuntimeException e) {
            System.err.println("packet-engine bench: " + e.getMessage());
            System.exit(2);
        }
        Files.createDirectories(out);
        if (rate < 0) {
            System.err.println("packet-engine bench: --rate " + rate + ": packets/s, 0 for full speed");
            System.exit(2);
        }
        PacketEngineBench bench = new PacketEngineBench(seconds, out, home.toAbsolutePath().normalize());
        bench.rate = rate;
        Map<String, Result> results = new LinkedHashMap<>();
        boolean failed = false;
        for (String mode : modes) {
            System.out.println("== " + mode);
            try {
                Result r = bench.run(mode);
                results.put(mode, r);
                System.out.printf(Locale.ROOT, "   offered %.0f pps, forwarded %.0f pps, CPU0 %.0f %%; %s%n",
                        r.offeredPps(), r.forwardedPps(), r.cpu0Busy(), r.note());
            } catch (Unavailable e) {
                System.out.println("   " + mode + ": " + e.getMessage());
                failed = true;
            } catch (RuntimeException e) {
                System.out.println("   " + mode + " failed: " + e.getMessage());
                failed = true;
            }
        }
        String table = table(results);
        System.out.println();
        System.out.print(table);
        Files.writeString(out.resolve("table.txt"), table);
        Files.writeString(out.resolve("packet-engine.json"), json(results, seconds, rate));
        Files.writeString(out.resolve("packet-engine.tsv"), tsv(results));
        System.exit(failed ? 1 : 0);
    }

    Result run(String mode) {
        Lab.Topology topology = switch (mode) {
            case "jvs-dr" -> Lab.Topology.DR;
            case "jvs-tun" -> Lab.Topology.TUN;
            default -> Lab.Topology.NAT;
        };
        try (Lab lab = Lab.builder(topology).realServers(REAL_SERVERS).workDir(out.resolve(mode)).build()) {
            lab.dropTcpAtRealServers(Lab.HTTP_PORT);
            if (topology == Lab.Topology.TUN) {
                // The SYNs arrive in IPIP; with no tunnel endpoint the kernel would answer each with "protocol
                // unreachable" to the director. Counted on the wire (rx_packets), then dropped unanswered.
                for (Host rs : lab.realServers()) {
                    rs.nft("""
                            table inet jvslab_tun {
                              chain input {
                                type filter hook input priority -10; policy accept;
                                meta l4proto ipip counter drop
                              }
                            }
                            """);
                }
            }
            for (var i : lab.director().interfaces()) {
                steer(lab.director(), i.name(), CPU_DIRECTOR);
            }
            for (Host rs : lab.realServers()) {
                steer(rs, "eth0", CPU_CLIENT);
            }
            String mac = lab.director().mac("eth0");
            return switch (mode) {
                case "kernel-forward" -> {
                    lab.kernelForwarding(true);
                    String dsts = lab.realServers().stream().map(Host::address).collect(Collectors.joining(","));
                    yield flood(lab, mode, mac, dsts, null);
                }
                case "nft-dnat" -> {
                    lab.kernelForwarding(true);
                    lab.kernelDnatRoundRobin(Lab.HTTP_PORT);
                    yield flood(lab, mode, mac, lab.vip(), null);
                }
                default -> {
                    JvsDirector jvs = JvsDirector.start(lab, jvsHome, CPU_DIRECTOR);
                    yield flood(lab, mode, mac, lab.vip(), jvs);
                }
            };
        }
    }

    /** Receive processing of {@code ifname} on {@code cpu} (RPS), so the cost lands on a known core. */
    private static void steer(Host h, String ifname, String cpu) {
        String mask = Integer.toHexString(1 << Integer.parseInt(cpu));
        h.exec("sh", "-c", "echo " + mask + " > /sys/class/net/" + ifname + "/queues/rx-0/rps_cpus");
    }

    private Result flood(Lab lab, String mode, String dstMac, String destinations, JvsDirector jvs) {
        long connsBefore = jvs == null ? 0 : jvs.connectionsCreated();
        LabProcess gen = lab.start(lab.client(), "flood", "taskset", "-c", CPU_CLIENT, javaBin,
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-cp", benchJar.toString(),
                SynFlood.class.getName(), "--iface", "eth0", "--dst-mac", dstMac, "--dst", destinations,
                "--port", Integer.toString(Lab.HTTP_PORT), "--seconds", Integer.toString(seconds),
                "--rate", Long.toString(rate));
        Duration bound = Duration.ofSeconds(seconds + 60);
        gen.awaitOutput("t=1s ", bound);
        Sample a = Sample.take(lab, jvs);
        gen.awaitOutput("t=" + (seconds - 1) + "s ", bound);
        Sample b = Sample.take(lab, jvs);
        int status = gen.waitFor(bound);
        String result = gen.output().lines().filter(l -> l.startsWith("RESULT")).findFirst()
                .orElseThrow(() -> new IllegalStateException("flood ended (" + status + ") without a RESULT: " + gen.output()));
        double genSeconds = Double.parseDouble(field(result, "seconds"));
        double conns = jvs == null ? -1 : (jvs.connectionsCreated() - connsBefore) / genSeconds;
        double dt = (b.nanos - a.nanos) / 1e9;
        double hz = 100; // USER_HZ: /proc/stat and /proc/PID/stat count in 1/100 s on Linux
        return new Result(mode, (b.clientTx - a.clientTx) / dt, (b.serversRx - a.serversRx) / dt, conns,
                100 * (b.cpu0Busy - a.cpu0Busy) / hz / dt,
                jvs == null ? -1 : 100 * (b.directorTicks - a.directorTicks) / hz / dt,
                "generator " + result.substring("RESULT ".length()));
    }

    static String field(String line, String name) {
        for (String kv : line.split(" ")) {
            if (kv.startsWith(name + "=")) {
                return kv.substring(name.length() + 1);
            }
        }
        throw new IllegalArgumentException("no " + name + "= in " + line);
    }

    /** Counters at one instant: what the client put on the wire, what the real servers got, CPU 0's busy ticks. */
    record Sample(long nanos, long clientTx, long serversRx, long cpu0Busy, long directorTicks) {
        static Sample take(Lab lab, JvsDirector jvs) {
            long nanos = System.nanoTime();
            long tx = lab.client().counter("eth0", "tx_packets");
            long rx = 0;
            for (Host rs : lab.realServers()) {
                rx += rs.counter("eth0", "rx_packets");
            }
            return new Sample(nanos, tx, rx, cpuBusy(CPU_DIRECTOR), jvs == null ? 0 : jvs.cpuTicks());
        }
    }

    /**
     * user + nice + system + irq + softirq ticks of one CPU, from /proc/stat (steal is left out: it is time the
     * hypervisor gave to someone else, not work done here).
     */
    static long cpuBusy(String cpu) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu" + cpu + " ")) {
                    String[] f = line.trim().split("\\s+");
                    return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                            + Long.parseLong(f[7]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no cpu" + cpu + " in /proc/stat");
    }

    /** Every figure of the run, machine-readable; ratios to jvs-dr and to kernel forwarding where those ran. */
    static String json(Map<String, Result> results, int seconds, long rate) {
        Result dr = results.get("jvs-dr");
        Result kernel = results.get("kernel-forward");
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "{\n  \"bench\": \"packet-engine\",\n  \"seconds_per_mode\": %d,\n"
                + "  \"offered_rate\": %s,\n  \"lab_offloads\": \"%s\",\n  \"modes\": [", seconds,
                rate == 0 ? "\"full speed\"" : Long.toString(rate), System.getProperty("jvs.lab.offloads", "on")));
        String sep = "\n";
        for (Result r : results.values()) {
            sb.append(sep).append(String.format(Locale.ROOT, "    {\"mode\": \"%s\", \"offered_pps\": %.0f, \"forwarded_pps\": %.0f, "
                            + "\"new_conns_per_s\": %s, \"cpu0_busy_percent\": %.1f, \"director_process_cpu_percent\": %s, "
                            + "\"vs_jvs_dr\": %s, \"vs_kernel_forward\": %s}",
                    r.mode(), r.offeredPps(), r.forwardedPps(),
                    r.newConnsPerSec() < 0 ? "null" : String.format(Locale.ROOT, "%.0f", r.newConnsPerSec()), r.cpu0Busy(),
                    r.directorProcessCpu() < 0 ? "null" : String.format(Locale.ROOT, "%.1f", r.directorProcessCpu()),
                    ratio(r, dr), ratio(r, kernel)));
            sep = ",\n";
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    private static String ratio(Result r, Result base) {
        return base == null || base.forwardedPps() <= 0 ? "null" : String.format(Locale.ROOT, "%.3f", r.forwardedPps() / base.forwardedPps());
    }

    /** For bench/barchart.awk: one group, a bar per mode. */
    static String tsv(Map<String, Result> results) {
        StringBuilder sb = new StringBuilder();
        for (Result r : results.values()) {
            sb.append(String.format(Locale.ROOT, "forwarded SYNs\t%s\t%.0f%n", r.mode(), r.forwardedPps()));
        }
        return sb.toString();
    }

    static String table(Map<String, Result> results) {
        Result base = results.get("jvs-dr");
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-15s %13s %15s %14s %10s %10s %12s%n", "mode", "offered pps",
                "forwarded pps", "new conns/s", "CPU0 %", "JVS CPU %", "vs jvs-dr"));
        for (Result r : results.values()) {
            sb.append(String.format(Locale.ROOT, "%-15s %13.0f %15.0f %14s %10.0f %10s %12s%n", r.mode(), r.offeredPps(),
                    r.forwardedPps(), r.newConnsPerSec() < 0 ? "-" : String.format(Locale.ROOT, "%.0f", r.newConnsPerSec()),
                    r.cpu0Busy(), r.directorProcessCpu() < 0 ? "-" : String.format(Locale.ROOT, "%.0f", r.directorProcessCpu()),
                    base == null ? "n/a" : String.format(Locale.ROOT, "%.2f", r.forwardedPps() / base.forwardedPps())));
        }
        if (base == null) {
            sb.append("(no jvs-dr figure in this run: ratios n/a)\n");
        }
        return sb.toString();
    }
}
