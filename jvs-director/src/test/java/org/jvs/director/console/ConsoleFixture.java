package org.jvs.director.console;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jvs.director.AuditCapture;
import org.jvs.director.Director;
import org.jvs.director.TestPlanes;
import org.jvs.director.api.Json;
import org.jvs.proxy.NamedHttpBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A director in this JVM running the quickstart's service (three named HTTP backends, round robin, HTTP health
 * checks) and a second service whose name is markup, with the console on a free loopback port, a read-write
 * user {@code alice} and a read-only user {@code noc}; curl as the client, trusting the console's self-signed
 * certificate by file. The audit log is captured.
 */
abstract class ConsoleFixture {
    static final String ALICE = "alice-password-1";
    static final String NOC = "noc-password-12";
    static final String MARKUP_NAME = "<img src=x id=injected><script>window.injected=1</script>";
    /** The hashes are made once: each costs a real Argon2id run. */
    static final String ALICE_HASH = PasswordHash.hash(ALICE.toCharArray()).encoded();
    static final String NOC_HASH = PasswordHash.hash(NOC.toCharArray()).encoded();

    @TempDir
    Path dir;
    Director director;
    final List<NamedHttpBackend> backends = new ArrayList<>();
    int servicePort;
    int otherPort;
    AuditCapture audit;

    @AfterEach
    void stopAll() {
        if (audit != null) {
            audit.close();
        }
        if (director != null) {
            director.close();
        }
        for (NamedHttpBackend b : backends) {
            b.close();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String users() {
        return "    - {name: alice, access: read-write, password: \"" + ALICE_HASH + "\"}\n"
                + "    - {name: noc, access: read-only, password: \"" + NOC_HASH + "\"}\n";
    }

    Path writeConfig(String users) throws IOException {
        StringBuilder servers = new StringBuilder();
        for (NamedHttpBackend b : backends) {
            servers.append("      - {address: 127.0.0.1, port: ").append(b.port()).append(", method: nat}\n");
        }
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, """
                director: {conn_table_size: 4096, conn_table_size_v6: 64}
                services:
                  - name: quickstart
                    protocol: tcp
                    address: 127.0.0.1
                    port: %d
                    scheduler: rr
                    health_check: {type: http, path: /, delay_loop: 1s, connect_timeout: 1s}
                    real_servers:
                %s  - name: '%s'
                    address: 127.0.0.1
                    port: %d
                    real_servers: [{address: 127.0.0.1, port: %d, method: nat, weight: 2}]
                console:
                  listen: 127.0.0.1:0
                  users:
                %s""".formatted(servicePort, servers, MARKUP_NAME, otherPort, backends.getFirst().port(), users));
        return cfg;
    }

    void start() throws IOException {
        for (int i = 1; i <= 3; i++) {
            backends.add(NamedHttpBackend.start("backend-" + i, "127.0.0.1", 0));
        }
        servicePort = freePort();
        otherPort = freePort();
        Path cfg = writeConfig(users());
        audit = new AuditCapture();
        director = new Director(cfg, TestPlanes.socket(), dir.resolve("run/jvs.sock"));
    }

    String base() {
        return "https://127.0.0.1:" + director.consolePort();
    }

    List<String> audit() {
        return audit.lines();
    }

    record Answer(int status, String body, String headers) {
        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            return (Map<String, Object>) Json.parse(body);
        }
    }

    /**
     * curl trusting the console's certificate: {@code jar} (may be null) keeps the cookies between calls; a
     * body is sent as JSON unless a Content-Type is among {@code headers}.
     */
    Answer curl(String jar, String method, String path, String body, String... headers) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "--cacert", dir.resolve("jvs-api.crt").toString(),
                "-X", method, "-D", dir.resolve("headers").toString(), "-o", dir.resolve("body").toString(), "-w", "%{http_code}"));
        if (jar != null) {
            cmd.addAll(List.of("-b", dir.resolve(jar).toString(), "-c", dir.resolve(jar).toString()));
        }
        boolean typed = false;
        for (String h : headers) {
            cmd.addAll(List.of("-H", h));
            typed |= h.toLowerCase(java.util.Locale.ROOT).startsWith("content-type:");
        }
        if (body != null) {
            if (!typed) {
                cmd.addAll(List.of("-H", "Content-Type: application/json"));
            }
            cmd.addAll(List.of("--data-binary", body));
        }
        cmd.add(base() + path);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new AssertionError("curl failed: " + out);
        }
        return new Answer(Integer.parseInt(out.substring(out.length() - 3)), Files.readString(dir.resolve("body")),
                Files.readString(dir.resolve("headers")));
    }

    /** Logs in through curl; the session cookie lands in {@code jar}; returns the session's CSRF token. */
    String login(String jar, String user, String password) throws Exception {
        Answer a = curl(jar, "POST", "/login", "{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}");
        if (a.status() != 200) {
            throw new AssertionError("login " + user + ": " + a.status() + " " + a.body());
        }
        return (String) a.json().get("csrf");
    }

    /** Which backend answered one plain HTTP request to the quickstart service. */
    String hit() throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), servicePort)) {
            s.setSoTimeout(3000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            int at = r.indexOf("backend-");
            return at < 0 ? r : r.substring(at, at + 9);
        }
    }

    /** The quickstart's server behind backend {@code i} (1-3) as the API names it. */
    String server(int i) {
        return "127.0.0.1:" + backends.get(i - 1).port();
    }

    String service() {
        return "tcp 127.0.0.1:" + servicePort;
    }

    /** Polls until {@code check} holds, at most {@code millis}; false if it never did. */
    static boolean eventually(long millis, java.util.function.BooleanSupplier check) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            if (check.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return check.getAsBoolean();
    }
}
