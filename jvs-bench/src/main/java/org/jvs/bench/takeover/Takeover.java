package org.jvs.bench.takeover;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.jvs.testkit.netns.Host;
import org.jvs.testkit.netns.Lab;

/**
 * {@code bin/jvs takeover}: the failover lab (client, two directors, three nginx real servers on one bridge),
 * a director pair on VRRP v3 (advert 1 s, priorities 150 and 100, preempt off), and TRIES takeovers: the
 * master is killed with SIGKILL and its cable pulled, the run times the backup's MASTER state and the first new
 * connection answered through it, and brings the dead node back as the new backup for the next try. For JVS,
 * CONNECTIONS keep-alive connections ask every INTERVAL through it all and the run counts those answered again
 * by their own server. Then the same with two keepalived daemons. Root; every namespace is deleted at the end.
 *
 * <p>usage: {@code bin/jvs takeover [--tries 20] [--connections 50] [--interval-ms 100]
 * [--systems jvs,keepalived] [--out DIR]}
 */
public final class Takeover {
    static final int PRIMARY_PRIORITY = 150;
    static final int SECONDARY_PRIORITY = 100;

    record Options(int tries, int connections, int intervalMs, List<String> systems, Path out, Path jvsHome) {
        static Options parse(String[] args) {
            int tries = 20;
            int connections = 50;
            int interval = 100;
            List<String> systems = List.of("jvs", "keepalived");
            Path out = null;
            Path home = Path.of(System.getProperty("jvs.home", "."));
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--tries" -> tries = Integer.parseInt(v);
                    case "--connections" -> connections = Integer.parseInt(v);
                    case "--interval-ms" -> interval = Integer.parseInt(v);
                    case "--systems" -> systems = List.of(v.split(","));
                    case "--out" -> out = Path.of(v);
                    case "--jvs-home" -> home = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + a
                            + " (--tries --connections --interval-ms --systems --out)");
                }
            }
            if (tries < 1 || tries > 200 || connections < 0 || connections > 10_000 || interval < 10 || interval > 5000) {
                throw new IllegalArgumentException("--tries 1..200, --connections 0..10000, --interval-ms 10..5000");
            }
            for (String s : systems) {
                if (!s.equals("jvs") && !s.equals("keepalived")) {
                    throw new IllegalArgumentException("unknown system " + s + " (jvs, keepalived)");
                }
            }
            if (out == null) {
                out = home.resolve(".bench").resolve("takeover-"
                        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            }
            return new Options(tries, connections, interval, systems, out, home.toAbsolutePath());
        }

        /** Answers each connection must have had after a takeover to count: at least two seconds of them, 3..5. */
        int answersNeeded() {
            return Math.max(3, Math.min(5, 2000 / intervalMs));
        }
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("takeover: " + e.getMessage());
            System.exit(2);
            return;
        }
        Files.createDirectories(o.out());
        System.out.printf("takeover bench: %d tries per system (%s), %d keep-alive connections every %d ms, output in %s%n",
                o.tries(), String.join(", ", o.systems()), o.connections(), o.intervalMs(), o.out());
        List<TakeoverTry> all = new ArrayList<>();
        try (Lab lab = Lab.builder(Lab.Topology.DR).directors(2).realServers(3).workDir(o.out().resolve("lab")).build()) {
            lab.startNginx();
            // keepalived cannot balance without kernel IPVS: the director holding the VIP answers it itself.
            lab.startNginx(lab.director());
            lab.startNginx(lab.director2());
            for (String system : o.systems()) {
                DirectorPair pair = system.equals("jvs") ? new JvsPair(lab, o.jvsHome()) : new KeepalivedPair(lab);
                try {
                    all.addAll(run(lab, pair, o));
                } finally {
                    pair.stopAll();
                }
            }
        }
        TakeoverReport report = new TakeoverReport(o, all);
        Files.writeString(o.out().resolve("takeover.json"), report.json());
        Files.writeString(o.out().resolve("takeover.svg"), report.svg());
        System.out.print(report.summary());
        System.out.println("results: " + o.out().resolve("takeover.json") + ", chart: " + o.out().resolve("takeover.svg"));
    }

    static List<TakeoverTry> run(Lab lab, DirectorPair pair, Options o) throws Exception {
        List<TakeoverTry> tries = new ArrayList<>();
        Host master = lab.director();
        Host backup = lab.director2();
        pair.start(master, PRIMARY_PRIORITY);
        pair.await("master", Duration.ofSeconds(15), () -> pair.isMaster(lab.director()));
        pair.start(backup, SECONDARY_PRIORITY);
        pair.await("backup", Duration.ofSeconds(15), () -> pair.isBackup(lab.director2()));
        KeepAliveClients clients = pair.syncsConnections() && o.connections() > 0
                ? KeepAliveClients.open(lab.client(), o.connections(), Duration.ofMillis(o.intervalMs())) : null;
        try {
            for (int n = 1; n <= o.tries(); n++) {
                Host m = master;
                Host b = backup;
                int learnt = -1;
                if (clients != null) {
                    // The backup must know every connection before its master dies: new ones from their third
                    // packet, the ones it lacked since its own restart from the master's periodic resends.
                    pair.await("told of every connection", Duration.ofSeconds(120), () -> pair.connections(b) >= clients.size());
                    learnt = pair.connections(b);
                } else {
                    Thread.sleep(1000);
                }
                int[] mark = clients == null ? null : clients.mark();
                long killed = System.nanoTime();
                pair.kill(m);
                lab.cable(m, false);
                Probe probe = Probe.start(lab.client(), Duration.ofSeconds(20));
                pair.await("master after the kill", Duration.ofSeconds(15), () -> pair.isMaster(b));
                long masterAt = System.nanoTime();
                if (clients != null) {
                    clients.arm(masterAt);
                }
                long answered = probe.await();
                if (answered == 0) {
                    throw new IllegalStateException(pair.system() + ": no answer through the new master within 20 s");
                }
                int survivors = -1;
                long firstEst = -1;
                long lastEst = -1;
                if (clients != null) {
                    long end = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                    while (System.nanoTime() < end && clients.survivors(mark, o.answersNeeded()) < clients.size()) {
                        Thread.sleep(50);
                    }
                    survivors = clients.survivors(mark, o.answersNeeded());
                    long[] span = clients.firstAnswerSpan();
                    firstEst = span[0] == 0 ? -1 : ms(span[0] - killed);
                    lastEst = span[1] == 0 ? -1 : ms(span[1] - killed);
                    if (survivors < clients.size()) {
                        System.out.println("  did not survive: " + clients.failures(mark, o.answersNeeded(), 5));
                    }
                }
                TakeoverTry t = new TakeoverTry(pair.system(), n, m.name(), ms(masterAt - killed), ms(answered - killed),
                        probe.answeredBy(), clients == null ? 0 : clients.size(), learnt, survivors, firstEst, lastEst);
                tries.add(t);
                System.out.println(t.line());
                // The dead node comes back (cable in, a new process) and is the backup of the next try.
                lab.cable(m, true);
                pair.cleanUpAfterKill(m);
                pair.start(m, m == lab.director() ? PRIMARY_PRIORITY : SECONDARY_PRIORITY);
                pair.await("backup after its return", Duration.ofSeconds(20), () -> pair.isBackup(m));
                master = b;
                backup = m;
            }
        } finally {
            if (clients != null) {
                clients.close();
            }
        }
        return tries;
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
