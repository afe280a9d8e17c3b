package org.jvs.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jvs.proxy.http.sched.L7Schedulers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine end to end on loopback, against three recording servers; no buffer may leak. */
@org.junit.jupiter.api.extension.ExtendWith(LeakCheckExtension.class)
class HttpEngineTest {

    final List<ScriptedBackend> backends = new ArrayList<>();
    HttpEngine engine;
    InetSocketAddress vip;

    @BeforeEach
    void start() throws Exception {
        start("lblc");
    }

    void start(String scheduler) throws Exception {
        start(scheduler, 3, 60, HttpTimeouts.DEFAULT);
    }

    void start(String scheduler, int servers, int high, HttpTimeouts timeouts) throws Exception {
        start(scheduler, servers, high, timeouts, 2);
    }

    void start(String scheduler, int servers, int high, HttpTimeouts timeouts, int loops) throws Exception {
        List<HttpBackend> list = new ArrayList<>();
        for (int i = 1; i <= servers; i++) {
            ScriptedBackend b = new ScriptedBackend("rs" + i);
            backends.add(b);
            list.add(new HttpBackend("rs" + i, b.address(), 1, high / 2, high));
        }
        engine = new HttpEngine(new HttpServiceConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), list,
                scheduler, L7Schedulers.Options.DEFAULT, null, timeouts, HttpServiceConfig.ClientAddress.X_FORWARDED_FOR, null),
                "epoll", loops);
        vip = engine.start();
    }

    void restart(String scheduler, int servers, int high, HttpTimeouts timeouts) throws Exception {
        stop();
        backends.clear();
        start(scheduler, servers, high, timeouts);
    }

    @Test
    void serversAreToldTheClientAddress() throws Exception {
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            exchange(s, "GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 192.0.2.7\r\n\r\n");
        }
        assertThat(backends.get(0).received.getFirst())
                .isEqualTo("GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 192.0.2.7\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n");
    }

    @Test
    void admissionHoldsRequestsBeyondTheSumOfHighThresholds() throws Exception {
        restart("lblc", 1, 2, HttpTimeouts.DEFAULT);
        List<Thread> clients = new ArrayList<>();
        List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 4; i++) {
            int n = i;
            clients.add(Thread.ofVirtual().start(() -> {
                try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
                    s.setSoTimeout(10000);
                    answers.add(exchange(s, "GET /slow/" + n + " HTTP/1.1\r\nHost: x\r\n\r\n"));
                } catch (IOException e) {
                    answers.add(e.toString());
                }
            }));
        }
        for (Thread t : clients) {
            t.join();
        }
        assertThat(answers).hasSize(4).allMatch(a -> a.startsWith("HTTP/1.1 200"));
        assertThat(backends.get(0).maxActive.get()).as("never more than Σ high = 2 in flight").isLessThanOrEqualTo(2);
        assertThat(engine.inFlight()).isZero();
    }

    @Test
    void aRequestQueuedPastTheQueueTimeoutGets503() throws Exception {
        java.time.Duration s1 = java.time.Duration.ofSeconds(10);
        restart("lblc", 1, 1, new HttpTimeouts(s1, s1, s1, s1, s1, java.time.Duration.ofMillis(100)));
        try (Socket slow = new Socket(vip.getAddress(), vip.getPort()); Socket next = new Socket(vip.getAddress(), vip.getPort())) {
            slow.setSoTimeout(5000);
            next.setSoTimeout(5000);
            slow.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            while (backends.get(0).active.get() == 0) {
                Thread.onSpinWait();
            }
            next.getOutputStream().write("GET /next HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(new String(next.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                    .startsWith("HTTP/1.1 503 Service Unavailable");
            assertThat(readResponse(slow.getInputStream())).startsWith("HTTP/1.1 200");
        }
        assertThat(backends.get(0).received).hasSize(1);
    }

    void restart(HttpServiceConfig.Tunnels tunnels, HttpTimeouts timeouts) throws Exception {
        stop();
        backends.clear();
        ScriptedBackend b = new ScriptedBackend("rs1");
        backends.add(b);
        engine = new HttpEngine(new HttpServiceConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                List.of(new HttpBackend("rs1", b.address(), 1)), "lblc", L7Schedulers.Options.DEFAULT, null, timeouts, null, null, tunnels),
                "epoll", 2);
        vip = engine.start();
    }

    static final String WEBSOCKET = "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    /** Sends {@code n} bytes through a tunnel and reads them back (the backend echoes). */
    static void echo(Socket s, int n) throws IOException {
        byte[] data = new byte[n];
        new java.util.Random(n).nextBytes(data);
        Thread w = Thread.ofVirtual().start(() -> {
            try {
                s.getOutputStream().write(data);
            } catch (IOException e) {
                // the read below fails too
            }
        });
        assertThat(s.getInputStream().readNBytes(n)).isEqualTo(data);
        try {
            w.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aWebsocketUpgradeBecomesATunnelBothWays() throws Exception {
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(WEBSOCKET.getBytes(StandardCharsets.ISO_8859_1));
            String head = ScriptedBackend.readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 101 Switching Protocols\r\n").contains("\r\nUpgrade: websocket\r\n")
                    .contains("\r\nConnection: upgrade\r\n");
            echo(s, 5);
            echo(s, 1 << 20); // more than any buffer on the way: back-pressure both ways
        }
        assertThat(backends.get(0).received.getFirst()).as("the server is asked to upgrade")
                .contains("\r\nUpgrade: websocket\r\n").contains("\r\nConnection: upgrade\r\n")
                .contains("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        assertThat(engine.stats().tunnels.sum()).isEqualTo(1);
        assertThat(engine.stats().statusClass[1].sum()).isEqualTo(1);
        long end = System.nanoTime() + 5_000_000_000L;
        while (engine.servers().get(0).conns() != 0 || engine.stats().serverStats("rs1").open.sum() != 0) {
            assertThat(System.nanoTime()).as("the tunnel's server connection closes with the client").isLessThan(end);
            Thread.sleep(10);
        }
    }

    @Test
    void withUpgradeIgnoredTheServerSeesAPlainRequest() throws Exception {
        restart(new HttpServiceConfig.Tunnels(false, false), HttpTimeouts.DEFAULT);
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            assertThat(exchange(s, WEBSOCKET)).startsWith("HTTP/1.1 200 OK").endsWith("rs1 /chat");
        }
        assertThat(backends.get(0).received.getFirst()).doesNotContainIgnoringCase("upgrade");
    }

    @Test
    void connectIsRefusedUnlessTheServiceTunnelsIt() throws Exception {
        String connect = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n";
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(connect.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 501 ");
        }
        restart(new HttpServiceConfig.Tunnels(true, true), HttpTimeouts.DEFAULT);
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(connect.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(ScriptedBackend.readHead(s.getInputStream())).startsWith("HTTP/1.1 200 Connection established\r\n");
            echo(s, 70_000);
        }
        assertThat(backends.get(0).received.getFirst()).startsWith("CONNECT example.com:443 HTTP/1.1\r\n");
    }

    @Test
    void anIdleTunnelClosesAtTheTunnelTimeoutAndAnUnasked101IsA502() throws Exception {
        java.time.Duration s10 = java.time.Duration.ofSeconds(10);
        restart(HttpServiceConfig.Tunnels.DEFAULT, new HttpTimeouts(s10, s10, s10, s10, s10, s10, java.time.Duration.ofMillis(300)));
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(WEBSOCKET.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(ScriptedBackend.readHead(s.getInputStream())).startsWith("HTTP/1.1 101 ");
            echo(s, 10);
            long t0 = System.nanoTime();
            assertThat(s.getInputStream().read()).as("closed when idle").isEqualTo(-1);
            assertThat(System.nanoTime() - t0).isGreaterThan(200_000_000L);
        }
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /switch HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 502 ");
        }
    }

    @Test
    void overTlsRequestsAndTunnelsWorkAndReleaseEveryBuffer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out",
                "cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1").directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        ServerTls tls = ServerTls.load(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        assertThat(tls.subject()).isEqualTo("CN=127.0.0.1");
        engine.tls(tls);
        javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {
            }

            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {
            }

            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        try (Socket s = trustAll.getSocketFactory().createSocket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            assertThat(exchange(s, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200 OK").endsWith("rs1 /a");
            assertThat(exchange(s, "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")).endsWith(" /b");
        }
        try (Socket s = trustAll.getSocketFactory().createSocket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(WEBSOCKET.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(ScriptedBackend.readHead(s.getInputStream())).startsWith("HTTP/1.1 101 ");
            echo(s, 200_000);
        }
        try (Socket plain = new Socket(vip.getAddress(), vip.getPort())) {
            plain.setSoTimeout(5000);
            plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            plain.getInputStream().readAllBytes(); // whatever the TLS layer answers, it is not HTTP, and it closes
        }
        assertThat(backends.get(0).received).hasSize(3);
    }

    @AfterEach
    void stop() throws IOException {
        engine.close();
        for (ScriptedBackend b : backends) {
            b.close();
        }
    }

    @Test
    void keepAliveRequestsAreScheduledOneByOneAndReusePooledConnections() throws Exception {
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            String a = exchange(s, "GET /a.html HTTP/1.1\r\nHost: x\r\n\r\n");
            String b = exchange(s, "GET /b.html HTTP/1.1\r\nHost: x\r\n\r\n");
            String a2 = exchange(s, "GET /a.html?v=2 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(a).startsWith("HTTP/1.1 200 OK").endsWith(" /a.html").doesNotContain("Keep-Alive");
            assertThat(body(a2)).as("LBLC keeps the target on its server").startsWith(body(a).split(" ")[0]);
            assertThat(body(b)).as("all servers idle: least connection, ties to the first").startsWith("rs1 ");
        }
        int opened = backends.stream().mapToInt(b -> b.connections.get()).sum();
        assertThat(opened).as("three requests, one pooled connection").isEqualTo(1);
        assertThat(engine.stats().connectionsReused.sum()).isEqualTo(2);
    }

    @Test
    void countersFollowEachRequestToItsServerAndTheLocalityTable() throws Exception {
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            exchange(s, "GET /a.html HTTP/1.1\r\nHost: x\r\n\r\n");
            exchange(s, "GET /a.html?v=2 HTTP/1.1\r\nHost: x\r\n\r\n");
            exchange(s, "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"); // ScriptedBackend: 404
        }
        HttpStats st = engine.stats();
        ServerStats rs1 = st.serverStats("rs1");
        assertThat(st.requests.sum()).isEqualTo(3);
        assertThat(st.statusClass[2].sum()).isEqualTo(2);
        assertThat(st.statusClass[4].sum()).isEqualTo(1);
        assertThat(rs1.requests.sum()).as("all idle: every target goes to rs1").isEqualTo(3);
        assertThat(rs1.statusClass[2].sum() + rs1.statusClass[4].sum()).isEqualTo(3);
        assertThat(java.util.Arrays.stream(rs1.responseTime.counts()).sum()).isEqualTo(3);
        assertThat(java.util.Arrays.stream(st.responseTime.counts()).sum()).isEqualTo(3);
        assertThat(rs1.connectionsOpened.sum()).isEqualTo(1);
        assertThat(rs1.connectionsReused.sum()).isEqualTo(2);
        // after the client is gone the one server connection stays open, idle in the pool
        assertThat(rs1.pooled.sum()).isEqualTo(1);
        assertThat(rs1.open.sum()).isEqualTo(1);
        assertThat(st.serverStats("rs2").requests.sum()).isZero();
        var l = (org.jvs.proxy.http.sched.Locality) engine.scheduler();
        assertThat(l.counts()).isEqualTo(new org.jvs.proxy.http.sched.Locality.Counts(1, 2, 0, 0));
        assertThat(l.targets()).isEqualTo(2);
        assertThat(l.busiest(1)).singleElement().satisfies(t -> {
            assertThat(t.path()).isEqualTo("/a.html");
            assertThat(t.requests()).isEqualTo(2);
            assertThat(t.servers()).isEqualTo(1L);
        });
        engine.close();
        assertThat(rs1.open.sum()).as("closing the engine closes its pooled connections").isZero();
        assertThat(rs1.pooled.sum()).isZero();
    }

    @Test
    void pipelinedRequestsAnswerInOrderFromDifferentServers() throws Exception {
        stop();
        backends.clear();
        start("rr");
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET /slow/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /chunked/3 HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String r1 = readResponse(s.getInputStream());
            String r2 = readResponse(s.getInputStream());
            String r3 = readResponse(s.getInputStream());
            assertThat(body(r1)).isEqualTo("rs1 /slow/1");
            assertThat(body(r2)).isEqualTo("rs2 /two");
            assertThat(r3).contains("Transfer-Encoding: chunked").contains("rs3 /chunked/3");
        }
    }

    @Test
    void bodiesStreamThroughChunkedOrByLength() throws Exception {
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            String r = exchange(s, "POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world");
            assertThat(r).startsWith("HTTP/1.1 200");
            String c = exchange(s, "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nT: 1\r\n\r\n");
            assertThat(c).startsWith("HTTP/1.1 200");
        }
        List<String> all = backends.stream().flatMap(b -> b.received.stream()).toList();
        assertThat(all).anyMatch(x -> x.endsWith("\r\n\r\nhello world"));
        assertThat(all).anyMatch(x -> x.endsWith("5;x=1\r\nhello\r\n0\r\nT: 1\r\n\r\n"));
    }

    @Test
    void aCloseDelimitedResponseEndsTheClientConnection() throws Exception {
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /close HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(all).startsWith("HTTP/1.1 200 OK\r\n").contains("Connection: close\r\n").endsWith(" /close");
        }
    }

    @Test
    void aSmugglingAttemptIsRefusedAndNeverForwarded() throws Exception {
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(all).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("Connection: close");
        }
        assertThat(backends.stream().mapToInt(b -> b.received.size()).sum()).isZero();
    }

    @Test
    void http10ClientsKeepAliveOnlyWhenTheyAsk() throws Exception {
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            String r = exchange(s, "GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(r).contains("Connection: keep-alive\r\n");
            s.getOutputStream().write("GET /k2 HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String last = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(last).contains("Connection: close\r\n").endsWith(" /k2");
        }
        assertThat(backends.stream().flatMap(b -> b.received.stream())).allMatch(x -> x.contains("Connection: keep-alive\r\n"));
    }

    static boolean refuses(InetSocketAddress a) {
        try (Socket probe = new Socket()) {
            probe.connect(a, 1000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void aRetryAfterAReusedConnectionDiedOpensANewOneRatherThanTrustTheNextPooled() throws Exception {
        stop();
        backends.clear();
        start("lblc", 1, 60, HttpTimeouts.DEFAULT, 1); // one loop: one pool
        List<Thread> two = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int n = i;
            two.add(Thread.ofVirtual().start(() -> {
                try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
                    s.setSoTimeout(5000);
                    exchange(s, "GET /slow/" + n + " HTTP/1.1\r\nHost: x\r\n\r\n");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
        for (Thread t : two) {
            t.join();
        }
        assertThat(engine.stats().serverStats("rs1").pooled.sum()).as("two idle connections in the pool").isEqualTo(2);
        backends.get(0).dropReused = true; // as if the server restarted: both pooled connections die when used
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            String r = exchange(s, "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(r).startsWith("HTTP/1.1 200 OK").endsWith("rs1 /after");
        }
        assertThat(engine.stats().retries.sum()).isEqualTo(1);
        assertThat(backends.get(0).connections.get()).as("the retry's own connection").isEqualTo(3);
    }

    @Test
    void aDeadServerGivesA502OrMovesOn() throws Exception {
        backends.get(0).close();
        backends.get(1).close();
        backends.get(2).close();
        // Closing a listening socket is not instant for a connect already in flight: one that completes in the
        // kernel's backlog first is then reset, and is a 502 (connected, no answer). Wait until all refuse.
        for (ScriptedBackend b : backends) {
            long end = System.currentTimeMillis() + 5000;
            while (!refuses(b.address())) {
                assertThat(System.currentTimeMillis()).as("%s still accepts", b.name).isLessThan(end);
                Thread.sleep(10);
            }
        }
        try (Socket s = new Socket(vip.getAddress(), vip.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(all).startsWith("HTTP/1.1 503 Service Unavailable");
        }
        for (int i = 0; i < 3; i++) {
            assertThat(engine.servers().get(i).conns()).as("load released").isZero();
        }
    }

    static String exchange(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        return readResponse(s.getInputStream());
    }

    static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    /** One response: head, then a Content-Length or chunked body. */
    static String readResponse(InputStream in) throws IOException {
        String head = ScriptedBackend.readHead(in);
        assertThat(head).as("a response").isNotNull();
        String lower = head.toLowerCase();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int i = lower.indexOf("content-length: ");
        if (i >= 0) {
            int n = Integer.parseInt(lower.substring(i + 16, lower.indexOf("\r\n", i)).strip());
            body.write(in.readNBytes(n));
        } else if (lower.contains("transfer-encoding: chunked")) {
            int c;
            int crlfcrlf = 0;
            while (crlfcrlf < 4 && (c = in.read()) >= 0) {
                body.write(c);
                crlfcrlf = (c == '\r' && crlfcrlf % 2 == 0) || (c == '\n' && crlfcrlf % 2 == 1) ? crlfcrlf + 1 : 0;
                if (body.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n0\r\n\r\n")) {
                    break;
                }
            }
        }
        return head + body.toString(StandardCharsets.ISO_8859_1);
    }
}
