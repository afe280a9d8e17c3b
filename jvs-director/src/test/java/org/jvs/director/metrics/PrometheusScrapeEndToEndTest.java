package org.jvs.director.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real Prometheus server (Debian's {@code prometheus}, installed by {@code bin/jvs test}) scrapes a running
 * director every second; PromQL through Prometheus' HTTP API then returns JVS' series with the values the traffic
 * made: the target is up, the service's connection counter is what the test sent, and a rate over it is computed.
 * Prometheus runs on loopback with its data in the test's temporary directory and is stopped after the test.
 */
@Timeout(120)
class PrometheusScrapeEndToEndTest extends MetricsFixture {
    Process prometheus;

    @AfterEach
    void stopPrometheus() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    @Test
    void prometheusScrapesTheDirectorAndPromqlReturnsItsSeries() throws Exception {
        start("metrics: {listen: 127.0.0.1:0}");
        var key = (org.jvs.core.model.ServiceKey.Virtual) director.loadBalancer().services().get(0).key();
        int promPort = freePort();
        Path yml = dir.resolve("prometheus.yml");
        Files.writeString(yml, """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: jvs
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(director.metricsPort()));
        Path log = dir.resolve("prometheus.log");
        prometheus = new ProcessBuilder("prometheus", "--config.file=" + yml, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + promPort, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();

        for (int i = 0; i < 5; i++) {
            request(key.port());
        }
        String service = "tcp 127.0.0.1:" + key.port();
        String conns = awaitValue(promPort, "jvs_service_connections_total{service=\"" + service + "\"}", "5", log);
        assertThat(conns).isEqualTo("5");
        assertThat(awaitValue(promPort, "up{job=\"jvs\"}", "1", log)).isEqualTo("1");
        assertThat(awaitValue(promPort, "jvs_conn_table_capacity{family=\"ipv4\"}", "4096", log)).isEqualTo("4096");
        for (int i = 0; i < 5; i++) {
            request(key.port());
        }
        assertThat(awaitValue(promPort, "sum(jvs_server_connections_total{service=\"" + service + "\"})", "10", log)).isEqualTo("10");
        String rate = query(promPort, "rate(jvs_service_connections_total{service=\"" + service + "\"}[1m])");
        assertThat(rate).as("a rate computed by Prometheus: " + rate).contains("\"resultType\":\"vector\"").contains(service);
    }

    /** Polls a PromQL instant query until its first value is {@code want} (at most 40 s); that value. */
    private String awaitValue(int port, String promql, String want, Path log) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        String last = "";
        while (System.nanoTime() < end) {
            assertThat(prometheus.isAlive()).as("prometheus running: " + Files.readString(log)).isTrue();
            try {
                last = query(port, promql);
                Matcher m = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"]").matcher(last);
                if (m.find() && m.group(1).equals(want)) {
                    return m.group(1);
                }
            } catch (java.io.IOException notYet) {
                last = notYet.toString(); // Prometheus still starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError(promql + " never became " + want + "; last answer: " + last + "\nprometheus log:\n" + Files.readString(log));
    }

    private static String query(int port, String promql) throws Exception {
        try (HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            return c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                    + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }
}
