package org.jvs.director.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jvs.director.Director;
import org.jvs.director.TestPlanes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of a director with 1 000 services of 10 real servers each (socket engine, VIPs on loopback
 * 127.1.x.y): every service and server is in the scrape, and the scrape's size and time are printed (figures for
 * docs/metrics.md, not assertions: the machine is shared).
 */
class MetricsScaleTest {
    static final int SERVICES = 1000;
    static final int SERVERS = 10;

    @TempDir
    Path dir;
    Director director;

    @AfterEach
    void stop() {
        if (director != null) {
            director.close();
        }
    }

    @Test
    void aThousandServicesOfTenServersAreAllScraped() throws Exception {
        StringBuilder y = new StringBuilder("""
                director: {conn_table_size: 65536, conn_table_size_v6: 64}
                metrics: {listen: 127.0.0.1:0}
                services:
                """);
        for (int i = 0; i < SERVICES; i++) {
            y.append("  - {address: 127.1.").append(i / 250).append('.').append(i % 250 + 1).append(", port: 8080, real_servers: [");
            for (int j = 0; j < SERVERS; j++) {
                y.append(j == 0 ? "" : ", ").append("{address: 127.0.0.1, port: ").append(9000 + j).append('}');
            }
            y.append("]}\n");
        }
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, y);
        director = new Director(cfg, TestPlanes.socket(), dir.resolve("jvs.sock"));
        String body = "";
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            body = MetricsFixture.get(director.metricsPort(), null, null).body();
            best = Math.min(best, System.nanoTime() - t0);
        }
        long lines = body.lines().filter(l -> !l.startsWith("#")).count();
        System.out.printf(Locale.ROOT, "metrics scale: %d services x %d servers: %d series, %d KiB, best of 5 scrapes %.1f ms%n",
                SERVICES, SERVERS, lines, body.length() >> 10, best / 1e6);
        assertThat(body.lines().filter(l -> l.startsWith("jvs_service_connections_total{")).count()).isEqualTo(SERVICES);
        assertThat(body.lines().filter(l -> l.startsWith("jvs_server_weight{")).count()).isEqualTo(SERVICES * SERVERS);
    }
}
