package org.jvs.director.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.jvs.director.Director;
import org.jvs.director.TestPlanes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A director in this JVM with a socket service and an http service on loopback in front of one small backend, for
 * the metrics tests; closed after each test.
 */
abstract class MetricsFixture {
    @TempDir
    Path dir;
    Director director;
    org.jvs.proxy.NamedHttpBackend backend;

    @AfterEach
    void stop() throws IOException {
        if (director != null) {
            director.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    /** The quickstart's backend (Netty, HTTP/1.1 keep-alive, answers its name) on a free loopback port. */
    int startBackend() {
        backend = org.jvs.proxy.NamedHttpBackend.start("backend", "127.0.0.1", 0);
        return backend.port();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    Director start(String metrics) throws Exception {
        int be = startBackend();
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, """
                director: {conn_table_size: 4096, conn_table_size_v6: 64}
                %s
                services:
                  - {address: 127.0.0.1, port: %d, max_conn_per_source: 50, health_check: {type: tcp, delay_loop: 1s}, real_servers: [{address: 127.0.0.1, port: %d, weight: 3}]}
                  - {address: 127.0.0.1, port: %d, engine: http, real_servers: [{address: 127.0.0.1, port: %d}]}
                """.formatted(metrics, freePort(), be, freePort(), be));
        director = new Director(cfg, TestPlanes.socketAndHttp(), dir.resolve("jvs.sock"));
        return director;
    }

    static HttpResponse<String> get(int port, String accept, String auth) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"));
        if (accept != null) {
            r.header("Accept", accept);
        }
        if (auth != null) {
            r.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8)));
        }
        try (HttpClient c = HttpClient.newHttpClient()) {
            return c.send(r.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    static void request(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(3000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String r = new String(s.getInputStream().readNBytes(15), StandardCharsets.US_ASCII);
            assertThat(r).startsWith("HTTP/1.1 200");
        }
    }
}
