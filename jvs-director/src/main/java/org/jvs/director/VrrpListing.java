package org.jvs.director;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jvs.cli.JsonWriter;
import org.jvs.director.api.ControlClient;
import org.jvs.director.api.ControlServer;
import org.jvs.director.api.Json;
import org.jvs.vrrp.DropReason;
import org.jvs.vrrp.InstanceStatus;

/**
 * {@code jvsadm --vrrp [--json]}: every VRRP instance's state, priority (now and configured), advert interval,
 * master as last seen, virtual addresses and counters, from {@code GET /v1/vrrp}:
 * <pre>
 * Instance   State   Prio Conf Advert  Master          Sent  Recv  Trans  Drops  VIPs
 * VI_1       MASTER   150  150  1.00s  192.0.2.2        312     0      2      0  203.0.113.10/32
 *   drops: bad-ttl=3 bad-checksum=1
 * </pre>
 */
final class VrrpListing {
    private VrrpListing() {
    }

    static String json(List<InstanceStatus> all) {
        JsonWriter w = new JsonWriter().beginObject().name("listing").value(text(all)).name("instances").beginArray();
        for (InstanceStatus s : all) {
            var c = s.counters();
            w.beginObject().name("name").value(s.name()).name("state").value(s.state().toString())
                    .name("priority").value(s.priority()).name("configured_priority").value(s.configuredPriority())
                    .name("advert_interval_ms").value(s.advertInterval().toMillis())
                    .name("master").value(s.masterAddress() == null ? "" : s.masterAddress())
                    .name("sync_group").value(s.syncGroup() == null ? "" : s.syncGroup())
                    .name("adverts_sent").value(c.advertsSent()).name("adverts_received").value(c.advertsReceived())
                    .name("priority_zero_sent").value(c.priorityZeroSent()).name("priority_zero_received").value(c.priorityZeroReceived())
                    .name("transitions").value(c.transitions()).name("became_master").value(c.becameMaster());
            w.name("virtual_addresses").beginArray();
            s.virtualAddresses().forEach(w::value);
            w.endArray().name("drops").beginObject();
            new TreeMap<>(c.drops()).forEach((r, n) -> w.name(r.name().toLowerCase(Locale.ROOT)).value(n));
            w.endObject().endObject();
        }
        return w.endArray().endObject().toString();
    }

    static String text(List<InstanceStatus> all) {
        if (all.isEmpty()) {
            return "No VRRP instances (no vrrp: section in the configuration)\n";
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-10s %-7s %4s %4s %6s  %-15s %6s %5s %6s %6s  %s%n",
                "Instance", "State", "Prio", "Conf", "Advert", "Master", "Sent", "Recv", "Trans", "Drops", "VIPs"));
        for (InstanceStatus s : all) {
            var c = s.counters();
            long drops = c.drops().entrySet().stream().filter(e -> e.getKey() != DropReason.UNKNOWN_VRID).mapToLong(Map.Entry::getValue).sum();
            b.append(String.format(Locale.ROOT, "%-10s %-7s %4d %4d %5.2fs  %-15s %6d %5d %6d %6d  %s%n", s.name(), s.state(), s.priority(),
                    s.configuredPriority(), s.advertInterval().toMillis() / 1000.0, s.masterAddress() == null ? "-" : s.masterAddress(),
                    c.advertsSent(), c.advertsReceived(), c.transitions(), drops, String.join(",", s.virtualAddresses())));
            StringBuilder d = new StringBuilder();
            new TreeMap<>(c.drops()).forEach((r, n) -> {
                if (n > 0) {
                    d.append(' ').append(r.name().toLowerCase(Locale.ROOT).replace('_', '-')).append('=').append(n);
                }
            });
            if (!d.isEmpty()) {
                b.append("  drops:").append(d).append('\n');
            }
        }
        return b.toString();
    }

    static boolean wants(List<String> argv) {
        return argv.contains("--vrrp");
    }

    static int run(List<String> argv, org.jvs.director.api.ControlClient.Endpoint socket, PrintStream out, PrintStream err) {
        for (String a : argv) {
            if (!List.of("--vrrp", "--json", "-L", "-l", "--list", "-n", "--numeric").contains(a)) {
                err.println("jvsadm: --vrrp takes only -L, -n and --json, not '" + a + "'");
                return 2;
            }
        }
        ControlServer.Response r = ControlClient.callFromCli(socket, "GET", "/v1/vrrp", null, err);
        if (r == null) {
            return 2;
        }
        if (r.status() != 200) {
            err.println("jvsadm: the director answered HTTP " + r.status() + ": " + r.body());
            return 1;
        }
        if (argv.contains("--json")) {
            out.println(r.body());
        } else {
            out.print(((Map<?, ?>) Json.parse(r.body())).get("listing"));
        }
        return 0;
    }
}
