package org.jvs.bench.takeover;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The result of a takeover run: every try, per system the median and worst of the MASTER time and of the first
 * answer through the new master, the established connections that survived (for a system that syncs them), and
 * the ratio of the medians, JVS over keepalived, so the figure is read against its peer in the same lab.
 */
final class TakeoverReport {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

    private final Takeover.Options options;
    private final Map<String, List<TakeoverTry>> bySystem = new LinkedHashMap<>();

    TakeoverReport(Takeover.Options options, List<TakeoverTry> tries) {
        this.options = options;
        for (TakeoverTry t : tries) {
            bySystem.computeIfAbsent(t.system(), k -> new ArrayList<>()).add(t);
        }
    }

    String json() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "{\"bench\":\"takeover\",\"tries_per_system\":%d,\"connections\":%d,"
                + "\"interval_ms\":%d,\"answers_needed\":%d,\"systems\":{", options.tries(), options.connections(),
                options.intervalMs(), options.answersNeeded()));
        String sep = "";
        for (var e : bySystem.entrySet()) {
            List<TakeoverTry> ts = e.getValue();
            b.append(sep).append('"').append(e.getKey()).append("\":{")
                    .append(String.format(Locale.ROOT, "\"tries\":%d,\"master_ms\":{\"median\":%d,\"worst\":%d},"
                                    + "\"first_answer_ms\":{\"median\":%d,\"worst\":%d}", ts.size(),
                            median(ts, TakeoverTry::masterMs), worst(ts, TakeoverTry::masterMs),
                            median(ts, TakeoverTry::firstAnswerMs), worst(ts, TakeoverTry::firstAnswerMs)));
            long survivors = survivors(ts);
            if (survivors >= 0) {
                b.append(String.format(Locale.ROOT, ",\"survivors\":%d,\"established\":%d,\"fewest_in_a_try\":%d",
                        survivors, established(ts), ts.stream().mapToInt(TakeoverTry::survivors).min().orElse(0)));
            }
            b.append('}');
            sep = ",";
        }
        b.append('}');
        if (bySystem.containsKey("jvs") && bySystem.containsKey("keepalived")) {
            b.append(String.format(Locale.ROOT, ",\"ratio_jvs_over_keepalived\":{\"master_median\":%.3f,"
                    + "\"first_answer_median\":%.3f}", ratio(TakeoverTry::masterMs), ratio(TakeoverTry::firstAnswerMs)));
        }
        b.append(",\"tries\":[");
        sep = "";
        for (List<TakeoverTry> ts : bySystem.values()) {
            for (TakeoverTry t : ts) {
                b.append(sep).append(t.json());
                sep = ",";
            }
        }
        return b.append("]}\n").toString();
    }

    String summary() {
        StringBuilder b = new StringBuilder("\nsystem      tries  MASTER median/worst  first answer median/worst  established survived\n");
        for (var e : bySystem.entrySet()) {
            List<TakeoverTry> ts = e.getValue();
            long survivors = survivors(ts);
            b.append(String.format(Locale.ROOT, "%-10s  %5d  %8d / %5d ms  %12d / %5d ms      %s%n", e.getKey(), ts.size(),
                    median(ts, TakeoverTry::masterMs), worst(ts, TakeoverTry::masterMs),
                    median(ts, TakeoverTry::firstAnswerMs), worst(ts, TakeoverTry::firstAnswerMs),
                    survivors < 0 ? "not synced" : survivors + "/" + established(ts)));
        }
        if (bySystem.containsKey("jvs") && bySystem.containsKey("keepalived")) {
            b.append(String.format(Locale.ROOT, "jvs / keepalived: MASTER median %.2f, first answer median %.2f%n",
                    ratio(TakeoverTry::masterMs), ratio(TakeoverTry::firstAnswerMs)));
        }
        return b.toString();
    }

    /** A line chart: x the try, y the first answer after the kill, one series and its median line per system. */
    String svg() {
        int w = 720;
        int h = 400;
        int left = 60;
        int right = 150;
        int top = 40;
        int bottom = 50;
        long max = 1;
        int maxTries = 1;
        for (List<TakeoverTry> ts : bySystem.values()) {
            max = Math.max(max, worst(ts, TakeoverTry::firstAnswerMs));
            maxTries = Math.max(maxTries, ts.size());
        }
        long yMax = niceCeiling(max);
        double plotW = w - left - right;
        double plotH = h - top - bottom;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", w, h));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">Takeover: master killed → first "
                + "answer through the backup (ms)</text>%n", left));
        for (int i = 0; i <= 5; i++) {
            long v = yMax * i / 5;
            double y = top + plotH - plotH * v / yMax;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n", left, left + plotW, y, y, left - 6, y + 4, v));
        }
        for (int n = 1; n <= maxTries; n++) {
            double x = xOf(n, maxTries, left, plotW);
            if (maxTries <= 25 || n % 5 == 0) {
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>%n",
                        x, top + plotH + 16, n));
            }
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">try</text>%n",
                left + plotW / 2, h - 12));
        int c = 0;
        for (var e : bySystem.entrySet()) {
            String colour = COLOURS[c % COLOURS.length];
            List<TakeoverTry> ts = e.getValue();
            StringBuilder points = new StringBuilder();
            for (TakeoverTry t : ts) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", xOf(t.number(), maxTries, left, plotW),
                        top + plotH - plotH * t.firstAnswerMs() / yMax));
            }
            s.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                    colour, points.toString().trim()));
            long med = median(ts, TakeoverTry::firstAnswerMs);
            double my = top + plotH - plotH * med / yMax;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-dasharray=\"6 4\"/>%n", left, left + plotW, my, my, colour));
            double ly = top + 10 + 36 * c;
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\">%s</text><text x=\"%.1f\" y=\"%.1f\">median %d ms</text>%n",
                    left + plotW + 14, ly, colour, left + plotW + 32, ly + 11, e.getKey(), left + plotW + 32, ly + 26, med));
            c++;
        }
        return s.append("</svg>\n").toString();
    }

    private double ratio(ToLongFunction<TakeoverTry> f) {
        long k = median(bySystem.get("keepalived"), f);
        return k == 0 ? 0 : (double) median(bySystem.get("jvs"), f) / k;
    }

    private static double xOf(int n, int maxTries, int left, double plotW) {
        return maxTries == 1 ? left + plotW / 2 : left + plotW * (n - 1) / (maxTries - 1);
    }

    /** The lower median: with an even count the smaller of the two middle values, always a measured one. */
    static long median(List<TakeoverTry> ts, ToLongFunction<TakeoverTry> f) {
        long[] v = ts.stream().mapToLong(f).sorted().toArray();
        return v.length == 0 ? 0 : v[(v.length - 1) / 2];
    }

    static long worst(List<TakeoverTry> ts, ToLongFunction<TakeoverTry> f) {
        return ts.stream().mapToLong(f).max().orElse(0);
    }

    private static long survivors(List<TakeoverTry> ts) {
        if (ts.stream().anyMatch(t -> t.survivors() < 0)) {
            return -1;
        }
        return ts.stream().mapToLong(TakeoverTry::survivors).sum();
    }

    private static long established(List<TakeoverTry> ts) {
        return ts.stream().mapToLong(TakeoverTry::connections).sum();
    }

    private static long niceCeiling(long v) {
        long step = 1;
        while (step * 10 < v) {
            step *= 10;
        }
        for (long m : new long[]{1, 2, 5, 10}) {
            if (m * step >= v) {
                return m * step;
            }
        }
        return 10 * step;
    }
}
