package org.jvs.director.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jvs.director.api.Json;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in the repository ({@code docs/grafana/jvs-director.json}) asks only for series a director
 * exports: every metric name in every panel's PromQL is a family (or a family's {@code _total}, {@code _bucket},
 * {@code _sum}, {@code _count} series) that a scrape of a running director has.
 */
class GrafanaDashboardTest extends MetricsFixture {
    private static final Pattern NAME = Pattern.compile("\\b((?:jvs|jvm|process)_[a-z0-9_]+)");

    @Test
    void everyQueryNamesASeriesTheDirectorExports() throws Exception {
        Path file = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/grafana/jvs-director.json");
        Object dashboard = Json.parse(Files.readString(file));
        List<String> exprs = new ArrayList<>();
        collectExprs(dashboard, exprs);
        assertThat(exprs).as("queries in " + file).hasSizeGreaterThanOrEqualTo(10);

        start("metrics: {listen: 127.0.0.1:0}");
        String scrape = get(director.metricsPort(), null, null).body();
        long deadline = System.currentTimeMillis() + 10_000; // the check-duration series appears after the first check
        while (!scrape.contains("jvs_server_check_duration_seconds{") && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            scrape = get(director.metricsPort(), null, null).body();
        }
        Set<String> series = new TreeSet<>();
        for (String line : scrape.lines().toList()) {
            if (!line.startsWith("#") && !line.isBlank()) {
                series.add(line.split("[{ ]", 2)[0]);
            }
        }
        Set<String> missing = new TreeSet<>();
        for (String e : exprs) {
            Matcher m = NAME.matcher(e);
            while (m.find()) {
                if (!series.contains(m.group(1))) {
                    missing.add(m.group(1) + " (in " + e + ")");
                }
            }
        }
        assertThat(missing).as("dashboard series a director does not export; it exports " + series).isEmpty();
    }

    private static void collectExprs(Object node, List<String> out) {
        switch (node) {
            case Map<?, ?> m -> m.forEach((k, v) -> {
                if ("expr".equals(k) && v instanceof String s) {
                    out.add(s);
                } else {
                    collectExprs(v, out);
                }
            });
            case List<?> l -> l.forEach(v -> collectExprs(v, out));
            case null, default -> {
            }
        }
    }
}
