package org.jvs.director.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jvs.director.api.ControlClient;
import org.jvs.testkit.netns.Commands;
import org.jvs.testkit.http.Http1;
import org.jvs.testkit.netns.Host;
import org.jvs.testkit.netns.Lab;
import org.jvs.testkit.netns.LabProcess;
import org.junit.jupiter.api.Test;

/**
 * Two JVS directors in the failover lab (client, director, director2 and three nginx real servers; VS/DR on one
 * bridge, or VS/NAT with a client and a server bridge), VRRP v3 for the VIP (and in NAT for the real servers'
 * gateway, the two instances in one sync group) and connection sync both ways. Fifty keep-alive HTTP connections
 * each ask every 100 ms. The primary is killed with SIGKILL and its cable pulled: the backup takes the VIP and at
 * least 49 connections go on being answered by the same real server, without a reset. Then the primary comes
 * back: with preempt it takes the VIP back (after learning the connections from the new master's sync), without
 * it stays backup; either way the connections survive again. Root.
 */
class FailoverEndToEndTest {
    static final int CONNECTIONS = 50;
    /** Answers each connection must have had in a phase (about 20 in the two seconds a phase lasts at least). */
    static final int ANSWERS_PER_PHASE = 5;

    @Test
    void drTakeoverThenPreemptingReturn() throws Exception {
        takeoverAndReturn(Lab.Topology.DR, true);
    }

    @Test
    void natTakeoverThenNonPreemptingReturn() throws Exception {
        takeoverAndReturn(Lab.Topology.NAT, false);
    }

    private static void takeoverAndReturn(Lab.Topology topology, boolean preempt) throws Exception {
        try (Lab lab = Lab.builder(topology).directors(2).realServers(3).build()) {
            lab.startNginx();
            Director a = Director.start(lab, lab.director(), "a", 150, preempt);
            a.awaitState("MASTER", Duration.ofSeconds(10));
            Director b = Director.start(lab, lab.director2(), "b", 100, true);
            b.awaitState("BACKUP", Duration.ofSeconds(10));

            List<Conn> conns = lab.client().call(() -> {
                List<Conn> out = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(Lab.VIP, Lab.HTTP_PORT), 3000);
                    s.setSoTimeout(15_000);
                    out.add(new Conn(s));
                }
                return out;
            });
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> askers = new ArrayList<>();
            for (Conn c : conns) {
                askers.add(Thread.ofPlatform().daemon().start(() -> c.loop(running)));
            }
            try {
                Thread.sleep(2000); // every connection has answered, and has been synced (its third packet)
                assertThat(conns).allSatisfy(c -> assertThat(c.first).as("first answer").isNotNull());
                assertThat(b.connections()).as("connections the backup learnt").isGreaterThanOrEqualTo(CONNECTIONS);
                // /metrics of both: VRRP states, what the master's sync daemon sent and the backup's applied
                String am = a.metrics();
                String bm = b.metrics();
                assertThat(am).contains("jvs_vrrp_state{instance=\"VI_WEB\",state=\"master\"} 1.0")
                        .contains("jvs_packet_forwarded_frames_total{method=\"" + (topology == Lab.Topology.NAT ? "nat" : "dr") + "\"}");
                assertThat(bm).contains("jvs_vrrp_state{instance=\"VI_WEB\",state=\"backup\"} 1.0");
                assertThat(FailoverEndToEndTest.value(am, "jvs_sync_master_records_total")).as(am).isGreaterThanOrEqualTo(CONNECTIONS);
                assertThat(FailoverEndToEndTest.value(bm, "jvs_sync_backup_records_total{outcome=\"applied\"}")).as(bm)
                        .isGreaterThanOrEqualTo(CONNECTIONS);

                // 1. The primary dies.
                int[] mark = answers(conns);
                long killed = System.nanoTime();
                Commands.check("kill", "-9", Long.toString(a.process.pid()));
                lab.cable(lab.director(), false);
                b.awaitState("MASTER", Duration.ofSeconds(10));
                long master = System.nanoTime();
                long answered = awaitAnswersAfter(conns, master, Duration.ofSeconds(10));
                System.out.printf("%s takeover: backup MASTER after %d ms, first answer through it after %d ms%n",
                        topology, (master - killed) / 1_000_000, (answered - killed) / 1_000_000);
                // The VIP within Master_Down_Interval (3 x 1 s + (256 - 100) / 256 s = 3.61 s) plus one second.
                assertThat((master - killed) / 1_000_000).isLessThan(3610 + 1000);
                // The first answer waits for the clients' TCP to retransmit the request the dead director lost:
                // every connection asked within 100 ms of the kill, so their tries come about 0.2, 0.6, 1.4, 3.0
                // and 6.2 s after it; a takeover after the 3.0 s try is answered at the 6.2 s one.
                assertThat((answered - killed) / 1_000_000).isLessThan(3610 + 1000 + 3300);
                awaitSurvivors(conns, mark, "after the takeover");
                System.out.printf("%s takeover: every connection answered again %d times after %d ms%n",
                        topology, ANSWERS_PER_PHASE, (System.nanoTime() - killed) / 1_000_000);

                // 2. The primary comes back (a new process on the same host, its cable plugged in again).
                mark = answers(conns);
                lab.cable(lab.director(), true);
                Director back = Director.start(lab, lab.director(), "a2", 150, preempt);
                if (preempt) {
                    // preempt_delay (5 s) gives the returning node time to learn the connections from the
                    // master's periodic resends before it takes them over.
                    back.awaitState("MASTER", Duration.ofSeconds(20));
                    b.awaitState("BACKUP", Duration.ofSeconds(5));
                    assertThat(back.connections()).as("connections the returning node learnt").isGreaterThanOrEqualTo(CONNECTIONS - 1);
                } else {
                    back.awaitState("BACKUP", Duration.ofSeconds(20));
                    Thread.sleep(5000); // longer than Master_Down_Interval: it would have preempted by now
                    assertThat(back.state()).isEqualTo("BACKUP");
                    assertThat(b.state()).isEqualTo("MASTER");
                }
                awaitSurvivors(conns, mark, preempt ? "after the preempting return" : "after the non-preempting return");
            } finally {
                running.set(false);
                for (Thread t : askers) {
                    t.join(20_000);
                }
                conns.forEach(Conn::close);
            }
            b.stop();
        }
    }

    private static int[] answers(List<Conn> conns) {
        return conns.stream().mapToInt(c -> c.answers).toArray();
    }

    /**
     * At least 49 of 50 go on being answered by their own server, without an error, since {@code mark}. Waits up
     * to 15 s for them: a request lost while no director had the VIP waits for TCP's retransmission, whose
     * back-off (0.2, 0.4, 0.8, 1.6, 3.2 s) can put the next try seconds after the takeover.
     */
    /** The value of the series {@code name} (with its labels, if any) in a scrape; -1 when absent. */
    static double value(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst().orElse(-1);
    }

    private static void awaitSurvivors(List<Conn> conns, int[] mark, String when) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < end && survivors(conns, mark, new ArrayList<>()) < CONNECTIONS) {
            Thread.sleep(100);
        }
        List<String> failed = new ArrayList<>();
        long survivors = survivors(conns, mark, failed);
        assertThat(survivors).as("connections still answered by their own server " + when + ": failures " + failed)
                .isGreaterThanOrEqualTo(CONNECTIONS - 1);
    }

    private static long survivors(List<Conn> conns, int[] mark, List<String> failed) {
        long survivors = 0;
        for (int i = 0; i < conns.size(); i++) {
            Conn c = conns.get(i);
            if (c.error == null && !c.switched && c.answers - mark[i] >= ANSWERS_PER_PHASE) {
                survivors++;
            } else {
                failed.add(c + " answers in this phase " + (c.answers - mark[i]));
            }
        }
        return survivors;
    }

    private static long awaitAnswersAfter(List<Conn> conns, long since, Duration bound) throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < end) {
            for (Conn c : conns) {
                long t = c.lastAnswer;
                if (t > since) {
                    return t;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no answer through the new master within " + bound);
    }

    /** One keep-alive connection asking every 100 ms, remembering which server answers. */
    static final class Conn {
        final Socket socket;
        volatile String first;
        volatile boolean switched;
        volatile Throwable error;
        volatile long lastAnswer;
        volatile int answers;

        Conn(Socket s) {
            this.socket = s;
        }

        void loop(AtomicBoolean running) {
            byte[] req = "GET / HTTP/1.1\r\nHost: vip\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            try {
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                while (running.get()) {
                    out.write(req);
                    out.flush();
                    String body = Http1.readBody(in);
                    answers++;
                    if (first == null) {
                        first = body;
                    } else if (!first.equals(body)) {
                        switched = true;
                    }
                    lastAnswer = System.nanoTime();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                error = e;
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing after the test
            }
        }

        @Override
        public String toString() {
            return "conn(first=" + first + ", answers=" + answers + ", switched=" + switched + ", error=" + error + ")";
        }
    }

    /** A JVS director process in a lab namespace, with its own configuration and control socket. */
    static final class Director {
        final LabProcess process;
        final Path socket;
        final Host host;

        private Director(LabProcess process, Path socket, Host host) {
            this.process = process;
            this.socket = socket;
            this.host = host;
        }

        /** A scrape of its {@code /metrics} (127.0.0.1:9400 in its own namespace). */
        String metrics() {
            return host.call(() -> {
                try (Socket s = new Socket("127.0.0.1", 9400)) {
                    s.setSoTimeout(5000);
                    s.getOutputStream().write("GET /metrics HTTP/1.0\r\nHost: jvs\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    String r = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    assertThat(r).startsWith("HTTP/1.1 200");
                    return r;
                }
            });
        }

        /**
         * DR: one interface, one instance for the VIP. NAT: the VIP's instance on eth0 and the real servers'
         * gateway's on eth1, in one sync group; sync on the server side, as LVS pairs usually run it.
         */
        static Director start(Lab lab, Host host, String name, int priority, boolean preempt) throws IOException {
            Path socket = lab.workDir().resolve(name + ".sock");
            Path config = lab.workDir().resolve(name + ".yaml");
            boolean nat = lab.topology() == Lab.Topology.NAT;
            String preemption = preempt ? "preempt_delay: 5s" : "preempt: false";
            String instances = """
                        - name: VI_WEB
                          interface: eth0
                          virtual_router_id: 51
                          priority: %d
                          advert_int: 1s
                          version: 3
                          %s
                          virtual_ipaddress: [%s/32]
                    """.formatted(priority, preemption, Lab.VIP);
            if (nat) {
                instances += """
                            - name: VI_GW
                              interface: eth1
                              virtual_router_id: 52
                              priority: %d
                              advert_int: 1s
                              version: 3
                              %s
                              virtual_ipaddress: [%s/24]
                          sync_groups:
                            - {name: G_LVS, group: [VI_WEB, VI_GW]}
                        """.formatted(priority, preemption, Lab.NAT_GATEWAY);
            }
            String syncIf = nat ? "eth1" : "eth0";
            String interfaces = nat ? "    - {name: eth0, role: client}\n    - {name: eth1, role: server}" : "    - {name: eth0, role: both}";
            String method = nat ? "nat" : "dr";
            Files.writeString(config, """
                    director:
                      control_socket: %s
                      conn_table_size: 65536
                    metrics: {listen: 127.0.0.1:9400}
                    packet:
                      interfaces:
                    %s
                      workers: 1
                    sync:
                      daemons:
                        - {state: master, mcast_interface: %s, syncid: 5}
                        - {state: backup, mcast_interface: %s, syncid: 5}
                    vrrp:
                      instances:
                    %s
                    services:
                      - name: web
                        address: %s
                        port: 80
                        scheduler: rr
                        engine: packet
                        real_servers:
                          - {address: 192.0.2.11, port: 80, method: %s}
                          - {address: 192.0.2.12, port: 80, method: %s}
                          - {address: 192.0.2.13, port: 80, method: %s}
                    """.formatted(socket, interfaces, syncIf, syncIf, instances.stripTrailing(), Lab.VIP, method, method, method));
            LabProcess p = lab.start(host, "jvs-" + name,
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xms128m", "-Xmx256m",
                    "-Dio.netty.leakDetection.level=disabled",
                    "-cp", System.getProperty("java.class.path"), "org.jvs.director.DirectorMain", "--config", config.toString());
            p.awaitOutput("JVS director", Duration.ofSeconds(60));
            return new Director(p, socket, host);
        }

        String api(String path) throws IOException {
            return new ControlClient(socket).call("GET", path, null).body();
        }

        void awaitState(String state, Duration bound) throws Exception {
            long end = System.nanoTime() + bound.toNanos();
            String last = "";
            while (System.nanoTime() < end) {
                last = api("/v1/vrrp");
                if (last.contains("\"state\":\"" + state + "\"")) {
                    return;
                }
                Thread.sleep(20);
            }
            throw new AssertionError("not " + state + " within " + bound + ": " + last + "\n" + process.output());
        }

        /** The VI_WEB instance's state (the NAT gateway's instance follows it: one sync group). */
        String state() throws IOException {
            String body = api("/v1/vrrp");
            int i = body.indexOf("\"state\":\"");
            return i < 0 ? body : body.substring(i + 9, body.indexOf('"', i + 9));
        }

        int connections() throws IOException {
            String body = api("/v1/connections");
            return body.split("\"ESTABLISHED\"", -1).length - 1;
        }

        void stop() {
            Commands.check("kill", Long.toString(process.pid()));
        }
    }
}
