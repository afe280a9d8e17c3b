package org.jvs.director.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.director.Director;
import org.jvs.director.TestPlanes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The http engine (layer-7 switch) end to end through the director: YAML {@code engine: http}, real nginx
 * backends answering their own name, clients on keep-alive connections, changes through jvsadm and reload.
 * Loopback only.
 */
class HttpEngineEndToEndTest {
    @TempDir
    Path dir;
    NginxBackends nginx;
    Director director;
    int vip;
    int[] ports;
    Path socket;

    @BeforeEach
    void backends() throws Exception {
        ports = SocketEngineEndToEndTest.freePorts(5);
        vip = ports[3];
        Path ng = Files.createDirectory(dir.resolve("nginx"));
        nginx = NginxBackends.start(ng, List.of(new NginxBackends.Backend("a", ports[0]), new NginxBackends.Backend("b", ports[1]),
                new NginxBackends.Backend("c", ports[2]), new NginxBackends.Backend("p", ports[4], true)));
        socket = dir.resolve("jvs.sock");
    }

    @AfterEach
    void stop() {
        if (director != null) {
            director.close();
        }
        nginx.close();
    }

    String config(String scheduler, String http, int servers) {
        StringBuilder sb = new StringBuilder("""
                director: {conn_table_size: 65536, conn_table_size_v6: 64, connect_timeout: 2s, drain_timeout: 2s}
                services:
                  - address: 127.0.0.1
                    port: %d
                    engine: http
                    scheduler: %s
                %s    real_servers:
                """.formatted(vip, scheduler, http == null ? "" : http.indent(4)));
        for (int i = 0; i < servers; i++) {
            sb.append("      - {address: 127.0.0.1, port: ").append(ports[i]).append("}\n");
        }
        return sb.toString();
    }

    void startDirector(String yaml) throws IOException {
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, yaml);
        director = new Director(cfg, TestPlanes.socketAndHttp(), socket);
    }

    ServiceKey key() {
        return new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("127.0.0.1"), vip);
    }

    record Result(int exit, String out, String err) {
    }

    Result run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = TestPlanes.jvsadm(List.of(argv), socket, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    String jvsadm(String... argv) {
        Result r = run(argv);
        assertThat(r.exit()).as("jvsadm %s: %s", String.join(" ", argv), r.err()).isZero();
        return r.out();
    }

    /** A keep-alive client connection speaking HTTP/1.1 by hand. */
    static final class Client implements AutoCloseable {
        final Socket s;
        final InputStream in;
        final OutputStream out;

        Client(int port) throws IOException {
            this(connect(port));
        }

        Client(Socket connected) throws IOException {
            s = connected;
            in = s.getInputStream();
            out = s.getOutputStream();
        }

        private static Socket connect(int port) throws IOException {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
            s.setSoTimeout(5000);
            return s;
        }

        void send(String path) throws IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: www.example.com\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** The next response's body (nginx answers with the server's name), after checking the status. */
        String body() throws IOException {
            String status = line();
            assertThat(status).startsWith("HTTP/1.1 200");
            int length = -1;
            for (String h; !(h = line()).isEmpty(); ) {
                if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(h.substring(15).strip());
                }
            }
            assertThat(length).as("a Content-Length from nginx").isPositive();
            byte[] b = in.readNBytes(length);
            return new String(b, StandardCharsets.US_ASCII).strip();
        }

        String get(String path) throws IOException {
            send(path);
            return body();
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    throw new IOException("connection closed after '" + sb + "'");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            s.close();
        }
    }

    @Test
    void aProxyProtocolServerLearnsEachClientsAddressOnConnectionsOfItsOwn() throws Exception {
        String yaml = config("rr", null, 0) + "      - {address: 127.0.0.1, port: " + ports[4] + ", proxy_protocol: v2}\n";
        startDirector(yaml);
        try (Client a = new Client(vip); Client b = new Client(vip)) {
            for (int i = 0; i < 3; i++) {
                assertThat(a.get("/x")).as("nginx read the v2 header").isEqualTo("p 127.0.0.1:" + a.s.getLocalPort());
                assertThat(b.get("/x")).isEqualTo("p 127.0.0.1:" + b.s.getLocalPort());
            }
        }
        var stats = TestPlanes.httpEngine(director, key()).stats();
        assertThat(stats.connectionsOpened.sum()).as("one server connection per client, never shared").isEqualTo(2);
        assertThat(stats.connectionsReused.sum()).isEqualTo(4);
        Files.writeString(dir.resolve("jvs.yaml"), yaml.replace("proxy_protocol: v2", "proxy_protocol: v1"));
        director.reload();
        try (Client a = new Client(vip)) {
            assertThat(a.get("/x")).as("and the v1 header").isEqualTo("p 127.0.0.1:" + a.s.getLocalPort());
            assertThat(a.get("/y")).isEqualTo("p 127.0.0.1:" + a.s.getLocalPort());
        }
        assertThat(stats.connectionsOpened.sum()).isEqualTo(3);
    }

    /** A self-signed certificate for 127.0.0.1 and its PKCS#8 key, written by openssl to cert.pem / key.pem. */
    void certificate(String cn) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out",
                "cert.pem", "-days", "2", "-subj", "/CN=" + cn, "-addext", "subjectAltName=IP:127.0.0.1")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("openssl: %s", out).isZero();
    }

    /** curl, a real TLS client, trusting {@code ca}: its exit code and output. */
    Result curl(Path ca, String path) throws Exception {
        Process p = new ProcessBuilder("curl", "-sS", "--max-time", "5", "--cacert", ca.toString(), "https://127.0.0.1:" + vip + path)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out.strip(), "");
    }

    /** A keep-alive TLS client trusting the certificate now in cert.pem. */
    Client tlsClient() throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (var in = Files.newInputStream(dir.resolve("cert.pem"))) {
            ks.setCertificateEntry("jvs", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        var ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        var s = (javax.net.ssl.SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", vip);
        s.setSoTimeout(5000);
        s.startHandshake();
        return new Client(s);
    }

    @Test
    void tlsIsTerminatedWithTheFilesAndAReloadSwapsTheCertificateWithoutDroppingConnections() throws Exception {
        certificate("jvs-one");
        Path first = Files.copy(dir.resolve("cert.pem"), dir.resolve("first.pem"));
        startDirector(config("rr", "http: {tls: {certificate: cert.pem, key: key.pem}}", 1));
        assertThat(curl(first, "/x")).isEqualTo(new Result(0, "a", ""));
        try (Client old = tlsClient()) {
            assertThat(old.get("/before")).isEqualTo("a");
            certificate("jvs-two");
            director.reload();
            assertThat(old.get("/after")).as("the open TLS connection goes on").isEqualTo("a");
            assertThat(curl(dir.resolve("cert.pem"), "/x")).as("a new connection gets the new certificate")
                    .isEqualTo(new Result(0, "a", ""));
            assertThat(curl(first, "/x").exit()).as("the old one is gone").isNotZero();
            assertThat(jvsadm("-L", "--l7")).contains("tls CN=jvs-two, valid until ");
            Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
            org.assertj.core.api.Assertions.assertThatThrownBy(director::reload).hasMessageContaining("services[0].http.tls")
                    .hasMessageContaining("key.pem");
            assertThat(old.get("/still")).isEqualTo("a");
            assertThat(curl(dir.resolve("cert.pem"), "/x")).as("a refused reload keeps the certificate in use")
                    .isEqualTo(new Result(0, "a", ""));
        }
        assertThat(jvsadm("-L", "--l7")).contains("tls CN=jvs-two");
    }

    @Test
    void lblcKeepsEachTargetOnOneServerAndJvsadmListsTheService() throws Exception {
        startDirector(config("lblc", null, 3));
        Map<String, String> placed = new HashMap<>();
        try (Client c = new Client(vip)) {
            for (int round = 0; round < 3; round++) {
                for (int t = 0; t < 20; t++) {
                    String path = "/doc/" + t + ".html";
                    String got = c.get(path);
                    assertThat(placed.computeIfAbsent(path, k -> got)).as(path).isEqualTo(got);
                }
            }
        }
        String list = jvsadm("-L", "-n");
        assertThat(list).contains("TCP  127.0.0.1:" + vip + " lblc").contains("127.0.0.1:" + ports[2]);
        assertThat(jvsadm("-S", "-n")).contains("--engine http");
        long counted = director.loadBalancer().service(key()).stats().totals().conns();
        assertThat(counted).as("each request counted in the service's stats").isEqualTo(60);
        assertThat(TestPlanes.httpEngine(director, key()).stats().requests.sum()).isEqualTo(60);

        // the layer-7 listing: counters per service and server, and the locality table with its targets
        String l7 = jvsadm("-L", "--l7", "-n");
        assertThat(l7).contains("TCP  127.0.0.1:" + vip + " lblc  requests 60  refused 0  retries 0  tunnels 0  1xx 0 2xx 60 3xx 0 4xx 0 5xx 0")
                .contains("locality hit 0.667 (hits 40, new 20, moved 0, shrunk 0)  targets 20");
        long listedTargets = l7.lines().filter(l -> l.matches("  /doc/\\d+\\.html +3 .*127\\.0\\.0\\.1:\\d+")).count();
        assertThat(listedTargets).as("the 20 busiest targets, 3 requests each, on one server:\n%s", l7).isEqualTo(20);
        for (String path : placed.keySet()) {
            assertThat(l7).as("%s on the server that answered it", path).containsPattern(
                    "  " + java.util.regex.Pattern.quote(path) + " +3 .* 127\\.0\\.0\\.1:" + ports["abc".indexOf(placed.get(path))] + "\n");
        }
        Map<?, ?> json = (Map<?, ?>) org.jvs.director.api.Json.parse(jvsadm("-L", "--l7", "--json", "--targets", "5"));
        Map<?, ?> svc = (Map<?, ?>) ((List<?>) json.get("services")).getFirst();
        assertThat(svc.get("requests")).isEqualTo(60L);
        assertThat(((Map<?, ?>) svc.get("status")).get("2xx")).isEqualTo(60L);
        assertThat(((List<?>) ((Map<?, ?>) svc.get("response_time")).get("counts")).stream().mapToLong(o -> (Long) o).sum()).isEqualTo(60);
        assertThat(((Map<?, ?>) svc.get("connections")).get("opened")).as("one keep-alive client: one connection per server used")
                .isEqualTo((long) new java.util.HashSet<>(placed.values()).size());
        List<?> servers = (List<?>) svc.get("servers");
        assertThat(servers).hasSize(3);
        assertThat(servers.stream().mapToLong(o -> (Long) ((Map<?, ?>) o).get("requests")).sum()).isEqualTo(60);
        assertThat(servers.stream().mapToLong(o -> (Long) ((Map<?, ?>) o).get("pooled")).sum()).as("idle in the pools now")
                .isEqualTo(new java.util.HashSet<>(placed.values()).size());
        Map<?, ?> loc = (Map<?, ?>) svc.get("locality");
        assertThat(loc.get("targets")).isEqualTo(20L);
        assertThat((List<?>) loc.get("busiest")).hasSize(5);
        Result bad = run("-L", "--l7", "--targets", "lots");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("targets must be 0..10000");
    }

    @Test
    void contentRulesRouteByPathAndPipelinedAnswersComeBackInOrder() throws Exception {
        startDirector(config("content", """
                http:
                  rules:
                    - {name: images, path_prefix: /img/, servers: ["127.0.0.1:%d"]}
                  default_servers: ["127.0.0.1:%d", "127.0.0.1:%d"]
                """.formatted(ports[2], ports[0], ports[1]), 3));
        try (Client c = new Client(vip)) {
            assertThat(c.get("/img/logo.png")).isEqualTo("c");
            assertThat(c.get("/index.html")).isIn("a", "b");
            // three requests in one write, for two different servers: answered in request order
            c.out.write(("GET /img/1.png HTTP/1.1\r\nHost: x\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /img/2.png HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            assertThat(c.body()).isEqualTo("c");
            assertThat(c.body()).isIn("a", "b");
            assertThat(c.body()).isEqualTo("c");
        }
    }

    @Test
    void aQuiescedServerGetsNoMoreRequestsAtOnceOnTheSameConnection() throws Exception {
        startDirector(config("rr", null, 3));
        try (Client c = new Client(vip)) {
            List<String> seq = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                seq.add(c.get("/"));
            }
            assertThat(seq).containsExactly("a", "b", "c", "a", "b", "c");
            jvsadm("-e", "-t", "127.0.0.1:" + vip, "-r", "127.0.0.1:" + ports[1], "-m", "-w", "0");
            Set<String> after = new HashSet<>();
            for (int i = 0; i < 12; i++) {
                after.add(c.get("/"));
            }
            assertThat(after).containsExactlyInAnyOrder("a", "c");
        }
    }

    @Test
    void jvsadmAddsAnHttpServiceAndRefusesWhatTheEngineCannotRun() throws Exception {
        startDirector("director: {conn_table_size: 65536, conn_table_size_v6: 64}\nservices: []\n");
        String vs = "127.0.0.1:" + vip;
        Result sed = run("-A", "-t", vs, "-s", "sed", "--engine", "http");
        assertThat(sed.exit()).isNotZero();
        assertThat(sed.err()).contains("unknown layer-7 scheduler 'sed'");
        Result content = run("-A", "-t", vs, "-s", "content", "--engine", "http");
        assertThat(content.exit()).isNotZero();
        assertThat(content.err()).contains("needs content rules");
        Result persistent = run("-A", "-t", vs, "-s", "rr", "-p", "60", "--engine", "http");
        assertThat(persistent.exit()).isNotZero();
        assertThat(persistent.err()).contains("no persistence");
        assertThat(jvsadm("-L", "-n")).doesNotContain(vs);
        jvsadm("-A", "-t", vs, "-s", "lblcr", "--engine", "http");
        jvsadm("-a", "-t", vs, "-r", "127.0.0.1:" + ports[0], "-m");
        jvsadm("-a", "-t", vs, "-r", "127.0.0.1:" + ports[1], "-m");
        try (Client c = new Client(vip)) {
            String first = c.get("/same");
            for (int i = 0; i < 5; i++) {
                assertThat(c.get("/same")).isEqualTo(first);
            }
        }
        Result editSed = run("-E", "-t", vs, "-s", "sed");
        assertThat(editSed.exit()).as("-E keeps the engine: the scheduler must be a layer-7 one").isEqualTo(1);
        assertThat(editSed.err()).contains("http service").contains("unknown layer-7 scheduler 'sed'");
        assertThat(jvsadm("-L", "-n")).as("nothing changed").contains("TCP  " + vs + " lblcr");
        jvsadm("-E", "-t", vs, "-s", "wlc");
        assertThat(jvsadm("-L", "-n")).contains("TCP  " + vs + " wlc");
        try (Client c = new Client(vip)) {
            assertThat(c.get("/same")).isIn("a", "b");
        }
        assertThat(TestPlanes.httpEngine(director, new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("127.0.0.1"), vip))
                .scheduler().name()).isEqualTo("wlc");
        jvsadm("-D", "-t", vs);
        assertThat(NginxBackends.waitForPort(vip, 300)).as("listener closed with the service").isFalse();
    }

    @Test
    void reloadWithAnotherServerListKeepsTheListenerAndOpenConnections() throws Exception {
        startDirector(config("rr", null, 2));
        try (Client c = new Client(vip)) {
            Set<String> before = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                before.add(c.get("/"));
            }
            assertThat(before).containsExactlyInAnyOrder("a", "b");
            Files.writeString(dir.resolve("jvs.yaml"), config("rr", null, 3));
            director.reload();
            Set<String> after = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                after.add(c.get("/"));
            }
            assertThat(after).as("the same client connection, now over three servers").containsExactlyInAnyOrder("a", "b", "c");
        }
    }

    @Test
    void reloadUnderLoadCostsNoRequest() throws Exception {
        startDirector(config("wlc", null, 2));
        Wrk wrk = Wrk.start(vip, 8, 5);
        Thread.sleep(1500);
        Files.writeString(dir.resolve("jvs.yaml"), config("lblc", null, 3));
        director.reload();
        Thread.sleep(1000);
        Files.writeString(dir.resolve("jvs.yaml"), config("rr", null, 1));
        director.reload();
        Wrk.Result r = wrk.await();
        assertThat(r.requests()).as(r.output()).isGreaterThan(1000);
        assertThat(r.socketErrors()).as(r.output()).isZero();
        assertThat(r.non2xx()).as(r.output()).isZero();
    }

    @Test
    void badHttpBlocksAreRefusedWithTheirPlace() throws Exception {
        Path cfg = dir.resolve("bad.yaml");
        Files.writeString(cfg, config("content", """
                http:
                  rules:
                    - {path_prefix: /img/, servers: ["10.9.9.9:80"]}
                """, 2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Director(cfg, TestPlanes.socketAndHttp(), socket))
                .hasMessageContaining("names 10.9.9.9:80, not a real server of this service");
        Files.writeString(cfg, config("sed", null, 2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Director(cfg, TestPlanes.socketAndHttp(), socket))
                .hasMessageContaining("unknown layer-7 scheduler 'sed'");
        Files.writeString(cfg, config("rr", "http: {forwarded: yes-please}", 2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Director(cfg, TestPlanes.socketAndHttp(), socket))
                .hasMessageContaining("services[0].http.forwarded");
        Files.writeString(cfg, config("rr", "http: {upgrade: sometimes}", 2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Director(cfg, TestPlanes.socketAndHttp(), socket))
                .hasMessageContaining("services[0].http.upgrade").hasMessageContaining("unknown upgrade 'sometimes'");
        Files.writeString(cfg, config("rr", "http: {timeouts: {tunnel: -1s}}", 2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Director(cfg, TestPlanes.socketAndHttp(), socket))
                .hasMessageContaining("services[0].http.timeouts");
    }

    @Test
    void connectTunnelledByConfigurationReachesTheChosenServer() throws Exception {
        // nginx is no forward proxy: it refuses the CONNECT, and the client gets its answer as it is
        startDirector(config("rr", "http: {connect: tunnel}", 1));
        try (Client c = new Client(vip)) {
            c.out.write("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            assertThat(c.line()).matches("HTTP/1.1 4\\d\\d .*");
        }
        assertThat(TestPlanes.httpEngine(director, key()).stats().serverStats("127.0.0.1:" + ports[0]).statusClass[4].sum()).isEqualTo(1);
    }
}
