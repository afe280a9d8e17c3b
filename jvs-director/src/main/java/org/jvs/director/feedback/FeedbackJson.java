package org.jvs.director.feedback;

import java.util.List;
import java.util.Locale;
import org.jvs.director.api.Json;
import org.jvs.feedback.DestStatus;
import org.jvs.feedback.FeedbackSettings;
import org.jvs.feedback.Metric;
import org.jvs.feedback.Sample;
import org.jvs.feedback.ServiceStatus;

/** The feedback status as the API's JSON (field reference in docs/feedback.md). Unknown figures are null. */
final class FeedbackJson {
    private FeedbackJson() {
    }

    static String status(boolean enabled, List<ServiceStatus> services) {
        StringBuilder b = new StringBuilder("{\"enabled\":").append(enabled).append(",\"services\":[");
        for (int i = 0; i < services.size(); i++) {
            ServiceStatus s = services.get(i);
            FeedbackSettings set = s.settings();
            b.append(i == 0 ? "" : ",").append("{\"service\":").append(Json.quote(s.service().toString()))
                    .append(",\"interval_ms\":").append(set.interval().toMillis())
                    .append(",\"coefficients\":{");
            for (Metric m : Metric.values()) {
                b.append(m.ordinal() == 0 ? "" : ",").append('"').append(m.key()).append("\":").append(num(set.coefficients().of(m)));
            }
            b.append("},\"a\":").append(num(set.a())).append(",\"scale\":").append(set.scale())
                    .append(",\"threshold\":").append(set.threshold())
                    .append(",\"cluster\":").append(Json.quote(s.cluster().name().toLowerCase(Locale.ROOT)))
                    .append(",\"advice\":").append(Json.quote(s.cluster().advice()))
                    .append(",\"rounds\":").append(s.rounds()).append(",\"dests\":[");
            for (int j = 0; j < s.dests().size(); j++) {
                dest(b.append(j == 0 ? "" : ","), s.dests().get(j));
            }
            b.append("]}");
        }
        return b.append("]}").toString();
    }

    private static void dest(StringBuilder b, DestStatus d) {
        b.append("{\"address\":").append(Json.quote(d.address().toString())).append(",\"port\":").append(d.port())
                .append(",\"configured_weight\":").append(d.configuredWeight())
                .append(",\"previous_weight\":").append(d.previousWeight())
                .append(",\"weight\":").append(d.weight())
                .append(",\"effective_weight\":").append(d.effectiveWeight())
                .append(",\"aggregate\":").append(num(d.aggregate()))
                .append(",\"metrics\":");
        if (d.metrics() == null) {
            b.append("null");
        } else {
            b.append('{');
            for (Metric m : Metric.values()) {
                b.append(m.ordinal() == 0 ? "" : ",").append('"').append(m.key()).append("\":").append(num(d.metrics()[m.ordinal()]));
            }
            b.append('}');
        }
        b.append(",\"raw\":");
        Sample s = d.sample();
        if (s == null) {
            b.append("null");
        } else {
            b.append("{\"load1\":").append(num(s.load1())).append(",\"cpus\":").append(s.cpus() > 0 ? s.cpus() : "null")
                    .append(",\"disk_percent\":").append(num(s.diskPercent()))
                    .append(",\"mem_total_kb\":").append(count(s.memTotalKb()))
                    .append(",\"mem_available_kb\":").append(count(s.memAvailableKb()))
                    .append(",\"processes\":").append(count(s.processes()))
                    .append(",\"cpu_percent\":").append(num(s.cpuPercent())).append('}');
        }
        b.append(",\"new_connections\":").append(count(d.newConnections()))
                .append(",\"response_ms\":").append(d.responseNanos() < 0 ? "null" : num(d.responseNanos() / 1e6))
                .append(",\"error\":").append(d.error() == null ? "null" : Json.quote(d.error()))
                .append(",\"age_ms\":").append(d.ageMillis()).append('}');
    }

    static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    private static String count(long v) {
        return v < 0 ? "null" : Long.toString(v);
    }
}
