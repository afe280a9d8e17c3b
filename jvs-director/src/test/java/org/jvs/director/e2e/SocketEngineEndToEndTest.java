package org.jvs.director.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jvs.director.Director;
import org.jvs.director.TestPlanes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket engine end to end, as an administrator runs it: a director with a YAML file, real nginx
 * backends, real clients (raw sockets and wrk), changes through jvsadm and SIGHUP. Loopback only.
 */
class SocketEngineEndToEndTest {
    @TempDir
    Path dir;
    NginxBackends nginx;
    Director director;
    Process process;
    int vip;
    int[] ports;
    Path socket;

    @BeforeEach
    void backends() throws Exception {
        ports = freePorts(4);
        vip = ports[3];
        Path ng = Files.createDirectory(dir.resolve("nginx"));
        nginx = NginxBackends.start(ng, List.of(new NginxBackends.Backend("a", ports[0]), new NginxBackends.Backend("b", ports[1]),
                new NginxBackends.Backend("c", ports[2])));
        socket = dir.resolve("jvs.sock");
    }

    @AfterEach
    void stop() throws Exception {
        if (director != null) {
            director.close();
        }
        if (process != null) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        nginx.close();
    }

    static int[] freePorts(int n) throws IOException {
        int[] p = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                p[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return p;
    }

    String config(String scheduler, String persistence, int... weights) {
        StringBuilder sb = new StringBuilder("""
                director: {conn_table_size: 65536, conn_table_size_v6: 64, connect_timeout: 2s, drain_timeout: 2s}
                services:
                  - address: 127.0.0.1
                    port: %d
                    scheduler: %s
                %s    real_servers:
                """.formatted(vip, scheduler, persistence == null ? "" : "    persistence: " + persistence + "\n"));
        for (int i = 0; i < weights.length; i++) {
            sb.append("      - {address: 127.0.0.1, port: ").append(ports[i]).append(", method: nat, weight: ").append(weights[i]).append("}\n");
        }
        return sb.toString();
    }

    void startDirector(String yaml) throws IOException {
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, yaml);
        director = new Director(cfg, TestPlanes.socket(), socket);
    }

    String jvsadm(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = org.jvs.director.TestPlanes.jvsadm(List.of(argv), socket, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as("jvsadm %s: %s", String.join(" ", argv), err).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    Map<String, Integer> shares(int connections, String source) throws IOException {
        Map<String, Integer> n = new HashMap<>();
        for (int i = 0; i < connections; i++) {
            n.merge(Http.get(source, vip), 1, Integer::sum);
        }
        return n;
    }

    @Test
    void weightedRoundRobinThreeToOneGivesThreeQuartersOfNewConnections() throws Exception {
        startDirector(config("wrr", null, 3, 1));
        Map<String, Integer> n = shares(400, null);
        assertThat(n.keySet()).containsExactlyInAnyOrder("a", "b");
        assertThat(n.get("a") / 400.0).isBetween(0.70, 0.80);
        assertThat(jvsadm("-L", "-n", "--stats")).contains("  -> 127.0.0.1:" + ports[0]);
    }

    @Test
    void roundRobinVisitsTheServersInOrder() throws Exception {
        startDirector(config("rr", null, 1, 1, 1));
        List<String> seq = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            seq.add(Http.get(null, vip));
        }
        assertThat(seq).containsExactly("a", "b", "c", "a", "b", "c", "a", "b", "c");
    }

    @Test
    void persistenceKeepsEachClientOnOneServer() throws Exception {
        startDirector(config("rr", "300", 1, 1, 1));
        Map<String, String> firstChoice = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            for (int c = 2; c <= 10; c++) {
                String client = "127.0.0." + c;
                String got = Http.get(client, vip);
                assertThat(firstChoice.computeIfAbsent(client, k -> got)).as(client).isEqualTo(got);
            }
        }
        assertThat(firstChoice.values()).as("rr spreads the clients").contains("a", "b", "c");
    }

    @Test
    void quiescedServerKeepsItsOpenConnectionAndGetsNoNewOnes() throws Exception {
        startDirector(config("rr", null, 1, 1));
        try (Socket kept = new Socket()) {
            kept.connect(new InetSocketAddress("127.0.0.1", vip), 3000);
            kept.setSoTimeout(5000);
            String first = Http.exchange(kept);
            int idx = first.equals("a") ? 0 : 1;
            jvsadm("-e", "-t", "127.0.0.1:" + vip, "-r", "127.0.0.1:" + ports[idx], "-m", "-w", "0");
            assertThat(shares(20, null)).doesNotContainKey(first);
            assertThat(Http.exchange(kept)).as("the open connection still reaches its server").isEqualTo(first);
            assertThat(jvsadm("-L", "-n")).contains("127.0.0.1:" + ports[idx] + " ".repeat(28 - ("127.0.0.1:" + ports[idx]).length())
                    + " Masq    0      1");
        }
    }

    @Test
    void removingAndReAddingAServerUnderLoadCostsNoRequest() throws Exception {
        startDirector(config("rr", null, 1, 1, 1));
        Wrk wrk = Wrk.start(vip, 8, 6);
        Thread.sleep(1500);
        jvsadm("-d", "-t", "127.0.0.1:" + vip, "-r", "127.0.0.1:" + ports[1]);
        Thread.sleep(2000);
        jvsadm("-a", "-t", "127.0.0.1:" + vip, "-r", "127.0.0.1:" + ports[1], "-m", "-w", "1");
        Wrk.Result r = wrk.await();
        assertThat(r.requests()).as(r.output()).isGreaterThan(1000);
        assertThat(r.socketErrors()).as(r.output()).isZero();
        assertThat(r.non2xx()).as(r.output()).isZero();
        assertThat(shares(30, null)).as("the re-added server takes new connections").containsKey("b");
    }

    @Test
    void sighupReloadUnderLoadCostsNoRequest() throws Exception {
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, config("rr", null, 1, 1));
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "--enable-native-access=ALL-UNNAMED",
                "org.jvs.director.DirectorMain", "--config", cfg.toString(), "--socket", socket.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("director.log").toFile()).start();
        assertThat(NginxBackends.waitForPort(vip, 20_000)).as("director listening").isTrue();
        Wrk wrk = Wrk.start(vip, 8, 6);
        Thread.sleep(1500);
        Files.writeString(cfg, config("wrr", null, 1, 2, 3));
        new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
        Wrk.Result r = wrk.await();
        assertThat(r.requests()).as(r.output()).isGreaterThan(1000);
        assertThat(r.socketErrors()).as(r.output()).isZero();
        assertThat(r.non2xx()).as(r.output()).isZero();
        assertThat(jvsadm("-L", "-n")).contains("wrr").contains("127.0.0.1:" + ports[2]);
        assertThat(Files.readString(dir.resolve("director.log"))).contains("reloaded");
    }

    @Test
    void udpServiceReachesARealDnsServer() throws Exception {
        int[] p = freePorts(2);
        Process dns = new ProcessBuilder("dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts", "--bind-interfaces",
                "--listen-address=127.0.0.1", "--port=" + p[0], "--address=/jvs.test/10.1.2.3", "--pid-file=" + dir.resolve("dnsmasq.pid"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("dnsmasq.log").toFile()).start();
        try {
            startDirector("""
                    director: {conn_table_size: 4096, conn_table_size_v6: 64}
                    services:
                      - {protocol: udp, address: 127.0.0.1, port: %d, scheduler: rr,
                         real_servers: [{address: 127.0.0.1, port: %d, method: nat}]}
                    """.formatted(p[1], p[0]));
            byte[] answer = null;
            for (int attempt = 0; attempt < 20 && answer == null; attempt++) {
                answer = dnsQuery(p[1], "jvs.test");
            }
            assertThat(answer).as("an answer through the UDP service").isNotNull();
            assertThat(lastARecord(answer)).isEqualTo(new byte[] {10, 1, 2, 3});
            assertThat(jvsadm("-L", "-n", "-c")).contains("UDP ");
        } finally {
            dns.destroy();
            dns.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** One DNS A query for {@code name}; null on timeout. */
    static byte[] dnsQuery(int port, String name) throws IOException {
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        q.write(new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            q.write(label.length());
            q.write(label.getBytes(StandardCharsets.US_ASCII));
        }
        q.write(new byte[] {0, 0, 1, 0, 1});
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(500);
            byte[] req = q.toByteArray();
            s.send(new DatagramPacket(req, req.length, InetAddress.getLoopbackAddress(), port));
            byte[] buf = new byte[512];
            DatagramPacket resp = new DatagramPacket(buf, buf.length);
            try {
                s.receive(resp);
            } catch (java.net.SocketTimeoutException e) {
                return null;
            }
            return java.util.Arrays.copyOf(buf, resp.getLength());
        }
    }

    /** The last 4 bytes of a response with one A answer are its address. */
    static byte[] lastARecord(byte[] answer) {
        assertThat(answer[0]).isEqualTo((byte) 0x12);
        assertThat(((answer[6] & 0xFF) << 8) | (answer[7] & 0xFF)).as("answer count").isEqualTo(1);
        return java.util.Arrays.copyOfRange(answer, answer.length - 4, answer.length);
    }
}
