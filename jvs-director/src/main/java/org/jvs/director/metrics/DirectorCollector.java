package org.jvs.director.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvs.core.LoadBalancer;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.view.DestView;
import org.jvs.core.view.ServiceView;
import org.jvs.core.view.Snapshot;
import org.jvs.director.Director;
import org.jvs.director.WeightArbiter;

/**
 * Everything the director exports, read at scrape time from what the control API reads too: the core's
 * snapshot (ipvsadm's counters, connection counts, weights), the weight arbiter (what health and feedback
 * said), health states, the connection tables and defences, the data planes' counters and VRRP. Nothing is
 * counted for metrics: the data plane pays nothing, a scrape pays for one snapshot.
 *
 * <p>Labels are the service ({@code tcp 192.0.2.10:80}, {@code fwmark 1}) and the real server
 * ({@code 10.0.0.2:80}): their number is the configuration's size. No connection ever becomes a label.
 */
public final class DirectorCollector implements MultiCollector {
    private final Director director;
    private final List<Source> sources;

    /** A part of the director that adds its own families at scrape time. */
    public interface Source {
        void collect(Families f);
    }

    public DirectorCollector(Director director, List<Source> sources) {
        this.director = director;
        this.sources = List.copyOf(sources);
    }

    @Override
    public MetricSnapshots collect() {
        Families f = new Families();
        core(f);
        for (Source s : sources) {
            try {
                s.collect(f);
            } catch (RuntimeException e) {
                // one part that cannot be read (a plane stopping) leaves the rest of the scrape intact
                System.getLogger("org.jvs.director").log(System.Logger.Level.WARNING, "metrics: " + s.getClass().getSimpleName()
                        + " skipped in this scrape: " + e);
            }
        }
        return f.build();
    }

    private void core(Families f) {
        LoadBalancer lb = director.loadBalancer();
        Snapshot snap = lb.snapshot();
        WeightArbiter arbiter = director.weights();
        Map<String, org.jvs.health.DestStatus> health = new HashMap<>();
        for (org.jvs.health.DestStatus d : director.health().dests()) {
            health.put(d.service() + "|" + d.spec().address().withPort(d.spec().port()), d);
        }
        for (ServiceView s : snap.services()) {
            ServiceKey key = s.spec().key();
            Labels l = Labels.of("service", key.toString());
            f.counter("jvs_service_connections", "Connections scheduled (ipvsadm --stats Conns)", null, l, s.totals().conns());
            f.counter("jvs_service_in_packets", "Packets from clients (InPkts)", null, l, s.totals().inPackets());
            f.counter("jvs_service_out_packets", "Packets to clients (OutPkts)", null, l, s.totals().outPackets());
            f.counter("jvs_service_in_bytes", "Bytes from clients (InBytes)", Unit.BYTES, l, s.totals().inBytes());
            f.counter("jvs_service_out_bytes", "Bytes to clients (OutBytes)", Unit.BYTES, l, s.totals().outBytes());
            f.gauge("jvs_service_servers", "Real servers in the service", l, s.dests().size());
            for (DestView d : s.dests()) {
                String server = d.spec().address().withPort(d.spec().port());
                Labels dl = Labels.of("service", key.toString(), "server", server);
                f.counter("jvs_server_connections", "Connections scheduled to the server", null, dl, d.totals().conns());
                f.counter("jvs_server_in_packets", "Packets from clients to the server", null, dl, d.totals().inPackets());
                f.counter("jvs_server_out_packets", "Packets from the server to clients", null, dl, d.totals().outPackets());
                f.counter("jvs_server_in_bytes", "Bytes from clients to the server", Unit.BYTES, dl, d.totals().inBytes());
                f.counter("jvs_server_out_bytes", "Bytes from the server to clients", Unit.BYTES, dl, d.totals().outBytes());
                f.gauge("jvs_server_active_connections", "Active connections (ActiveConn)", dl, d.activeConns());
                f.gauge("jvs_server_inactive_connections", "Inactive connections (InActConn)", dl, d.inactiveConns());
                f.gauge("jvs_server_persistent_connections", "Persistence templates pointing at the server", dl, d.persistentConns());
                f.gauge("jvs_server_weight", "The weight the scheduler uses (after health and feedback)", dl, d.weight());
                f.gauge("jvs_server_configured_weight", "The administrator's weight (file, jvsadm or API)", dl, d.spec().weight());
                int fb = arbiter.feedbackWeight(key, d.spec().address(), d.spec().port());
                double factor = arbiter.healthFactor(key, d.spec().address(), d.spec().port());
                f.gauge("jvs_server_health_factor", "Health's share of the weight: 0 down, 1 up, between during slow start", dl, factor);
                if (fb >= 0) {
                    f.gauge("jvs_server_feedback_weight", "The weight dynamic feedback computed", dl, fb);
                }
                f.gauge("jvs_server_weight_source", "Who sets the weight now: admin, health (down or slow start) or feedback",
                        Labels.of("service", key.toString(), "server", server, "source", weightSource(d.spec().weight(), fb, factor)), 1);
                f.gauge("jvs_server_overloaded", "1 while the server is over its upper connection threshold", dl, d.overloaded() ? 1 : 0);
                org.jvs.health.DestStatus h = health.get(key + "|" + server);
                if (h != null) {
                    f.gauge("jvs_server_up", "Health check state: 1 up, 0 otherwise", dl, h.state().equals("UP") ? 1 : 0);
                    f.gauge("jvs_server_check_consecutive_failures", "Failed checks in a row now (0 after a success)", dl, h.failures());
                    if (h.lastDurationMicros() >= 0) {
                        f.gauge("jvs_server_check_duration_seconds", "How long the last health check took, start to result"
                                + " (a wait for a free check slot included; a timeout lasts connect_timeout)", dl, h.lastDurationMicros() / 1e6);
                    }
                }
            }
        }
        for (boolean v6 : new boolean[] {false, true}) {
            var t = lb.connTable(v6);
            Labels l = Labels.of("family", v6 ? "ipv6" : "ipv4");
            f.gauge("jvs_conn_table_entries", "Connection table entries (connections and persistence templates)", l, t.size());
            f.gauge("jvs_conn_table_capacity", "Connection table capacity (conn_table_size)", l, t.capacity());
            f.counter("jvs_conn_table_refused", "Inserts refused because the table was full", null, l, t.insertFailures());
        }
        var d = lb.defense();
        f.gauge("jvs_defense_in_force", "1 while a DoS defence strategy is in force", Labels.of("strategy", "drop_entry"), d.dropEntryActive() ? 1 : 0);
        f.gauge("jvs_defense_in_force", "1 while a DoS defence strategy is in force", Labels.of("strategy", "drop_packet"), d.dropRate() == 0 ? 0 : 1);
        f.gauge("jvs_defense_in_force", "1 while a DoS defence strategy is in force", Labels.of("strategy", "secure_tcp"), d.secureTcpActive() ? 1 : 0);
        f.gauge("jvs_build_info", "The running JVS", Labels.of("version", org.jvs.director.Version.VERSION), 1);
    }

    public static String weightSource(int configured, int feedback, double healthFactor) {
        if (configured == 0) {
            return "admin";
        }
        if (healthFactor < 1.0) {
            return "health";
        }
        return feedback >= 0 ? "feedback" : "admin";
    }

    /**
     * Families being built for one scrape, each name once with all its points (Prometheus wants one family per
     * name), in the order first seen.
     */
    public static final class Families {
        private final Map<String, CounterSnapshot.Builder> counters = new LinkedHashMap<>();
        private final Map<String, GaugeSnapshot.Builder> gauges = new LinkedHashMap<>();

        /** A counter point; {@code name} without {@code _total}, which the exposition adds. */
        public void counter(String name, String help, Unit unit, Labels labels, double value) {
            counters.computeIfAbsent(name, n -> {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(n).help(help);
                return unit == null ? b : b.unit(unit);
            }).dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        public void gauge(String name, String help, Labels labels, double value) {
            gauges.computeIfAbsent(name, n -> GaugeSnapshot.builder().name(n).help(help))
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        private final Map<String, io.prometheus.metrics.model.snapshots.HistogramSnapshot.Builder> histograms = new LinkedHashMap<>();

        /**
         * A classic histogram point in seconds from per-bucket (not cumulative) counts whose upper bounds are
         * {@code boundsMicros}, with one more bucket for the rest (+Inf).
         */
        public void histogram(String name, String help, Labels labels, long[] boundsMicros, long[] counts, double sumSeconds) {
            double[] bounds = new double[boundsMicros.length + 1];
            for (int i = 0; i < boundsMicros.length; i++) {
                bounds[i] = boundsMicros[i] / 1e6;
            }
            bounds[boundsMicros.length] = Double.POSITIVE_INFINITY;
            histograms.computeIfAbsent(name, n -> io.prometheus.metrics.model.snapshots.HistogramSnapshot.builder().name(n).help(help).unit(Unit.SECONDS))
                    .dataPoint(io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(labels)
                            .classicHistogramBuckets(io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets.of(bounds, counts))
                            .sum(sumSeconds).build());
        }

        MetricSnapshots build() {
            List<MetricSnapshot> all = new ArrayList<>();
            counters.values().forEach(b -> all.add(b.build()));
            gauges.values().forEach(b -> all.add(b.build()));
            histograms.values().forEach(b -> all.add(b.build()));
            return new MetricSnapshots(all);
        }
    }
}
