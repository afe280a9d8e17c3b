package org.jvs.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Notifications leave through a real command and a real HTTP server on loopback, and never block the caller. */
class NotifierTest {
    static final ServiceKey WEB = new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("127.0.0.1"), 8080);
    static final HealthEvent DOWN = new HealthEvent(HealthEvent.Kind.DOWN, WEB, "127.0.0.1:8081", "status 503 not in [200-299] \"x\"",
            Instant.parse("2026-01-02T03:04:05Z"));

    @TempDir
    Path dir;

    @Test
    void theNotifyCommandGetsStateServiceDestAndReasonAsArguments() throws Exception {
        Path out = dir.resolve("args");
        Notifier n = new Notifier(new HealthConfig.Global(4, List.of("sh", "-c", "printf '%s|' \"$@\" > " + out, "notify"), null,
                Duration.ofSeconds(5)), null);
        n.fire(DOWN);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(out) || Files.size(out) == 0) {
            assertThat(System.nanoTime()).as("command ran").isLessThan(end);
            Thread.sleep(20);
        }
        Thread.sleep(100);
        assertThat(Files.readString(out)).isEqualTo("DOWN|tcp 127.0.0.1:8080|127.0.0.1:8081|status 503 not in [200-299] \"x\"|");
    }

    @Test
    void theWebhookReceivesOneJsonPostPerEvent() throws Exception {
        BlockingQueue<String> bodies = new ArrayBlockingQueue<>(4);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", ex -> {
            bodies.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Content-Type") + " "
                    + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
            new Notifier(new HealthConfig.Global(4, List.of(), url, Duration.ofSeconds(5)), null).fire(DOWN);
            assertThat(bodies.poll(10, TimeUnit.SECONDS)).isEqualTo("POST application/json {\"event\":\"DOWN\",\"service\":\"tcp 127.0.0.1:8080\","
                    + "\"dest\":\"127.0.0.1:8081\",\"reason\":\"status 503 not in [200-299] \\\"x\\\"\",\"time\":\"2026-01-02T03:04:05Z\"}");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aWebhookThatNeverAnswersOrAMissingCommandDoesNotHoldUpTheCaller() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            URI url = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/");
            Notifier n = new Notifier(new HealthConfig.Global(4, List.of(dir.resolve("no-such-command").toString()), url,
                    Duration.ofMillis(300)), null);
            long start = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                n.fire(DOWN);
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("fire() returns without waiting").isLessThan(2000);
        }
    }
}
