package org.jvs.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.jvs.core.Decision;
import org.jvs.core.LoadBalancer;
import org.jvs.core.conn.TcpStateMachine;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.sched.Flow;
import org.jvs.core.time.Clock;
import org.jvs.sync.SyncBackup;
import org.jvs.sync.SyncConfig;
import org.jvs.sync.SyncMaster;
import org.jvs.sync.SyncVersion;
import org.jvs.testkit.netns.Lab;

/**
 * What connection sync costs at a given rate of new connections: a master balancer in the failover lab's
 * director namespace is driven with new TCP connections (SYN, ACK, ACK: IPVS' rules sync each at its third
 * packet) at a fixed rate for a fixed time, its sync daemon multicasts them to a backup daemon in director2's
 * namespace, and the run reports messages/s, bytes/s, records per message, the CPU of the master's sender
 * thread, and what queueing costs the packet path (the driving thread's CPU per connection, with the daemon
 * and in a run without it, side by side). Both wire versions. Root (network namespaces); bounded in time.
 *
 * <p>usage: {@code bin/jvs sync-traffic [RATE per s, default 10000] [SECONDS, default 10] [JSON out]}
 */
public final class SyncTraffic {
    static final IpAddr VIP = IpAddr.parse(Lab.VIP);
    static final ServiceKey WEB = new ServiceKey.Virtual(Protocol.TCP, VIP, 80);
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    record Run(String mode, int rate, int seconds, long conns, double wallSeconds, long messages, long records, long bytes,
               long applied, long queueOverflows, double senderCpuSeconds, double driverNanosPerConn) {
        double messagesPerSecond() {
            return messages / wallSeconds;
        }

        double bytesPerSecond() {
            return bytes / wallSeconds;
        }

        double senderCorePercent() {
            return 100 * senderCpuSeconds / wallSeconds;
        }

        String json() {
            return String.format(Locale.ROOT, "{\"mode\":\"%s\",\"rate\":%d,\"seconds\":%d,\"connections\":%d,\"wall_s\":%.3f,"
                            + "\"messages\":%d,\"records\":%d,\"bytes\":%d,\"applied_by_backup\":%d,\"queue_overflows\":%d,"
                            + "\"messages_per_s\":%.1f,\"bytes_per_s\":%.1f,\"sender_cpu_s\":%.3f,\"sender_core_percent\":%.2f,"
                            + "\"driver_ns_per_conn\":%.1f}",
                    mode, rate, seconds, conns, wallSeconds, messages, records, bytes, applied, queueOverflows,
                    messagesPerSecond(), bytesPerSecond(), senderCpuSeconds, senderCorePercent(), driverNanosPerConn);
        }
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path out = Path.of(args.length > 2 ? args[2] : "sync-traffic.json");
        if (rate < 1 || rate > 200_000 || seconds < 1 || seconds > 120) {
            throw new IllegalArgumentException("rate 1..200000 per second, seconds 1..120");
        }
        List<Run> runs = new ArrayList<>();
        try (Lab lab = Lab.builder(Lab.Topology.DR).directors(2).realServers(1).build()) {
            for (String mode : List.of("no-sync", "v1", "v0", "no-sync", "v1", "v0")) { // two rounds, alternating
                Run r = run(lab, mode, rate, seconds);
                runs.add(r);
                System.out.printf(Locale.ROOT, "%-8s %6d conns in %.2f s: %7.1f msg/s %10.0f B/s %5.1f records/msg, sender %.2f%% of a core,"
                                + " driver %.0f ns/conn, backup applied %d, overflows %d%n",
                        r.mode(), r.conns(), r.wallSeconds(), r.messagesPerSecond(), r.bytesPerSecond(),
                        r.messages() == 0 ? 0.0 : (double) r.records() / r.messages(), r.senderCorePercent(),
                        r.driverNanosPerConn(), r.applied(), r.queueOverflows());
            }
        }
        StringBuilder json = new StringBuilder("{\"benchmark\":\"sync-traffic\",\"runs\":[");
        for (int i = 0; i < runs.size(); i++) {
            json.append(i == 0 ? "" : ",").append(runs.get(i).json());
        }
        json.append("]}\n");
        Files.writeString(out, json);
        System.out.println("wrote " + out.toAbsolutePath());
        System.out.println(chart(runs));
    }

    private static Run run(Lab lab, String mode, int rate, int seconds) throws Exception {
        LoadBalancer master = balancer();
        LoadBalancer backup = balancer();
        SyncBackup bd = null;
        SyncMaster md = null;
        try {
            if (!mode.equals("no-sync")) {
                SyncVersion v = mode.equals("v0") ? SyncVersion.V0 : SyncVersion.V1;
                SyncConfig.Daemon m = SyncConfig.Daemon.of(SyncConfig.Role.MASTER, "eth0", 9);
                SyncConfig.Daemon b = SyncConfig.Daemon.of(SyncConfig.Role.BACKUP, "eth0", 9);
                bd = lab.director2().call(() -> SyncBackup.start(backup, b));
                md = lab.director().call(() -> SyncMaster.start(master, m, v, 3, 50));
            }
            long sender0 = senderCpu();
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long conns = drive(master, rate, seconds);
            long driverCpu = THREADS.getCurrentThreadCpuTime() - cpu0;
            long wall = System.nanoTime() - t0;
            if (md != null) { // the last batch goes out within 100 ms; the backup applies it
                long end = System.nanoTime() + 5_000_000_000L;
                while (bd.outcome(LoadBalancer.SyncOutcome.APPLIED) < conns && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
            }
            long senderCpu = senderCpu() - sender0;
            var c = md == null ? null : md.counters();
            return new Run(mode, rate, seconds, conns, wall / 1e9, c == null ? 0 : c.messages(), c == null ? 0 : c.records(),
                    c == null ? 0 : c.bytes(), bd == null ? 0 : bd.outcome(LoadBalancer.SyncOutcome.APPLIED),
                    c == null ? 0 : c.queueOverflows(), senderCpu / 1e9, (double) driverCpu / conns);
        } finally {
            if (md != null) {
                md.close();
            }
            if (bd != null) {
                bd.close();
            }
        }
    }

    /** New connections at {@code rate}/s for {@code seconds}: each its SYN and two ACKs, paced per millisecond. */
    private static long drive(LoadBalancer lb, int rate, int seconds) {
        Flow f = new Flow();
        Decision d = new Decision();
        IpAddr[] clients = new IpAddr[256];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = IpAddr.parse("198.51." + (100 + i / 250) + "." + (1 + i % 250));
        }
        long total = (long) rate * seconds;
        long start = System.nanoTime();
        long done = 0;
        while (done < total) {
            long elapsed = System.nanoTime() - start;
            long due = Math.min(total, elapsed * rate / 1_000_000_000L + 1);
            for (; done < due; done++) {
                IpAddr client = clients[(int) (done & 255)];
                int port = 1024 + (int) ((done >>> 8) % 60_000);
                f.set(6, client, port, VIP, 80);
                lb.inbound(f, TcpStateMachine.SYN, 60, d);
                lb.inbound(f, TcpStateMachine.ACK, 52, d);
                lb.inbound(f, TcpStateMachine.ACK, 400, d);
            }
            if (elapsed > (seconds + 30L) * 1_000_000_000L) {
                break; // the machine cannot keep the rate: stop rather than run on
            }
            LockSupport.parkNanos(200_000);
        }
        return done;
    }

    private static long senderCpu() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("jvs-sync-master")) {
                return Math.max(0, THREADS.getThreadCpuTime(t.threadId()));
            }
        }
        return 0;
    }

    static LoadBalancer balancer() {
        LoadBalancer lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(1 << 21, 1 << 10), Clock.SYSTEM);
        lb.addService(ServiceSpec.of(WEB, "rr").withEngine(Engine.PACKET));
        for (int i = 1; i <= 3; i++) {
            lb.addDest(WEB, DestSpec.of(IpAddr.parse("192.0.2.1" + i), 80, ForwardingMethod.DIRECT_ROUTE));
        }
        return lb;
    }

    /** A text chart of the mean of each mode's runs: bytes/s and the sender's share of a core. */
    static String chart(List<Run> runs) {
        StringBuilder sb = new StringBuilder("mode      bytes/s (one # per 50 kB/s)                    sender CPU\n");
        for (String mode : List.of("no-sync", "v1", "v0")) {
            List<Run> rs = runs.stream().filter(r -> r.mode().equals(mode)).toList();
            double bps = rs.stream().mapToDouble(Run::bytesPerSecond).average().orElse(0);
            double cpu = rs.stream().mapToDouble(Run::senderCorePercent).average().orElse(0);
            double ns = rs.stream().mapToDouble(Run::driverNanosPerConn).average().orElse(0);
            sb.append(String.format(Locale.ROOT, "%-8s  %-45s %5.2f%%  driver %.0f ns/conn%n", mode,
                    "#".repeat((int) Math.min(45, bps / 50_000)) + String.format(Locale.ROOT, " %.0f", bps), cpu, ns));
        }
        return sb.toString();
    }

    private SyncTraffic() {
    }
}
