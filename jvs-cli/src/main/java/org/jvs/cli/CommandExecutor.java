package org.jvs.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jvs.core.Dest;
import org.jvs.core.FlowAnswer;
import org.jvs.core.LoadBalancer;
import org.jvs.core.Service;
import org.jvs.core.defense.DefenseState;
import org.jvs.core.model.ConfigException;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.sched.Flow;
import org.jvs.core.view.ServiceView;
import org.jvs.core.view.Snapshot;

/**
 * Applies an {@link IpvsadmCommand} to a {@link LoadBalancer} in-process and prints what ipvsadm would
 * print: nothing for a change that worked, the listing or rules for {@code -L}/{@code -S}, JSON for
 * {@code --json}. A {@link ConfigException} from the core (unknown scheduler, service exists, no such real
 * server, ...) propagates unchanged; the core validates before it changes anything, so a refused command
 * leaves the load balancer as it was.
 */
public final class CommandExecutor {

    /** What {@code -v} prints. */
    public static final String VERSION_LINE = "jvsadm (JVS " + version() + "), ipvsadm v1.31 compatible (IPVS v"
            + IpvsadmFormat.IPVS_VERSION + ")";

    private CommandExecutor() {
    }

    public static void execute(LoadBalancer lb, IpvsadmCommand cmd, PrintStream out) {
        execute(lb, cmd, out, HealthSource.NONE);
    }

    /** As above, with the health of the servers for {@code -L --health} and {@code --json}. */
    public static void execute(LoadBalancer lb, IpvsadmCommand cmd, PrintStream out, HealthSource health) {
        execute(lb, cmd, out, health, SyncControl.NONE);
    }

    /** As above, with the director's sync daemons for {@code --start-daemon}, {@code --stop-daemon} and {@code -L --daemon}. */
    public static void execute(LoadBalancer lb, IpvsadmCommand cmd, PrintStream out, HealthSource health, SyncControl sync) {
        switch (cmd) {
            case IpvsadmCommand.AddService c -> lb.addService(c.spec());
            case IpvsadmCommand.EditService c -> lb.editService(keepJvsOnly(lb, c));
            case IpvsadmCommand.DeleteService c -> lb.deleteService(c.key());
            case IpvsadmCommand.Clear c -> lb.clear();
            case IpvsadmCommand.AddDest c -> lb.addDest(c.service(), c.dest());
            case IpvsadmCommand.EditDest c -> lb.editDest(c.service(), keepJvsOnly(lb, c));
            case IpvsadmCommand.DeleteDest c -> lb.deleteDest(c.service(), c.address(), c.port());
            case IpvsadmCommand.List c -> list(lb, c, out, health, sync);
            case IpvsadmCommand.StartDaemon c -> sync.start(c);
            case IpvsadmCommand.StopDaemon c -> sync.stop(c);
            case IpvsadmCommand.Zero c -> {
                if (c.service() == null) {
                    lb.zero();
                } else {
                    lb.zero(c.service());
                }
            }
            case IpvsadmCommand.Save c -> out.print(IpvsadmFormat.save(lb.snapshot()));
            case IpvsadmCommand.Restore c -> restore(lb, c, out);
            case IpvsadmCommand.SetTimeouts c -> lb.timeouts().set(c.tcp(), c.tcpfin(), c.udp());
            case IpvsadmCommand.Defense c -> defense(lb, c, out);
            case IpvsadmCommand.Where c -> where(lb, c, out);
            case IpvsadmCommand.Help c -> out.print(usage());
            case IpvsadmCommand.Version c -> out.println(VERSION_LINE);
        }
        out.flush();
    }

    // ======================================================================================
    // -E / -e: keep what only JVS can say
    // ======================================================================================

    private static ServiceSpec keepJvsOnly(LoadBalancer lb, IpvsadmCommand.EditService c) {
        ServiceSpec spec = c.spec();
        Service old = lb.service(spec.key());
        if (old == null) {
            return spec; // the core refuses it with its own message
        }
        ServiceSpec was = old.spec();
        spec = spec.withMhTableSize(was.mhTableSize()).withProximity(was.proximity());
        return c.engineGiven() ? spec : spec.withEngine(was.engine());
    }

    private static DestSpec keepJvsOnly(LoadBalancer lb, IpvsadmCommand.EditDest c) {
        DestSpec spec = c.dest();
        if (c.proxyProtocolGiven()) {
            return spec;
        }
        Service s = lb.service(c.service());
        if (s == null) {
            return spec;
        }
        Dest exact = null;
        Dest sameAddress = null;
        for (Dest d : s.dests()) {
            if (d.address().equals(spec.address())) {
                if (d.port() == spec.port()) {
                    exact = d;
                }
                sameAddress = sameAddress == null ? d : sameAddress;
            }
        }
        // DR and TUN servers are stored at the service port whatever port the command named.
        Dest d = exact != null ? exact : sameAddress;
        return d == null ? spec : spec.withProxyProtocol(d.spec().proxyProtocol());
    }

    // ======================================================================================
    // -L
    // ======================================================================================

    private static void list(LoadBalancer lb, IpvsadmCommand.List c, PrintStream out, HealthSource health, SyncControl sync) {
        if (c.connections()) {
            out.print(c.json() ? JsonFormat.connections(lb.connections()) + "\n"
                    : IpvsadmFormat.connections(lb.connections(), c.persistentConn()));
            return;
        }
        if (c.service() != null) {
            Snapshot s = lb.snapshot();
            ServiceView v = s.services().stream().filter(x -> x.spec().key().equals(c.service())).findFirst()
                    .orElseThrow(() -> new ConfigException("no service " + c.service()));
            out.print(c.json() ? JsonFormat.snapshot(s, c.service(), c.sort(), health) + "\n"
                    : c.health() ? IpvsadmFormat.serviceHealth(v, c, health) : IpvsadmFormat.service(v, c));
            return;
        }
        if (c.timeout()) {
            out.print(c.json() ? JsonFormat.timeouts(lb.timeouts().view()) + "\n" : IpvsadmFormat.timeout(lb.timeouts().view()));
            return;
        }
        if (c.daemon()) {
            // ipvsadm prints nothing when no daemon runs.
            out.print(c.json() ? sync.json() + "\n" : sync.listing());
            return;
        }
        Snapshot s = lb.snapshot();
        out.print(c.json() ? JsonFormat.snapshot(s, null, c.sort(), health) + "\n"
                : c.health() ? IpvsadmFormat.listHealth(s, c, health) : IpvsadmFormat.list(s, c));
    }

    // ======================================================================================
    // -R
    // ======================================================================================

    /**
     * Reads the rules one line at a time as ipvsadm does: words split on blanks, everything from {@code #} on
     * ignored, a leading {@code ipvsadm} (or {@code jvsadm}) skipped, blank lines skipped. Every line is
     * parsed before the first is applied, so a syntax error anywhere changes nothing; then the lines are
     * applied in order, and the first one the core refuses stops the restore (the lines before it stay
     * applied, as with ipvsadm). Errors name the line.
     */
    private static void restore(LoadBalancer lb, IpvsadmCommand.Restore c, PrintStream out) {
        if (c.input() == null) {
            throw new UsageException("-R reads rules from standard input, and none was given");
        }
        List<RuleLine> lines = parseRules(c.input());
        for (RuleLine l : lines) {
            try {
                execute(lb, l.cmd(), out);
            } catch (ConfigException e) {
                throw new ConfigException("line " + l.number() + ": " + e.getMessage());
            }
        }
    }

    /** One command of a rules text and its line number (from 1). */
    public record RuleLine(int number, IpvsadmCommand cmd) {
    }

    /**
     * Every command of a rules text ({@code -R}'s input), parsed: comments and blank lines skipped; a line that
     * does not parse, or a {@code -R} inside, is a {@link UsageException} naming the line.
     */
    public static List<RuleLine> parseRules(String input) {
        List<RuleLine> lines = new ArrayList<>();
        String[] text = input.split("\r?\n|\r", -1);
        for (int i = 0; i < text.length; i++) {
            List<String> words = words(text[i]);
            if (words.isEmpty()) {
                continue;
            }
            IpvsadmCommand cmd;
            try {
                cmd = IpvsadmParser.parse(words);
            } catch (UsageException e) {
                throw new UsageException("line " + (i + 1) + ": " + e.getMessage());
            }
            if (cmd instanceof IpvsadmCommand.Restore) {
                throw new UsageException("line " + (i + 1) + ": -R cannot be used inside a restore");
            }
            lines.add(new RuleLine(i + 1, cmd));
        }
        return lines;
    }

    /** One rules line as ipvsadm splits it (comments, blank lines and a leading ipvsadm/jvsadm dropped). */
    public static List<String> words(String line) {
        int hash = line.indexOf('#');
        String s = (hash >= 0 ? line.substring(0, hash) : line).strip();
        if (s.isEmpty()) {
            return List.of();
        }
        List<String> words = new ArrayList<>(Arrays.asList(s.split("[ \t\r]+")));
        if (words.getFirst().equals("ipvsadm") || words.getFirst().equals("jvsadm")) {
            words.removeFirst();
        }
        return words;
    }

    // ======================================================================================
    // --where
    // ======================================================================================

    private static void where(LoadBalancer lb, IpvsadmCommand.Where c, PrintStream out) {
        Flow f = new Flow().set(c.protocol().number(), c.client(), c.clientPort(), c.virtual(), c.virtualPort())
                .fwmark(c.fwmark());
        FlowAnswer a = lb.lookupFlow(f);
        if (c.json()) {
            out.println(JsonFormat.where(c, a));
            return;
        }
        out.print(whereText(c, a));
    }

    /** Three lines: the flow, the real server (or none), and why. */
    static String whereText(IpvsadmCommand.Where c, FlowAnswer a) {
        StringBuilder sb = new StringBuilder();
        sb.append("flow:   ").append(c.protocol().label()).append(' ').append(c.client().withPort(c.clientPort()))
                .append(" -> ").append(c.virtual().withPort(c.virtualPort()));
        if (c.fwmark() != 0) {
            sb.append(" fwmark ").append(Integer.toUnsignedString(c.fwmark()));
        }
        sb.append('\n');
        Dest d = a.dest();
        sb.append("dest:   ");
        if (d == null) {
            sb.append("none");
        } else {
            sb.append(d.address().withPort(d.port())).append(' ').append(d.method().ipvsadmName())
                    .append(" weight ").append(d.weight()).append(" (service ").append(d.service().key()).append(')');
        }
        sb.append('\n');
        String reason = switch (a.reason()) {
            case EXISTING_CONNECTION -> "existing connection";
            case PERSISTENCE_TEMPLATE -> "persistence";
            case SCHEDULER -> "scheduler";
            case NO_SERVICE -> "no service";
            case NO_USABLE_DEST -> "no usable real server";
        };
        sb.append("reason: ").append(reason).append(": ").append(a.detail()).append('\n');
        return sb.toString();
    }

    // ======================================================================================
    // -h, -v
    // ======================================================================================

    private static String version() {
        try (var in = CommandExecutor.class.getResourceAsStream("version.properties")) {
            var p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "(unknown version)");
        } catch (java.io.IOException e) {
            return "(unknown version)";
        }
    }

    /**
     * {@code --defense}: sets what was given (the parser has range-checked every value, so all of them take effect
     * or, on a bad one, none), then lists the five settings as {@code sysctl net.ipv4.vs} prints them, and what they
     * do right now.
     */
    private static void defense(LoadBalancer lb, IpvsadmCommand.Defense c, PrintStream out) {
        DefenseState d = lb.defense();
        if (c.dropEntry() != null) {
            d.setDropEntryMode(c.dropEntry());
        }
        if (c.dropPacket() != null) {
            d.setDropPacketMode(c.dropPacket());
        }
        if (c.secureTcp() != null) {
            d.setSecureTcpMode(c.secureTcp());
        }
        if (c.amemthreshPages() != null) {
            d.setThreshold(c.amemthreshPages() * DefenseState.PAGE_BYTES);
        }
        if (c.amDroprate() != null) {
            d.setAmDropRate(c.amDroprate());
        }
        if (c.json()) {
            out.println(JsonFormat.defense(lb));
        } else {
            out.print(defenseListing(lb));
        }
    }

    /**
     * The defence settings as {@code sysctl net.ipv4.vs} prints them, then comment lines on what is in force and
     * on the connection tables the defences guard (their fill is part of what they see as memory).
     */
    public static String defenseListing(LoadBalancer lb) {
        DefenseState d = lb.defense();
        long avail = d.availableMemory();
        StringBuilder b = new StringBuilder()
                .append("net.ipv4.vs.drop_entry = ").append(d.dropEntryMode()).append('\n')
                .append("net.ipv4.vs.drop_packet = ").append(d.dropPacketMode()).append('\n')
                .append("net.ipv4.vs.secure_tcp = ").append(d.secureTcpMode()).append('\n')
                .append("net.ipv4.vs.amemthresh = ").append(d.threshold() / DefenseState.PAGE_BYTES).append('\n')
                .append("net.ipv4.vs.am_droprate = ").append(d.amDropRate()).append('\n')
                .append("# in force: drop_entry ").append(d.dropEntryActive() ? "yes" : "no")
                .append(", drop_packet ").append(d.dropRate() == 0 ? "no" : "1 in " + d.dropRate())
                .append(", secure_tcp ").append(d.secureTcpActive() ? "yes" : "no").append('\n')
                .append("# available memory as the defences last saw it: ")
                .append(avail < 0 ? "not read (no strategy is automatic)" : (avail >> 10) + " KiB")
                .append(" (threshold ").append(d.threshold() >> 10).append(" KiB)\n");
        for (boolean v6 : new boolean[] {false, true}) {
            var t = lb.connTable(v6);
            b.append("# connection table ").append(v6 ? "IPv6" : "IPv4").append(": ").append(t.size()).append(" of ")
                    .append(t.capacity()).append(" entries, ").append(t.insertFailures()).append(" refused when full\n");
        }
        return b.toString();
    }

    /** What {@code -h} prints. */
    public static String usage() {
        return """
                %s
                Usage:
                  jvsadm -A|-E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [-o] [-b sched-flags] [--engine socket|packet]
                  jvsadm -D virtual-service
                  jvsadm -C
                  jvsadm -R
                  jvsadm -S [-n]
                  jvsadm -a|-e virtual-service -r server-address [options]
                  jvsadm -d virtual-service -r server-address
                  jvsadm -L|-l [virtual-service] [options]
                  jvsadm -Z [virtual-service]
                  jvsadm --set tcp tcpfin udp
                  jvsadm --defense [drop_entry=0-3] [drop_packet=0-3] [secure_tcp=0-3] [amemthresh=pages] [am_droprate=n] [--json]
                  jvsadm --where tcp|udp|sctp client:port virtual:port [--mark fwmark] [--json]
                  jvsadm --start-daemon master|backup [daemon options]
                  jvsadm --stop-daemon master|backup
                  jvsadm -h | -v

                virtual-service:
                  -t|--tcp-service address:port      -u|--udp-service address:port
                  --sctp-service address:port        -f|--fwmark-service fwmark [-6]
                  address: a.b.c.d or [ipv6]; numbers only, names are never resolved

                Service options:
                  -s scheduler     rr wrr lc wlc (default) sed nq fo ovf twos dh sh mh lblc lblcr gs
                  -p [timeout]     persistence, default 360 seconds
                  -M netmask       persistence granularity: 255.255.255.0 or /24 (IPv6: 64 or /64)
                  -o               one-packet scheduling (UDP)
                  -b flags         sh-fallback,sh-port | mh-fallback,mh-port | flag-1,flag-2
                  --engine e       socket (default) or packet (JVS)

                Real server options:
                  -r address[:port]  -g direct routing (default)  -i tunnel  -m NAT  --fullnat (JVS)
                  -w weight (0..65535, default 1)  -x upper threshold  -y lower threshold
                  --tun-type ipip|gue|gre  --tun-port port (gue)  --tun-nocsum|--tun-csum|--tun-remcsum
                  --proxy-protocol none|v1|v2  send the client address first (JVS, relaying engines)

                Daemon options:
                  --mcast-interface if (default eth0)  --syncid 0..255 (default 0)  --sync-maxlen bytes
                  --mcast-group address (224.0.0.81)  --mcast-port port (8848)  --mcast-ttl 1..255 (1)
                  --sync-version 0|1  messages this director sends (JVS; IPVS: sysctl sync_version)

                Listing options:
                  -n  -c  --stats  --rate  --exact  --thresholds  --persistent-conn  --tun-info
                  --timeout  --daemon  --nosort  --sort  --json (JVS)  --health (JVS)
                """.formatted(VERSION_LINE);
    }
}
