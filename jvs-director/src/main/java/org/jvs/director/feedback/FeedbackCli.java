package org.jvs.director.feedback;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jvs.director.api.ControlClient;
import org.jvs.director.api.ControlServer;
import org.jvs.director.api.Json;

/**
 * {@code jvsadm --feedback [--json]} (also accepted with {@code -L}/{@code -n}): the dynamic-feedback table
 * of the running director, from {@code GET /v1/feedback}. Plain {@code -L} is left exactly as ipvsadm
 * prints it.
 */
public final class FeedbackCli {
    private FeedbackCli() {
    }

    public static boolean wants(List<String> argv) {
        return argv.contains("--feedback");
    }

    public static int run(List<String> argv, org.jvs.director.api.ControlClient.Endpoint socket, PrintStream out, PrintStream err) {
        for (String a : argv) {
            if (!List.of("--feedback", "--json", "-L", "-l", "--list", "-n", "--numeric").contains(a)) {
                err.println("jvsadm: --feedback takes only -L, -n and --json, not '" + a + "'");
                return 2;
            }
        }
        ControlServer.Response r = ControlClient.callFromCli(socket, "GET", "/v1/feedback", null, err);
        if (r == null) {
            return 2;
        }
        if (r.status() != 200) {
            err.println("jvsadm: the director answered HTTP " + r.status() + ": " + r.body());
            return 1;
        }
        if (argv.contains("--json")) {
            out.println(r.body());
            return 0;
        }
        try {
            out.print(table(Json.parse(r.body())));
        } catch (IllegalArgumentException | ClassCastException e) {
            err.println("jvsadm: unreadable answer from the director: " + e.getMessage());
            return 2;
        }
        return 0;
    }

    /** The text table: one block per service, one line per real server the feedback adjusts. */
    static String table(Object parsed) {
        Map<?, ?> root = (Map<?, ?>) parsed;
        StringBuilder b = new StringBuilder();
        if (!Boolean.TRUE.equals(root.get("enabled"))) {
            return "Dynamic feedback is off (no feedback: section in the configuration)\n";
        }
        b.append("Prot LocalAddress:Port Interval Cluster\n");
        b.append(String.format(Locale.ROOT, "  -> %-26s %7s %6s %6s %6s %9s %6s %6s %6s %6s %7s %8s  %s%n", "RemoteAddress:Port", "Default",
                "Prev", "Weight", "Effect", "Aggregate", "Input", "Load", "Disk", "Memory", "Process", "Response", "Error"));
        for (Object o : (List<?>) root.get("services")) {
            Map<?, ?> s = (Map<?, ?>) o;
            b.append(String.format(Locale.ROOT, "%-26s %5.1fs %s%n", s.get("service").toString().toUpperCase(Locale.ROOT),
                    ((Number) s.get("interval_ms")).doubleValue() / 1000, s.get("advice")));
            for (Object od : (List<?>) s.get("dests")) {
                Map<?, ?> d = (Map<?, ?>) od;
                Map<?, ?> m = d.get("metrics") instanceof Map<?, ?> mm ? mm : Map.of();
                String addr = d.get("address").toString();
                String hp = (addr.contains(":") ? "[" + addr + "]" : addr) + ":" + d.get("port");
                b.append(String.format(Locale.ROOT, "  -> %-26s %7s %6s %6s %6s %9s %6s %6s %6s %6s %7s %8s  %s", hp,
                        d.get("configured_weight"), d.get("previous_weight"), d.get("weight"), d.get("effective_weight"),
                        f(d.get("aggregate")), f(m.get("input")), f(m.get("load")), f(m.get("disk")), f(m.get("memory")),
                        f(m.get("process")), f(m.get("response")), d.get("error") == null ? "" : d.get("error")).stripTrailing()).append('\n');
            }
        }
        return b.toString();
    }

    private static String f(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%.3f", n.doubleValue()) : "-";
    }
}
