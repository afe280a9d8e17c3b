package org.jvs.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.jvs.core.ConnEntry;
import org.jvs.core.conn.Timeouts;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Persistence;
import org.jvs.core.model.ProxyProtocol;
import org.jvs.core.model.SchedFlag;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.model.TunnelType;
import org.jvs.core.stats.Stats;
import org.jvs.core.view.DestView;
import org.jvs.core.view.ServiceView;
import org.jvs.core.view.Snapshot;

/**
 * ipvsadm 1.31's output, byte for byte, from a {@link Snapshot} or the connection list: the listings of
 * {@code -L} with {@code --stats}, {@code --rate}, {@code --thresholds}, {@code --persistent-conn},
 * {@code --tun-info}, {@code --exact}, the connection listing of {@code -c}, {@code --timeout}, and the
 * rules of {@code -S}. Column widths, padding (trailing blanks included) and the K/M/G/T abbreviations are
 * ipvsadm's. Addresses are always numeric: JVS never resolves names, so {@code -n} changes nothing.
 *
 * <p>Services are sorted as ipvsadm sorts them (by firewall mark, address family, protocol, address, port;
 * real servers by address and port) unless {@code --nosort} asks for the order they were added in.
 *
 * <p>{@code -S} prints exactly ipvsadm's rules for everything ipvsadm can express, and appends what it would
 * lose so that {@code -S | -R} gives the same table back: thresholds ({@code -x}/{@code -y}, which ipvsadm
 * does not save), and JVS's own {@code --engine}, {@code --fullnat} and {@code --proxy-protocol}. Each
 * extra appears only when it differs from the default, so a table that ipvsadm could hold saves the same.
 */
public final class IpvsadmFormat {

    /** The IPVS version ipvsadm prints in its header; JVS implements IPVS 1.2.1's semantics. */
    public static final String IPVS_VERSION = "1.2.1";

    private IpvsadmFormat() {
    }

    /** What one listing shows per line; ipvsadm's precedence among the listing options. */
    private enum Mode { STATS, RATE, THRESHOLDS, PERSISTENT_CONN, TUN_INFO, PLAIN }

    private static Mode mode(IpvsadmCommand.List opts) {
        if (opts.stats()) {
            return Mode.STATS;
        }
        if (opts.rate()) {
            return Mode.RATE;
        }
        if (opts.thresholds()) {
            return Mode.THRESHOLDS;
        }
        if (opts.persistentConn()) {
            return Mode.PERSISTENT_CONN;
        }
        return opts.tunInfo() ? Mode.TUN_INFO : Mode.PLAIN;
    }

    // ======================================================================================
    // -L
    // ======================================================================================

    /** {@code -L}: the version header, the column titles and every service with its real servers. */
    public static String list(Snapshot s, IpvsadmCommand.List opts) {
        StringBuilder sb = new StringBuilder();
        sb.append("IP Virtual Server version ").append(IPVS_VERSION).append(" (size=").append(s.tableSize()).append(")\n");
        Mode m = mode(opts);
        title(sb, m);
        for (ServiceView v : ordered(s.services(), opts.sort())) {
            service(sb, v, m, opts);
        }
        return sb.toString();
    }

    /** {@code -L -t VIP:PORT}: the column titles and one service (ipvsadm prints no version header here). */
    public static String service(ServiceView v, IpvsadmCommand.List opts) {
        StringBuilder sb = new StringBuilder();
        Mode m = mode(opts);
        title(sb, m);
        service(sb, v, m, opts);
        return sb.toString();
    }

    private static void title(StringBuilder sb, Mode m) {
        String prot = "Prot LocalAddress:Port";
        switch (m) {
            case STATS -> sb.append(fmt("%-33s %8s %8s %8s %8s %8s\n", prot, "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"))
                    .append("  -> RemoteAddress:Port\n");
            case RATE -> sb.append(fmt("%-33s %8s %8s %8s %8s %8s\n", prot, "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"))
                    .append("  -> RemoteAddress:Port\n");
            case THRESHOLDS -> sb.append(fmt("%-33s %-10s %-10s %-10s %-10s\n", prot, "Uthreshold", "Lthreshold", "ActiveConn", "InActConn"))
                    .append("  -> RemoteAddress:Port\n");
            case PERSISTENT_CONN -> sb.append(fmt("%-33s %-9s %-11s %-10s %-10s\n", prot, "Weight", "PersistConn", "ActiveConn", "InActConn"))
                    .append("  -> RemoteAddress:Port\n");
            case TUN_INFO -> sb.append("Prot LocalAddress:Port Scheduler Flags\n")
                    .append("  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n");
            case PLAIN -> sb.append("Prot LocalAddress:Port Scheduler Flags\n")
                    .append("  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
        }
    }

    private static void service(StringBuilder sb, ServiceView v, Mode m, IpvsadmCommand.List opts) {
        ServiceSpec spec = v.spec();
        String name = listName(spec.key());
        switch (m) {
            case STATS -> {
                sb.append(fmt("%-33s", name));
                totals(sb, v.totals(), opts.exact());
            }
            case RATE -> {
                sb.append(fmt("%-33s", name));
                Stats.Rates r = v.rates();
                largeNum(sb, rate(r.cps()), opts.exact());
                largeNum(sb, rate(r.inPps()), opts.exact());
                largeNum(sb, rate(r.outPps()), opts.exact());
                largeNum(sb, rate(r.inBps()), opts.exact());
                largeNum(sb, rate(r.outBps()), opts.exact());
            }
            default -> {
                sb.append(name).append(' ').append(spec.scheduler());
                String flags = schedFlags(spec);
                if (!flags.isEmpty()) {
                    sb.append(" (").append(flags).append(')');
                }
                Persistence p = spec.persistence();
                if (p != null) {
                    sb.append(" persistent ").append(p.timeoutSeconds());
                    String mask = mask(spec);
                    if (mask != null) {
                        sb.append(" mask ").append(mask);
                    }
                }
                if (spec.onePacket()) {
                    sb.append(" ops");
                }
            }
        }
        sb.append('\n');
        for (DestView d : orderedDests(v.dests(), opts.sort())) {
            dest(sb, d, m, opts.exact());
        }
    }

    private static void dest(StringBuilder sb, DestView d, Mode m, boolean exact) {
        DestSpec spec = d.spec();
        String name = spec.address().withPort(spec.port());
        switch (m) {
            case STATS -> {
                sb.append(fmt("  -> %-28s", name));
                totals(sb, d.totals(), exact);
            }
            case RATE -> {
                Stats.Rates r = d.rates();
                // ipvsadm prints a server's CPS and packet rates in full, only byte rates abbreviated.
                sb.append(fmt("  -> %-28s %8d %8d %8d", name, rate(r.cps()), rate(r.inPps()), rate(r.outPps())));
                largeNum(sb, rate(r.inBps()), exact);
                largeNum(sb, rate(r.outBps()), exact);
            }
            case THRESHOLDS -> sb.append(fmt("  -> %-28s %-10d %-10d %-10d %-10d", name,
                    spec.upperThreshold(), spec.lowerThreshold(), d.activeConns(), d.inactiveConns()));
            case PERSISTENT_CONN -> sb.append(fmt("  -> %-28s %-9d %-11d %-10d %-10d", name,
                    d.weight(), d.persistentConns(), d.activeConns(), d.inactiveConns()));
            case TUN_INFO -> sb.append(fmt("  -> %-28s %-7s %-13s %-6d %-10d %-10d", name,
                    spec.method().ipvsadmName(), tunnelInfo(spec.method()), d.weight(), d.activeConns(), d.inactiveConns()));
            case PLAIN -> sb.append(fmt("  -> %-28s %-7s %-6d %-10d %-10d", name,
                    spec.method().ipvsadmName(), d.weight(), d.activeConns(), d.inactiveConns()));
        }
        sb.append('\n');
    }

    // ======================================================================================
    // -L --health (JVS)
    // ======================================================================================

    /**
     * {@code -L --health}: ipvsadm's plain listing with each server's health instead of its connection
     * counts, the service's quorum after its line, and the servers health checks took out of the table.
     */
    public static String listHealth(Snapshot s, IpvsadmCommand.List opts, HealthSource h) {
        StringBuilder sb = new StringBuilder();
        sb.append("IP Virtual Server version ").append(IPVS_VERSION).append(" (size=").append(s.tableSize()).append(")\n");
        healthTitle(sb);
        for (ServiceView v : ordered(s.services(), opts.sort())) {
            serviceHealth(sb, v, opts, h);
        }
        return sb.toString();
    }

    /** {@code -L -t VIP:PORT --health}. */
    public static String serviceHealth(ServiceView v, IpvsadmCommand.List opts, HealthSource h) {
        StringBuilder sb = new StringBuilder();
        healthTitle(sb);
        serviceHealth(sb, v, opts, h);
        return sb.toString();
    }

    private static void healthTitle(StringBuilder sb) {
        sb.append("Prot LocalAddress:Port Scheduler Flags\n")
                .append("  -> RemoteAddress:Port           Forward Weight State      Check  Last check\n");
    }

    private static void serviceHealth(StringBuilder sb, ServiceView v, IpvsadmCommand.List opts, HealthSource h) {
        StringBuilder line = new StringBuilder();
        service(line, v, Mode.PLAIN, opts);
        // service() printed the service line and ipvsadm's server lines: keep only the first line.
        String first = line.substring(0, line.indexOf("\n"));
        sb.append(first);
        ServiceKey key = v.spec().key();
        HealthSource.ServiceHealth q = h.service(key);
        if (q != null) {
            sb.append("  quorum ").append(q.quorumUp() ? "up" : "DOWN").append(' ').append(q.liveWeight()).append('/').append(q.quorum());
            if (q.sorryServer() != null) {
                sb.append(", sorry ").append(q.sorryServer()).append(q.sorryActive() ? " in use" : " standby");
            }
        }
        sb.append('\n');
        List<DestView> dests = orderedDests(v.dests(), opts.sort());
        for (DestView d : dests) {
            DestSpec spec = d.spec();
            HealthSource.DestHealth dh = h.dest(key, spec.address(), spec.port());
            healthLine(sb, spec.address().withPort(spec.port()), spec.method().ipvsadmName(), Integer.toString(d.weight()), dh);
        }
        for (HealthSource.DestHealth dh : h.absent(key)) {
            healthLine(sb, dh.address().withPort(dh.port()), dh.forward(), "-", dh);
        }
    }

    private static void healthLine(StringBuilder sb, String name, String forward, String weight, HealthSource.DestHealth dh) {
        String state = dh == null ? "-" : dh.state();
        String check = dh == null ? "none" : dh.check();
        String last = dh == null ? "-" : dh.lastAgoMillis() < 0 ? dh.reason()
                : dh.reason() + " (" + dh.lastAgoMillis() / 1000 + " s ago)";
        sb.append(fmt("  -> %-28s %-7s %-6s %-10s %-6s %s\n", name, forward, weight, state, check, last));
    }

    private static void totals(StringBuilder sb, Stats.Totals t, boolean exact) {
        largeNum(sb, t.conns(), exact);
        largeNum(sb, t.inPackets(), exact);
        largeNum(sb, t.outPackets(), exact);
        largeNum(sb, t.inBytes(), exact);
        largeNum(sb, t.outBytes(), exact);
    }

    /**
     * One counter of {@code --stats}/{@code --rate}: nine columns, right-aligned; from 10^8 on, the value in
     * thousands (K) up to 10^9, millions (M) up to 10^11, billions (G) up to 10^14, else trillions (T), in
     * eight columns plus the letter. With {@code --exact}: the whole number, one blank before it, at least
     * nine columns.
     */
    public static String largeNum(long value, boolean exact) {
        StringBuilder sb = new StringBuilder();
        largeNum(sb, value, exact);
        return sb.toString();
    }

    private static void largeNum(StringBuilder sb, long i, boolean exact) {
        String digits = Long.toUnsignedString(i);
        if (exact) {
            sb.append(" ".repeat(Math.max(9, digits.length() + 1) - digits.length())).append(digits);
            return;
        }
        long v = i; // counters are never negative; compare as unsigned anyway, like the C original
        if (Long.compareUnsigned(v, 100_000_000L) < 0) {
            sb.append(fmt("%9s", digits));
        } else if (Long.compareUnsigned(v, 1_000_000_000L) < 0) {
            sb.append(fmt("%8sK", Long.toUnsignedString(Long.divideUnsigned(v, 1_000L))));
        } else if (Long.compareUnsigned(v, 100_000_000_000L) < 0) {
            sb.append(fmt("%8sM", Long.toUnsignedString(Long.divideUnsigned(v, 1_000_000L))));
        } else if (Long.compareUnsigned(v, 100_000_000_000_000L) < 0) {
            sb.append(fmt("%8sG", Long.toUnsignedString(Long.divideUnsigned(v, 1_000_000_000L))));
        } else {
            sb.append(fmt("%8sT", Long.toUnsignedString(Long.divideUnsigned(v, 1_000_000_000_000L))));
        }
    }

    /**
     * A rate as the kernel reports it: a whole number, rounded to nearest with halves rounded down (IPVS
     * keeps rates in fixed point and reads them out as {@code (x + half - 1) >> shift}).
     */
    static long rate(double perSecond) {
        return perSecond > 0.5 ? (long) Math.ceil(perSecond - 0.5) : 0;
    }

    // ======================================================================================
    // -L -c, --timeout
    // ======================================================================================

    /** {@code -L -c}: the connection table, expiry as minutes:seconds. */
    public static String connections(List<ConnEntry> entries, boolean persistentConn) {
        StringBuilder sb = new StringBuilder("IPVS connection entries\n");
        if (persistentConn) {
            // The persistence-engine columns stay empty: JVS has no persistence engines (--pe).
            sb.append(fmt("pro expire %-11s %-18s %-18s %-18s %-16s %s\n",
                    "state", "source", "virtual", "destination", "pe name", "pe_data"));
        } else {
            sb.append(fmt("pro expire %-11s %-18s %-18s %s\n", "state", "source", "virtual", "destination"));
        }
        for (ConnEntry e : entries) {
            int s = Math.max(0, e.expiresIn());
            sb.append(fmt("%-3s %-6s %-11s %-18s %-18s %s\n", e.protocolLabel(), fmt("%02d:%02d", s / 60, s % 60),
                    e.state(), e.client().withPort(e.clientPort()), e.virtual().withPort(e.virtualPort()),
                    e.dest().withPort(e.destPort())));
        }
        return sb.toString();
    }

    /** {@code -L --timeout}. */
    public static String timeout(Timeouts.View t) {
        return "Timeout (tcp tcpfin udp): " + t.tcp() + " " + t.tcpfin() + " " + t.udp() + "\n";
    }

    // ======================================================================================
    // -S
    // ======================================================================================

    /** {@code -S}: one {@code -A} line per service, then one {@code -a} line per real server; sorted. */
    public static String save(Snapshot s) {
        StringBuilder sb = new StringBuilder();
        for (ServiceView v : ordered(s.services(), true)) {
            ServiceSpec spec = v.spec();
            String name = ruleName(spec.key());
            sb.append("-A ").append(name).append(" -s ").append(spec.scheduler());
            Persistence p = spec.persistence();
            if (p != null) {
                sb.append(" -p ").append(p.timeoutSeconds());
                String mask = mask(spec);
                if (mask != null) {
                    sb.append(" -M ").append(mask);
                }
            }
            if (spec.onePacket()) {
                sb.append(" -o");
            }
            String flags = schedFlags(spec);
            if (!flags.isEmpty()) {
                sb.append(" -b ").append(flags);
            }
            if (spec.engine() != org.jvs.core.model.Engine.SOCKET) {
                sb.append(" --engine ").append(spec.engine().configName());
            }
            sb.append('\n');
            for (DestView d : orderedDests(v.dests(), true)) {
                rule(sb, name, d.spec());
            }
        }
        return sb.toString();
    }

    private static void rule(StringBuilder sb, String service, DestSpec d) {
        ForwardingMethod m = d.method();
        sb.append("-a ").append(service).append(" -r ").append(d.address().withPort(d.port())).append(' ')
                .append(forwardSwitch(m)).append(" -w ").append(d.weight());
        if (m instanceof ForwardingMethod.Tunnel t) {
            sb.append(" --tun-type ").append(t.type().ipvsadmName());
            if (t.type() == TunnelType.GUE) {
                sb.append(" --tun-port ").append(t.port());
            }
            if (t.type() != TunnelType.IPIP) {
                sb.append(" --tun-").append(t.checksum().option());
            }
        }
        // Beyond ipvsadm: what it would lose, so that -S | -R is the identity.
        if (d.upperThreshold() != 0) {
            sb.append(" -x ").append(d.upperThreshold());
        }
        if (d.lowerThreshold() != 0) {
            sb.append(" -y ").append(d.lowerThreshold());
        }
        if (d.proxyProtocol() != ProxyProtocol.NONE) {
            sb.append(" --proxy-protocol ").append(d.proxyProtocol().configName());
        }
        sb.append('\n');
    }

    /** ipvsadm's switch for a method; the local node saves as {@code -g}, as in ipvsadm. */
    private static String forwardSwitch(ForwardingMethod m) {
        return switch (m) {
            case ForwardingMethod.Nat n -> "-m";
            case ForwardingMethod.Tunnel t -> "-i";
            case ForwardingMethod.FullNat f -> "--fullnat";
            case ForwardingMethod.DirectRoute r -> "-g";
            case ForwardingMethod.Local l -> "-g";
        };
    }

    // ======================================================================================
    // Pieces
    // ======================================================================================

    /** How a listing names a service: {@code TCP  10.0.0.1:80}, {@code SCTP 10.0.0.1:80}, {@code FWM  1 IPv6}. */
    public static String listName(ServiceKey key) {
        return switch (key) {
            case ServiceKey.Virtual v -> fmt("%-4s %s", v.protocol().label(), v.address().withPort(v.port()));
            case ServiceKey.Fwmark f -> "FWM  " + Integer.toUnsignedString(f.mark()) + (f.v6() ? " IPv6" : "");
        };
    }

    /** How a rule names a service: {@code -t 10.0.0.1:80}, {@code --sctp-service [::1]:80}, {@code -f 1 -6}. */
    public static String ruleName(ServiceKey key) {
        return switch (key) {
            case ServiceKey.Virtual v -> v.protocol().ipvsadmOption() + " " + v.address().withPort(v.port());
            case ServiceKey.Fwmark f -> "-f " + Integer.toUnsignedString(f.mark()) + (f.v6() ? " -6" : "");
        };
    }

    /** The persistence netmask when it is not the whole address: dotted for IPv4, a prefix length for IPv6. */
    private static String mask(ServiceSpec spec) {
        int prefix = spec.persistence().prefixLength();
        if (spec.key().v6()) {
            return prefix == 128 ? null : Integer.toString(prefix);
        }
        return prefix == 32 ? null : IpAddr.v4(prefix == 0 ? 0 : -1 << (32 - prefix)).toString();
    }

    /**
     * Scheduler flags as ipvsadm names them: by bit, with the names of the service's scheduler (sh-*, mh-*),
     * or flag-N for any other scheduler.
     */
    static String schedFlags(ServiceSpec spec) {
        boolean bit0 = spec.flags().contains(SchedFlag.SH_FALLBACK) || spec.flags().contains(SchedFlag.MH_FALLBACK);
        boolean bit1 = spec.flags().contains(SchedFlag.SH_PORT) || spec.flags().contains(SchedFlag.MH_PORT);
        String[] names = switch (spec.scheduler()) {
            case "sh" -> new String[] {"sh-fallback", "sh-port"};
            case "mh" -> new String[] {"mh-fallback", "mh-port"};
            default -> new String[] {"flag-1", "flag-2"};
        };
        List<String> out = new ArrayList<>(2);
        if (bit0) {
            out.add(names[0]);
        }
        if (bit1) {
            out.add(names[1]);
        }
        return String.join(",", out);
    }

    /** {@code --tun-info}'s column: {@code ipip}, {@code gue:PORT:-c}, {@code gre:+c} (the checksum flag), or n/a. */
    private static String tunnelInfo(ForwardingMethod m) {
        if (!(m instanceof ForwardingMethod.Tunnel t)) {
            return "n/a";
        }
        return switch (t.type()) {
            case IPIP -> "ipip";
            case GUE -> "gue:" + t.port() + ":" + t.checksum().listing();
            case GRE -> "gre:" + t.checksum().listing();
        };
    }

    /** ipvsadm's service order: fwmark (none first), family, protocol, address, port. */
    public static final Comparator<ServiceKey> SERVICE_ORDER = Comparator
            .comparingLong((ServiceKey k) -> k instanceof ServiceKey.Fwmark f ? Integer.toUnsignedLong(f.mark()) : 0L)
            .thenComparing(ServiceKey::v6)
            .thenComparingInt(k -> k instanceof ServiceKey.Virtual v ? v.protocol().number() : 0)
            .thenComparing(k -> k instanceof ServiceKey.Virtual v ? v.address() : IpAddr.v4(0))
            .thenComparingInt(k -> k instanceof ServiceKey.Virtual v ? v.port() : 0);

    /** ipvsadm's server order within a service: address, then port. */
    public static final Comparator<DestSpec> DEST_ORDER = Comparator.comparing(DestSpec::address)
            .thenComparingInt(DestSpec::port);

    static List<ServiceView> ordered(List<ServiceView> services, boolean sort) {
        if (!sort) {
            return services;
        }
        List<ServiceView> out = new ArrayList<>(services);
        out.sort(Comparator.comparing((ServiceView v) -> v.spec().key(), SERVICE_ORDER));
        return out;
    }

    static List<DestView> orderedDests(List<DestView> dests, boolean sort) {
        if (!sort) {
            return dests;
        }
        List<DestView> out = new ArrayList<>(dests);
        out.sort(Comparator.comparing(DestView::spec, DEST_ORDER));
        return out;
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
