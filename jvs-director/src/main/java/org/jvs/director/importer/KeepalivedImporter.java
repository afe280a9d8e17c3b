package org.jvs.director.importer;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jvs.director.importer.YamlOut.Node;
import org.jvs.director.importer.YamlOut.Seq;

/**
 * Translates a keepalived.conf (keepalived 2.2 grammar, keepalived.conf(5)) into the JVS director's YAML:
 * {@code virtual_server}s become {@code services} on the packet engine with their health checks in JVS's form
 * (docs/health.md), the VRRP blocks become {@code vrrp}, {@code lvs_sync_daemon} becomes {@code sync}. Every
 * piece of the output carries a {@code # file:line} comment naming its source line; every line without a JVS
 * equivalent gets a warning naming it (docs/import-keepalived.md lists them).
 */
public final class KeepalivedImporter {

    /** The YAML (of everything that could be translated) and the messages, in file order. */
    public record Result(String yaml, List<Message> messages) {
        /** True when every line was understood: no warnings (notes allowed). */
        public boolean complete() {
            return messages.stream().noneMatch(Message::warning);
        }
    }

    private static final String MAIL = "JVS sends no mail (director.health.notify or webhook instead, docs/health.md)";
    private static final Map<String, String> HINTS = Map.ofEntries(
            Map.entry("notification_email", MAIL), Map.entry("notification_email_from", MAIL), Map.entry("smtp_server", MAIL),
            Map.entry("smtp_helo_name", MAIL), Map.entry("smtp_connect_timeout", MAIL), Map.entry("smtp_alert", MAIL),
            Map.entry("smtp_alert_vrrp", MAIL), Map.entry("smtp_alert_checker", MAIL), Map.entry("no_email_faults", MAIL),
            Map.entry("enable_script_security", "JVS does not check who may modify the scripts it runs: make every script (and "
                    + "its directory) owned by root and not writable by others yourself"),
            Map.entry("vrrp_strict", "JVS's VRRP has no strict mode; its checks are not translated"),
            Map.entry("strict_mode", "JVS's VRRP has no strict mode; its checks are not translated"),
            Map.entry("vrrp_iptables", "JVS installs no iptables rules for VIPs"),
            Map.entry("vrrp_skip_check_adv_addr", "no equivalent in JVS's VRRP"),
            Map.entry("vrrp_mcast_group4", "JVS's VRRP uses the standard group 224.0.0.18 (or unicast_peer)"),
            Map.entry("vrrp_mcast_group6", "JVS's VRRP uses the standard group ff02::12 (or unicast_peer)"),
            Map.entry("mcast_src_ip", "JVS sends multicast adverts from the interface's own address"),
            Map.entry("use_vmac", "JVS's VRRP has no virtual MAC (macvlan) interfaces"),
            Map.entry("vmac_xmit_base", "JVS's VRRP has no virtual MAC (macvlan) interfaces"),
            Map.entry("virtual_routes", "JVS's VRRP moves addresses only, not routes: keep them in a notify_master script"),
            Map.entry("virtual_rules", "JVS's VRRP moves addresses only, not rules: keep them in a notify_master script"),
            Map.entry("track_file", "JVS's VRRP tracks interfaces, scripts and services (track_service), not files: "
                    + "a vrrp_script that tests the file does the same"),
            Map.entry("track_process", "JVS's VRRP tracks interfaces, scripts and services, not processes: "
                    + "a vrrp_script such as 'pgrep NAME' does the same"),
            Map.entry("track_bfd", "JVS has no BFD"),
            Map.entry("omega", "JVS runs no quorum_down/notify commands at shutdown (omega is not there, docs/health.md)"),
            Map.entry("ha_suspend", "JVS keeps checking whether or not the VIP is configured"),
            Map.entry("notify_up", "JVS runs one command on every change: director.health.notify gets STATE SERVICE DEST REASON"),
            Map.entry("notify_down", "JVS runs one command on every change: director.health.notify gets STATE SERVICE DEST REASON"),
            Map.entry("static_ipaddress", "JVS does not manage the director's own addresses: keep them in the system's network configuration"),
            Map.entry("static_routes", "JVS does not manage the director's own routes: keep them in the system's network configuration"),
            Map.entry("static_rules", "JVS does not manage the director's own routing rules: keep them in the system's network configuration"),
            Map.entry("net_namespace", "run the director inside the namespace instead: ip netns exec NAME bin/jvs director ..."),
            Map.entry("net_namespace_ipvs", "the packet engine works in the director's own namespace"),
            Map.entry("bfd_instance", "JVS has no BFD"),
            Map.entry("vrrp_track_process", "JVS's VRRP tracks interfaces, scripts and services: a vrrp_script such as 'pgrep NAME' does the same"),
            Map.entry("vrrp_track_file", "JVS's VRRP tracks interfaces, scripts and services: a vrrp_script that tests the file does the same"),
            Map.entry("garp_group", "JVS has no per-interface gratuitous ARP rate limits"),
            Map.entry("persistence_engine", "JVS has no persistence engines (SIP)"),
            Map.entry("lvs_flush", "nothing to flush: JVS owns its table and starts empty"),
            Map.entry("lvs_flush_on_stop", "nothing to flush: JVS's table goes away with the director"),
            Map.entry("bindto", "JVS checks from the director's own source address (no bindto)"),
            Map.entry("bind_if", "JVS checks from the director's own source address"),
            Map.entry("bind_port", "JVS checks from an ephemeral port"),
            Map.entry("connect_ip", "JVS checks the real server's own address"),
            Map.entry("fwmark", "JVS does not mark its check packets"),
            Map.entry("regex_no_match", "JVS's regex must match (regex_no_match is not there, docs/health.md)"));
    /** Keywords of keepalived's own process and start-up that have nothing to carry over: a note each. */
    private static final Set<String> PROCESS_ONLY = Set.of("instance", "use_pid_dir", "child_wait_time", "namespace_with_ipsets",
            "include_check", "process_names", "process_name", "vrrp_process_name", "checker_process_name", "bfd_process_name",
            "tmp_config_directory", "config_save_dir", "lvs_flush", "lvs_flush_on_stop", "vrrp_no_swap", "checker_no_swap",
            "bfd_no_swap", "vrrp_priority", "checker_priority", "bfd_priority", "vrrp_rt_priority", "checker_rt_priority",
            "bfd_rt_priority", "vrrp_cpu_affinity", "checker_cpu_affinity", "bfd_cpu_affinity", "debug", "snmp_name",
            "max_auto_priority", "min_auto_priority_delay");
    private static final Map<String, String> CHECK_TYPES = Map.of("TCP_CHECK", "tcp", "HTTP_GET", "http", "SSL_GET", "https",
            "MISC_CHECK", "script", "SMTP_CHECK", "smtp", "DNS_CHECK", "dns", "UDP_CHECK", "udp", "PING_CHECK", "icmp");
    private static final List<String> CHECK_ORDER = List.of("type", "port", "path", "status", "digest", "regex", "virtualhost",
            "sni", "ca_file", "command", "misc_timeout", "query_type", "query_name", "helo_name", "payload", "require_reply",
            "delay_loop", "connect_timeout", "retry", "delay_before_retry", "warmup", "rise", "fall", "alpha", "inhibit_on_failure");
    private static final List<String> SERVICE_ORDER = List.of("scheduler", "persistence", "one_packet", "flags", "engine",
            "health_check", "quorum", "hysteresis", "quorum_up", "quorum_down", "sorry_server", "sorry_server_inhibit", "real_servers");
    private static final List<String> INSTANCE_ORDER = List.of("name", "interface", "state", "virtual_router_id", "priority",
            "advert_int", "version", "preempt", "preempt_delay", "virtual_ipaddress", "unicast_src_ip", "unicast_peer",
            "authentication", "garp_master_delay", "garp_master_repeat", "garp_master_refresh", "track_interface",
            "track_script", "track_service", "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify");

    private final List<Message> messages = new ArrayList<>();
    private final String mainFile;

    private final List<Stmt> globals = new ArrayList<>();
    private final Map<String, Stmt> scripts = new LinkedHashMap<>();
    private final List<Stmt> instances = new ArrayList<>();
    private final List<Stmt> syncGroups = new ArrayList<>();
    private final List<Stmt> virtualServers = new ArrayList<>();
    private final Map<String, Stmt> vsGroups = new HashMap<>();
    private Stmt ssl;

    private Stmt routerId;
    private Stmt garpDelay;
    private Stmt garpRepeat;
    private Stmt garpRefresh;
    private Stmt vrrpVersion;
    private Stmt syncDaemon;
    private Stmt lvsTimeouts;
    /** The virtual addresses of the services, to tell client-facing VIPs from gateway VIPs. */
    private final Set<String> serviceAddresses = new HashSet<>();
    private boolean anyNat;

    private KeepalivedImporter(String mainFile) {
        this.mainFile = mainFile;
    }

    /** Reads {@code file} (and what it includes) and translates it. */
    public static Result importFile(Path file) throws ImportException {
        KeepalivedImporter k = new KeepalivedImporter(file.getFileName().toString());
        List<Stmt> top = KeepalivedParser.parse(file, k.messages::add);
        return k.translate(top);
    }

    /** The same for a text (tests): {@code name} is its file name in messages. */
    static Result importText(String name, String text) throws ImportException {
        KeepalivedImporter k = new KeepalivedImporter(Path.of(name).getFileName().toString());
        List<Stmt> top = KeepalivedParser.parse(name, text, k.messages::add);
        return k.translate(top);
    }

    // ---- messages --------------------------------------------------------------------------------------------

    private static final String TUN_NOTE = "translated as method: tun: every real server needs a tunnel endpoint holding the"
            + " VIP (the kernel's tunl0, or bin/jvs realserver where it has no tunnel modules: docs/packet.md, VS/TUN)";

    private void warn(Stmt s, String why) {
        messages.add(Message.warning(s.src(), "'" + s.text() + "' " + why));
    }

    private void note(Stmt s, String why) {
        messages.add(Message.note(s.src(), "'" + s.text() + "' " + why));
    }

    /** A keyword with no JVS counterpart: its specific hint, or the general sentence. */
    private void untranslated(Stmt s, String where) {
        if (PROCESS_ONLY.contains(s.keyword())) {
            note(s, "is about keepalived's own process; JVS needs nothing for it");
            return;
        }
        String hint = HINTS.get(s.keyword());
        warn(s, "not translated: " + (hint != null ? hint : "no JVS equivalent in " + where));
    }

    // ---- values ----------------------------------------------------------------------------------------------

    /** A keepalived TIMER (seconds, fractions allowed) as a JVS duration: {@code 5s}, {@code 500ms}. */
    private String duration(Stmt s, String v) {
        if (v == null) {
            warn(s, "needs a value; not translated");
            return null;
        }
        BigDecimal d;
        try {
            d = new BigDecimal(v);
        } catch (NumberFormatException e) {
            warn(s, "expected a number of seconds, got '" + v + "'; not translated");
            return null;
        }
        if (d.signum() < 0) {
            warn(s, "a negative time; not translated");
            return null;
        }
        if (d.stripTrailingZeros().scale() <= 0) {
            return d.toBigInteger() + "s";
        }
        BigDecimal ms = d.movePointRight(3);
        if (ms.stripTrailingZeros().scale() > 0) {
            BigDecimal r = ms.setScale(0, RoundingMode.HALF_UP);
            note(s, "rounded to " + r + "ms: JVS durations count whole milliseconds");
            ms = r;
        }
        return ms.toBigInteger() + "ms";
    }

    private Node durationNode(Stmt s, String v) {
        String d = duration(s, v);
        return d == null ? null : YamlOut.plain(d).at(s.src());
    }

    private Long integer(Stmt s, String v) {
        if (v == null) {
            warn(s, "needs a value; not translated");
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            warn(s, "expected a whole number, got '" + v + "'; not translated");
            return null;
        }
    }

    private Node intNode(Stmt s, String v) {
        Long n = integer(s, v);
        return n == null ? null : YamlOut.num(n).at(s.src());
    }

    /** {@code <BOOL>} arguments: none means on. */
    private Boolean bool(Stmt s) {
        String v = s.arg(0);
        if (v == null) {
            return true;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> {
                warn(s, "expected on|off|true|false|yes|no; not translated");
                yield null;
            }
        };
    }

    /** A script or command line of keepalived (first word, plus its [username [groupname]]). */
    private Node command(Stmt s, String what) {
        if (s.args().isEmpty()) {
            warn(s, "needs a command; not translated");
            return null;
        }
        if (s.args().size() > 1) {
            warn(s, "runs the " + what + " as " + String.join(" ", s.args().subList(1, s.args().size()))
                    + " in keepalived; JVS runs it as the director's user (user and group dropped)");
        }
        return YamlOut.str(s.arg(0)).at(s.src());
    }

    private static void put(Map<String, Node> m, String key, Node v) {
        if (v != null) {
            m.put(key, v);
        }
    }

    private static YamlOut.Map ordered(Map<String, Node> got, List<String> order) {
        YamlOut.Map m = new YamlOut.Map();
        for (String k : order) {
            if (got.containsKey(k)) {
                m.put(k, got.get(k));
            }
        }
        got.forEach((k, v) -> {
            if (!order.contains(k)) {
                m.put(k, v);
            }
        });
        return m;
    }

    private static boolean v6(String address) {
        return address.contains(":");
    }

    // ---- the whole file --------------------------------------------------------------------------------------

    private Result translate(List<Stmt> top) {
        for (Stmt s : top) {
            if (KeepalivedParser.TOP_LEVEL.contains(s.keyword()) && needsBlock(s.keyword()) && !s.hasBlock()) {
                warn(s, "needs a { ... } block; ignored");
                continue;
            }
            switch (s.keyword()) {
                case "global_defs" -> globals.add(s);
                case "vrrp_script" -> named(s, scripts);
                case "vrrp_instance" -> instances.add(s);
                case "vrrp_sync_group" -> syncGroups.add(s);
                case "virtual_server" -> virtualServers.add(s);
                case "virtual_server_group" -> named(s, vsGroups);
                case "SSL" -> ssl = s;
                default -> untranslated(s, "JVS");
            }
        }
        for (Stmt g : globals) {
            globalDefs(g);
        }
        if (ssl != null) {
            for (Stmt s : ssl.block()) {
                switch (s.keyword()) {
                    case "ca" -> note(s, "becomes the ca_file of every https check");
                    case "certificate", "key", "password" -> warn(s, "not translated: JVS's https checks present no client certificate");
                    default -> untranslated(s, "JVS's https checks");
                }
            }
        }
        YamlOut.Map doc = new YamlOut.Map();
        director(doc);
        Seq services = services();
        if (!services.items.isEmpty()) {
            doc.put("services", services);
        }
        YamlOut.Map packet = packet();
        if (packet != null) {
            doc.put("packet", packet);
        }
        YamlOut.Map vrrp = vrrp();
        if (!vrrp.isEmpty()) {
            doc.put("vrrp", vrrp);
        }
        YamlOut.Map sync = sync();
        if (sync != null) {
            doc.put("sync", sync);
        }
        messages.sort(Comparator.comparingLong(Message::seq));
        List<String> header = new ArrayList<>();
        header.add("JVS director configuration translated from " + mainFile + " by jvsadm --import-keepalived");
        header.add("(docs/import-keepalived.md). '# FILE:LINE' comments name the keepalived line of each piece.");
        if (routerId != null) {
            header.add("router_id " + routerId.arg(0) + " (" + routerId.src() + "): JVS has no router id; its logs carry the host name.");
        }
        List<Message> warnings = messages.stream().filter(Message::warning).toList();
        if (!warnings.isEmpty()) {
            header.add("");
            header.add("Not translated (" + warnings.size() + (warnings.size() == 1 ? " line" : " lines") + ", also on standard error):");
            for (Message m : warnings) {
                header.add("  " + m.format());
            }
        }
        return new Result(YamlOut.write(header, doc), List.copyOf(messages));
    }

    private static boolean needsBlock(String kw) {
        return Set.of("global_defs", "vrrp_script", "vrrp_instance", "vrrp_sync_group", "virtual_server",
                "virtual_server_group", "SSL").contains(kw);
    }

    private void named(Stmt s, Map<String, Stmt> into) {
        if (s.args().isEmpty()) {
            warn(s, "needs a name; ignored");
        } else if (into.containsKey(s.arg(0))) {
            warn(s, "is defined a second time (first at " + into.get(s.arg(0)).src() + "); this one is ignored");
        } else {
            into.put(s.arg(0), s);
        }
    }

    // ---- global_defs -----------------------------------------------------------------------------------------

    private void globalDefs(Stmt g) {
        for (Stmt s : g.block()) {
            switch (s.keyword()) {
                case "router_id" -> {
                    routerId = s;
                    note(s, "kept as a comment at the top: JVS has no router id");
                }
                case "script_user" -> warn(s, "dropped: JVS runs vrrp and health-check scripts as the director's own user (run the director as that user, or make the scripts setuid-safe)");
                case "vrrp_garp_master_delay" -> garpDelay = s;
                case "vrrp_garp_master_repeat" -> garpRepeat = s;
                case "vrrp_garp_master_refresh" -> garpRefresh = s;
                case "vrrp_version" -> vrrpVersion = s;
                case "lvs_sync_daemon" -> syncDaemon = s;
                case "lvs_timeouts" -> lvsTimeouts = s;
                default -> untranslated(s, "global_defs");
            }
        }
    }

    private void director(YamlOut.Map doc) {
        if (lvsTimeouts == null) {
            return;
        }
        YamlOut.Map t = new YamlOut.Map().flow().at(lvsTimeouts.src());
        List<String> a = lvsTimeouts.args();
        for (int i = 0; i < a.size(); i++) {
            String k = a.get(i);
            if ((k.equals("tcp") || k.equals("tcpfin") || k.equals("udp")) && i + 1 < a.size()) {
                Long n = integer(lvsTimeouts, a.get(++i));
                if (n != null) {
                    t.put(k, YamlOut.num(n));
                }
            } else {
                warn(lvsTimeouts, "part '" + k + "' not understood (expected tcp|tcpfin|udp SECONDS)");
            }
        }
        if (!t.isEmpty()) {
            YamlOut.Map d = new YamlOut.Map();
            d.put("timeouts", t);
            doc.put("director", d);
        }
    }

    // ---- services ----------------------------------------------------------------------------------------------

    private record Key(String address, Integer port, Long fwmark, String label) {
    }

    private Seq services() {
        Seq out = new Seq();
        Set<String> names = new HashSet<>();
        for (Stmt vs : virtualServers) {
            virtualServer(vs, out, names);
        }
        return out;
    }

    /** The service keys a virtual_server line stands for (one, or one per entry of its group). */
    private List<Key> keys(Stmt vs) {
        List<String> a = vs.args();
        if (a.isEmpty()) {
            warn(vs, "needs an address (and port), 'fwmark N' or 'group NAME'; ignored");
            return List.of();
        }
        if (a.getFirst().equals("fwmark")) {
            Long m = integer(vs, a.size() > 1 ? a.get(1) : null);
            return m == null ? List.of() : List.of(new Key(null, null, m, "fwmark " + m));
        }
        if (a.getFirst().equals("group")) {
            Stmt g = a.size() > 1 ? vsGroups.get(a.get(1)) : null;
            if (g == null) {
                warn(vs, "names no virtual_server_group defined in the file; ignored");
                return List.of();
            }
            List<Key> keys = new ArrayList<>();
            for (Stmt e : g.block()) {
                groupEntry(e, keys);
            }
            note(vs, "becomes one JVS service per entry of group " + a.get(1) + " (" + keys.size()
                    + "), same real servers; JVS checks each service's servers on their own (keepalived once per group)");
            return keys;
        }
        Integer port = null;
        if (a.size() > 1) {
            Long p = integer(vs, a.get(1));
            port = p == null ? null : p.intValue();
        }
        return List.of(new Key(a.getFirst(), port, null, null));
    }

    private void groupEntry(Stmt e, List<Key> keys) {
        if (e.keyword().equals("fwmark")) {
            Long m = integer(e, e.arg(0));
            if (m != null) {
                keys.add(new Key(null, null, m, "fwmark " + m));
            }
            if (e.args().size() > 1) {
                warn(e, "address family '" + e.arg(1) + "' dropped: JVS fwmark services are IPv4 unless ipv6: true");
            }
            return;
        }
        Integer port = null;
        if (e.arg(0) != null) {
            Long p = integer(e, e.arg(0));
            port = p == null ? null : p.intValue();
        }
        String addr = e.keyword();
        java.util.regex.Matcher r = java.util.regex.Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.)(\\d+)-(\\d+)").matcher(addr);
        if (r.matches()) {
            int from = Integer.parseInt(r.group(2));
            int to = Integer.parseInt(r.group(3));
            if (to < from || to > 255) {
                warn(e, "address range not understood; not translated");
                return;
            }
            for (int i = from; i <= to; i++) {
                keys.add(new Key(r.group(1) + i, port, null, null));
            }
            return;
        }
        if (addr.contains("/") || addr.indexOf('-') > 0) {
            warn(e, "this form of address range is not expanded by the importer (a.b.c.d-e is); write the addresses out");
            return;
        }
        keys.add(new Key(addr, port, null, null));
    }

    private void virtualServer(Stmt vs, Seq out, Set<String> names) {
        List<Key> keys = keys(vs);
        Map<String, Node> body = new LinkedHashMap<>();
        Map<String, Node> timers = new LinkedHashMap<>();
        String method = "nat";
        Stmt methodStmt = null;
        Node tunnel = null;
        String vhost = null;
        String protocol = null;
        Stmt protocolStmt = null;
        String snmpName = null;
        boolean ipv6Family = false;
        Long persistTimeout = null;
        Stmt persistStmt = null;
        Stmt granularity = null;
        List<Node> flags = new ArrayList<>();
        Stmt sorry = null;
        Stmt sorryMethod = null;
        List<Stmt> realServers = new ArrayList<>();
        String scheduler = null;
        Stmt schedStmt = null;
        for (Stmt s : vs.block()) {
            String kw = s.keyword();
            if (timer(s, timers)) {
                continue;
            }
            switch (kw) {
                case "lb_algo", "lvs_sched" -> {
                    scheduler = s.arg(0);
                    schedStmt = s;
                }
                case "lb_kind", "lvs_method" -> {
                    String[] m = method(s);
                    if (m != null) {
                        method = m[0];
                        methodStmt = s;
                        tunnel = tunnelNode(s);
                    }
                }
                case "persistence_timeout" -> {
                    persistStmt = s;
                    persistTimeout = s.arg(0) == null ? Long.valueOf(360) : integer(s, s.arg(0)); // boxed: a bad value is null, not an NPE
                }
                case "persistence_granularity" -> granularity = s;
                case "protocol" -> {
                    protocolStmt = s;
                    protocol = s.arg(0) == null ? null : s.arg(0).toLowerCase(Locale.ROOT);
                    if (protocol == null || !Set.of("tcp", "udp", "sctp").contains(protocol)) {
                        warn(s, "expected TCP, UDP or SCTP; not translated");
                        protocol = null;
                    }
                }
                case "virtualhost" -> vhost = s.arg(0);
                case "quorum", "hysteresis" -> put(body, kw, intNode(s, s.arg(0)));
                case "quorum_up", "quorum_down" -> put(body, kw, command(s, "command"));
                case "sorry_server" -> sorry = s;
                case "sorry_server_lvs_method" -> sorryMethod = s;
                case "sorry_server_inhibit" -> {
                    Boolean b = bool(s);
                    if (b != null) {
                        body.put("sorry_server_inhibit", YamlOut.bool(b).at(s.src()));
                    }
                }
                case "ops" -> body.put("one_packet", YamlOut.bool(true).at(s.src()));
                case "sh-port", "sh-fallback", "mh-port", "mh-fallback" -> flags.add(YamlOut.str(kw));
                case "flag-1", "flag-2", "flag-3" -> {
                    String sched = scheduler == null ? "" : scheduler;
                    String f = switch (kw + "/" + sched) {
                        case "flag-1/sh" -> "sh-fallback";
                        case "flag-2/sh" -> "sh-port";
                        case "flag-1/mh" -> "mh-fallback";
                        case "flag-2/mh" -> "mh-port";
                        default -> null;
                    };
                    if (f == null) {
                        warn(s, "not translated: JVS knows scheduler flags only as sh-fallback, sh-port, mh-fallback, mh-port "
                                + "(write the flag after lvs_sched sh|mh, or by its name)");
                    } else {
                        flags.add(YamlOut.str(f));
                    }
                }
                case "real_server" -> realServers.add(s);
                case "snmp_name" -> {
                    snmpName = s.arg(0);
                    note(s, "used as the service's name");
                }
                case "ip_family" -> ipv6Family = "inet6".equals(s.arg(0));
                default -> untranslated(s, "a JVS service");
            }
        }
        if (scheduler != null && !org.jvs.core.sched.Schedulers.exists(scheduler)) {
            warn(schedStmt, "unknown scheduler; left out (JVS's default is wlc; known: "
                    + String.join(", ", org.jvs.core.sched.Schedulers.names()) + ")");
            scheduler = null;
        }
        if (scheduler != null) {
            body.put("scheduler", YamlOut.str(scheduler).at(schedStmt.src()));
        }
        if (persistStmt != null && persistTimeout != null) {
            if (granularity != null) {
                YamlOut.Map p = new YamlOut.Map().flow().at(persistStmt.src());
                p.put("timeout", YamlOut.num(persistTimeout));
                p.put("netmask", YamlOut.str(granularity.arg(0) == null ? "32" : granularity.arg(0)));
                body.put("persistence", p);
            } else {
                body.put("persistence", YamlOut.num(persistTimeout).at(persistStmt.src()));
            }
        } else if (granularity != null) {
            warn(granularity, "has no effect without persistence_timeout; not translated");
        }
        if (!flags.isEmpty()) {
            Seq f = new Seq().flow();
            flags.forEach(f::add);
            body.put("flags", f);
        }
        body.put("engine", YamlOut.plain("packet").note("keepalived drives kernel IPVS: packet-level forwarding"));
        if (methodStmt != null && method.equals("tun")) {
            note(methodStmt, TUN_NOTE);
        }
        if (method.equals("nat")) {
            anyNat = true;
        }

        // Real servers and their checks.
        Seq rsList = new Seq();
        List<YamlOut.Map> rsMaps = new ArrayList<>();
        List<YamlOut.Map> checks = new ArrayList<>();
        List<Stmt> checkStmts = new ArrayList<>();
        for (Stmt rs : realServers) {
            Stmt[] which = new Stmt[1];
            YamlOut.Map[] check = new YamlOut.Map[1];
            YamlOut.Map r = realServer(rs, method, methodStmt, tunnel, vhost, check, which);
            if (r == null) {
                continue;
            }
            rsMaps.add(r);
            checks.add(check[0]);
            checkStmts.add(which[0]);
            rsList.add(r);
        }
        Map<String, Node> serviceCheck = new LinkedHashMap<>(timers);
        boolean allChecked = !checks.isEmpty() && checks.stream().allMatch(c -> c != null);
        boolean anyChecked = checks.stream().anyMatch(c -> c != null);
        boolean same = allChecked && checks.stream().map(YamlOut::signature).distinct().count() == 1;
        Src hoistedFrom = null;
        if (same) {
            for (YamlOut.Entry e : checks.getFirst().entries) {
                serviceCheck.put(e.key(), e.value());
            }
            hoistedFrom = checkStmts.getFirst().src();
        } else if (!anyChecked && !timers.isEmpty()) {
            messages.add(Message.note(vs.src(), "'" + vs.text() + "' has check timers but no real server has a checker: timers dropped"));
            serviceCheck.clear();
        }
        for (int i = 0; i < rsMaps.size(); i++) {
            if (!same && checks.get(i) != null) {
                rsMaps.get(i).put("health_check", checks.get(i));
            } else if (!same && !serviceCheck.isEmpty()) {
                rsMaps.get(i).put("health_check", YamlOut.plain("off").note("no checker in keepalived: always up"));
            }
        }
        if (!serviceCheck.isEmpty()) {
            YamlOut.Map hc = ordered(serviceCheck, CHECK_ORDER);
            if (hoistedFrom != null) {
                hc.above.add("the same check on every real server (first at " + hoistedFrom + ")");
            }
            hc.flow = hc.entries.size() <= 3;
            body.put("health_check", hc);
        }
        if (sorry != null) {
            YamlOut.Map sm = sorryServer(sorry, sorryMethod, method, methodStmt);
            if (sm != null) {
                body.put("sorry_server", sm);
            }
        } else if (sorryMethod != null) {
            warn(sorryMethod, "without a sorry_server; not translated");
        }
        body.put("real_servers", rsList);

        for (Key k : keys) {
            YamlOut.Map svc = new YamlOut.Map().at(vs.src());
            String name = snmpName != null ? snmpName
                    : k.fwmark() != null ? "fwmark-" + k.fwmark()
                    : (protocol == null ? "tcp" : protocol) + "-" + k.address() + "-" + (k.port() == null ? 0 : k.port());
            String unique = name;
            for (int n = 2; !names.add(unique); n++) {
                unique = name + "-" + n;
            }
            svc.put("name", YamlOut.str(unique));
            if (k.fwmark() != null) {
                svc.put("fwmark", YamlOut.num(k.fwmark()));
                if (ipv6Family) {
                    svc.put("ipv6", YamlOut.bool(true));
                }
                if (protocolStmt != null) {
                    note(protocolStmt, "dropped: a fwmark service covers every protocol the mark selects");
                }
                warn(vs, "translated as fwmark: " + k.fwmark() + ", but the packet engine sees only the marks its own "
                        + "packet.marks rules give, not the firewall's: add the rule that gives this mark (docs/packet.md)");
            } else {
                if (protocol != null) {
                    svc.put("protocol", YamlOut.plain(protocol).at(protocolStmt.src()));
                }
                svc.put("address", YamlOut.str(k.address()));
                svc.put("port", YamlOut.num(k.port() == null ? 0 : k.port()));
                serviceAddresses.add(k.address());
                if (k.port() == null && persistStmt == null) {
                    warn(vs, "has no port and no persistence: JVS (as IPVS) needs persistence for a port-0 service");
                }
                if (v6(k.address())) {
                    warn(vs, "is IPv6: the packet engine does not forward IPv6 yet (docs/packet.md, Missing)");
                }
            }
            ordered(body, SERVICE_ORDER).entries.forEach(e -> svc.put(e.key(), e.value()));
            out.add(svc);
        }
    }

    /** The common check keys (delay_loop, connect_timeout, ...), at any level; true when {@code s} was one. */
    private boolean timer(Stmt s, Map<String, Node> into) {
        switch (s.keyword()) {
            case "delay_loop", "connect_timeout", "delay_before_retry", "warmup" -> put(into, s.keyword(), durationNode(s, s.arg(0)));
            case "retry", "nb_get_retry" -> put(into, "retry", intNode(s, s.arg(0)));
            case "alpha", "inhibit_on_failure" -> {
                Boolean b = bool(s);
                if (b != null) {
                    into.put(s.keyword(), YamlOut.bool(b).at(s.src()));
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** {@code lvs_method NAT|DR|TUN [type ...]}: JVS's method name, or null (warned). */
    private String[] method(Stmt s) {
        String m = s.arg(0) == null ? "" : s.arg(0).toUpperCase(Locale.ROOT);
        return switch (m) {
            case "NAT" -> new String[] {"nat"};
            case "DR" -> new String[] {"dr"};
            case "TUN" -> new String[] {"tun"};
            default -> {
                warn(s, "expected NAT, DR or TUN; not translated");
                yield null;
            }
        };
    }

    /** The {@code tunnel:} of {@code lvs_method TUN type gue port N}, or null for plain ipip. */
    private Node tunnelNode(Stmt s) {
        if (!"TUN".equalsIgnoreCase(s.arg(0)) || s.args().size() < 3 || !"type".equals(s.arg(1))) {
            return null;
        }
        YamlOut.Map t = new YamlOut.Map().flow();
        t.put("type", YamlOut.str(s.arg(2).toLowerCase(Locale.ROOT)));
        List<String> a = s.args();
        for (int i = 3; i < a.size(); i++) {
            if (a.get(i).equals("port") && i + 1 < a.size()) {
                Long p = integer(s, a.get(++i));
                if (p != null) {
                    t.put("port", YamlOut.num(p));
                }
            } else if (a.get(i).equals("nocsum") || a.get(i).equals("csum") || a.get(i).equals("remcsum")) {
                t.put("checksum", YamlOut.str(a.get(i)));
            } else {
                warn(s, "tunnel option '" + a.get(i) + "' dropped: JVS's tunnels take a type, a port and a checksum option");
            }
        }
        return t;
    }

    private YamlOut.Map realServer(Stmt rs, String vsMethod, Stmt vsMethodStmt, Node vsTunnel, String vsVhost,
                                   YamlOut.Map[] checkOut, Stmt[] checkStmt) {
        if (!rs.hasBlock()) {
            rs = new Stmt(rs.keyword(), rs.args(), List.of(), rs.src());
        }
        if (rs.args().isEmpty()) {
            warn(rs, "needs an address; ignored");
            return null;
        }
        YamlOut.Map r = new YamlOut.Map().flow().at(rs.src());
        r.put("address", YamlOut.str(rs.arg(0)));
        if (rs.arg(1) != null) {
            Long p = integer(rs, rs.arg(1));
            if (p != null) {
                r.put("port", YamlOut.num(p));
            }
        }
        String method = vsMethod;
        Node tunnel = vsTunnel;
        Map<String, Node> timers = new LinkedHashMap<>();
        String vhost = vsVhost;
        Map<String, Node> rest = new LinkedHashMap<>();
        List<Stmt> checkers = new ArrayList<>();
        for (Stmt s : rs.block()) {
            if (timer(s, timers)) {
                continue;
            }
            switch (s.keyword()) {
                case "weight" -> put(rest, "weight", intNode(s, s.arg(0)));
                case "uthreshold" -> put(rest, "upper_threshold", intNode(s, s.arg(0)));
                case "lthreshold" -> put(rest, "lower_threshold", intNode(s, s.arg(0)));
                case "lvs_method" -> {
                    String[] m = method(s);
                    if (m != null) {
                        method = m[0];
                        tunnel = tunnelNode(s);
                        if (method.equals("tun")) {
                            note(s, TUN_NOTE);
                        }
                    }
                }
                case "virtualhost" -> vhost = s.arg(0);
                default -> {
                    if (CHECK_TYPES.containsKey(s.keyword()) || s.keyword().equals("FILE_CHECK") || s.keyword().equals("BFD_CHECK")) {
                        checkers.add(s);
                    } else {
                        untranslated(s, "a JVS real server");
                    }
                }
            }
        }
        YamlOut.Scalar m = YamlOut.plain(method);
        r.put("method", vsMethodStmt == null && method.equals(vsMethod) ? m.note("keepalived's default: NAT") : m);
        if (tunnel != null) {
            r.put("tunnel", tunnel);
        }
        rest.forEach(r::put);
        YamlOut.Map check = null;
        for (Stmt c : checkers) {
            if (check != null) {
                warn(c, "dropped: JVS runs one check per real server (kept the " + checkStmt[0].keyword() + " at " + checkStmt[0].src() + ")");
                continue;
            }
            Map<String, Node> keys = checker(c, vhost, v6(rs.arg(0)));
            if (keys != null) {
                Map<String, Node> merged = new LinkedHashMap<>(timers);
                merged.putAll(keys);
                check = ordered(merged, CHECK_ORDER).at(c.src());
                check.flow = check.entries.size() <= 3;
                checkStmt[0] = c;
            }
        }
        checkOut[0] = check;
        return r;
    }

    /** The JVS keys of one keepalived checker block, or null when it has no JVS type (warned). */
    private Map<String, Node> checker(Stmt c, String vhost, boolean v6) {
        String type = CHECK_TYPES.get(c.keyword());
        if (type == null) {
            warn(c, "not translated: JVS has no " + (c.keyword().equals("FILE_CHECK") ? "file" : "BFD") + " checker (docs/health.md)");
            return null;
        }
        Map<String, Node> k = new LinkedHashMap<>();
        k.put("type", YamlOut.plain(type));
        List<Stmt> body = c.hasBlock() ? c.block() : List.of();
        boolean dynamic = false;
        boolean sni = false;
        Stmt sniStmt = null;
        boolean firstUrl = true;
        for (Stmt s : body) {
            if (timer(s, k)) {
                continue;
            }
            switch (s.keyword()) {
                case "connect_port" -> put(k, "port", intNode(s, s.arg(0)));
                case "virtualhost" -> vhost = s.arg(0);
                case "url" -> {
                    if (!type.startsWith("http")) {
                        untranslated(s, "this checker");
                    } else if (!firstUrl) {
                        warn(s, "dropped: a JVS http check tests one URL (the first is kept)");
                    } else {
                        firstUrl = false;
                        vhost = url(s, k, vhost);
                    }
                }
                case "http_protocol" -> note(s, "dropped: JVS always sends HTTP/1.1 with Connection: close");
                case "fast_recovery" -> note(s, "dropped: with one URL per check there is nothing to speed up");
                case "enable_sni" -> {
                    sni = true;
                    sniStmt = s;
                }
                case "misc_path" -> {
                    if (s.args().isEmpty()) {
                        warn(s, "needs a command; not translated");
                    } else {
                        k.put("command", YamlOut.str(s.arg(0)).at(s.src()));
                    }
                }
                case "misc_timeout" -> put(k, "misc_timeout", durationNode(s, s.arg(0)));
                case "misc_dynamic" -> dynamic = true;
                case "user" -> warn(s, "dropped: JVS runs check scripts as the director's user");
                case "helo_name" -> put(k, "helo_name", YamlOut.str(s.arg(0) == null ? "" : s.arg(0)).at(s.src()));
                case "type" -> put(k, "query_type", YamlOut.str(s.arg(0) == null ? "" : s.arg(0).toUpperCase(Locale.ROOT)).at(s.src()));
                case "name" -> put(k, "query_name", YamlOut.str(s.arg(0) == null ? "." : s.arg(0)).at(s.src()));
                case "payload" -> k.put("payload", YamlOut.str(String.join(" ", s.args())).at(s.src()));
                case "require_reply" -> k.put("require_reply", s.args().isEmpty() ? YamlOut.bool(true).at(s.src())
                        : YamlOut.str(String.join(" ", s.args())).at(s.src()));
                default -> untranslated(s, "a JVS " + type + " check");
            }
        }
        if (type.startsWith("http") && vhost != null) {
            k.put("virtualhost", YamlOut.str(vhost));
        }
        if (sni) {
            if (vhost != null) {
                k.put("sni", YamlOut.str(vhost).at(sniStmt.src()));
            } else {
                warn(sniStmt, "not translated: no virtualhost to send as the server name (give the check 'sni: NAME')");
            }
        }
        if (type.equals("https") && ssl != null) {
            for (Stmt s : ssl.block()) {
                if (s.keyword().equals("ca") && s.arg(0) != null) {
                    k.put("ca_file", YamlOut.str(s.arg(0)).at(s.src()));
                }
            }
        }
        if (type.equals("script")) {
            if (!k.containsKey("command")) {
                warn(c, "has no misc_path; not translated");
                return null;
            }
            if (!dynamic) {
                warn(c, "has no misc_dynamic: keepalived counts every exit status but 0 as a failure, JVS reads 2..255 as "
                        + "'up with weight status-2' (docs/health.md): make the script exit 1 on failure");
            }
        }
        if (type.equals("icmp") && v6) {
            warn(c, "not translated: JVS's icmp check is IPv4 only");
            return null;
        }
        if (type.equals("icmp")) {
            k.remove("port");
        }
        return k;
    }

    /** The keys of an HTTP_GET/SSL_GET url block; returns the virtualhost in force. */
    private String url(Stmt u, Map<String, Node> k, String vhost) {
        for (Stmt s : u.hasBlock() ? u.block() : List.<Stmt>of()) {
            switch (s.keyword()) {
                case "path" -> put(k, "path", s.arg(0) == null ? null : YamlOut.str(s.arg(0)).at(s.src()));
                case "digest" -> put(k, "digest", s.arg(0) == null ? null : YamlOut.str(s.arg(0)).at(s.src()));
                case "status_code" -> {
                    if (s.args().size() == 1) {
                        k.put("status", YamlOut.str(s.arg(0)).at(s.src()));
                    } else if (s.args().size() > 1) {
                        Seq st = new Seq().flow().at(s.src());
                        s.args().forEach(a -> st.add(YamlOut.str(a)));
                        k.put("status", st);
                    }
                }
                case "regex" -> put(k, "regex", s.arg(0) == null ? null : YamlOut.str(s.arg(0)).at(s.src()));
                case "virtualhost" -> vhost = s.arg(0);
                default -> untranslated(s, "a JVS http check");
            }
        }
        return vhost;
    }

    private YamlOut.Map sorryServer(Stmt s, Stmt sorryMethod, String vsMethod, Stmt vsMethodStmt) {
        if (s.args().isEmpty()) {
            warn(s, "needs an address; not translated");
            return null;
        }
        YamlOut.Map m = new YamlOut.Map().flow().at(s.src());
        m.put("address", YamlOut.str(s.arg(0)));
        if (s.arg(1) != null) {
            Long p = integer(s, s.arg(1));
            if (p != null) {
                m.put("port", YamlOut.num(p));
            }
        }
        String method = vsMethod;
        Node tunnel = null;
        if (sorryMethod != null) {
            String[] x = method(sorryMethod);
            if (x != null) {
                method = x[0];
                tunnel = tunnelNode(sorryMethod);
            }
        }
        m.put("method", YamlOut.plain(method));
        if (tunnel != null) {
            m.put("tunnel", tunnel);
        }
        return m;
    }

    // ---- packet ----------------------------------------------------------------------------------------------

    /** The packet engine's interfaces, from the VRRP instances: where the VIPs live. */
    private YamlOut.Map packet() {
        if (virtualServers.isEmpty()) {
            return null;
        }
        Map<String, boolean[]> roles = new LinkedHashMap<>();
        Map<String, Src> from = new HashMap<>();
        for (Stmt inst : instances) {
            String iface = null;
            List<Stmt> vips = new ArrayList<>();
            for (Stmt s : inst.block()) {
                if (s.keyword().equals("interface")) {
                    iface = s.arg(0);
                } else if ((s.keyword().equals("virtual_ipaddress") || s.keyword().equals("virtual_ipaddress_excluded")) && s.hasBlock()) {
                    vips.addAll(s.block());
                }
            }
            for (Stmt v : vips) {
                List<String> w = v.words();
                String dev = iface;
                for (int i = 1; i + 1 < w.size(); i++) {
                    if (w.get(i).equals("dev")) {
                        dev = w.get(i + 1);
                    }
                }
                if (dev == null) {
                    continue;
                }
                String addr = w.getFirst().contains("/") ? w.getFirst().substring(0, w.getFirst().indexOf('/')) : w.getFirst();
                boolean[] r = roles.computeIfAbsent(dev, x -> new boolean[2]);
                from.putIfAbsent(dev, inst.src());
                if (serviceAddresses.contains(addr)) {
                    r[0] = true;
                } else {
                    r[1] = true;
                }
            }
        }
        YamlOut.Map p = new YamlOut.Map();
        if (roles.isEmpty()) {
            messages.add(Message.warning(virtualServers.getFirst().src(), "'" + virtualServers.getFirst().text()
                    + "' no vrrp_instance says which interface holds the VIPs: write the packet: section's interfaces yourself (docs/packet.md)"));
            p.above.add("FILL IN: the interfaces the packet engine runs on (docs/packet.md), e.g. interfaces: [{name: eth0, role: both}]");
            p.put("interfaces", new Seq().flow());
            return p;
        }
        Seq list = new Seq();
        boolean single = roles.size() == 1;
        for (Map.Entry<String, boolean[]> e : roles.entrySet()) {
            boolean[] r = e.getValue();
            String role = single || r[0] && r[1] ? "both" : r[0] ? "client" : "server";
            YamlOut.Map i = new YamlOut.Map().flow().at(from.get(e.getKey()));
            i.put("name", YamlOut.str(e.getKey()));
            i.put("role", YamlOut.plain(role));
            list.add(i);
        }
        p.above.add("inferred from the VRRP instances: an interface holding service VIPs faces clients, one holding other VIPs");
        p.above.add("(a NAT gateway) faces real servers; check the roles (docs/packet.md). The engine answers ARP for the VIPs itself.");
        p.put("interfaces", list);
        if (single && anyNat) {
            p.above.add("One interface with NAT services: real servers must route their replies through the director.");
        }
        return p;
    }

    // ---- vrrp --------------------------------------------------------------------------------------------------

    private YamlOut.Map vrrp() {
        YamlOut.Map v = new YamlOut.Map();
        if (!scripts.isEmpty()) {
            YamlOut.Map sm = new YamlOut.Map();
            scripts.forEach((name, s) -> sm.put(name, script(s)));
            v.put("scripts", sm);
        }
        Map<String, Stmt> groupOf = new HashMap<>();
        Seq groups = new Seq();
        for (Stmt g : syncGroups) {
            YamlOut.Map gm = syncGroup(g, groupOf);
            if (gm != null) {
                groups.add(gm);
            }
        }
        if (!instances.isEmpty()) {
            Seq is = new Seq();
            Set<String> names = new HashSet<>();
            for (Stmt i : instances) {
                if (i.args().isEmpty()) {
                    warn(i, "needs a name; ignored");
                    continue;
                }
                if (!names.add(i.arg(0))) {
                    warn(i, "is defined a second time; this one is ignored");
                    continue;
                }
                is.add(instance(i, groupOf.get(i.arg(0))));
            }
            v.put("instances", is);
        }
        for (Stmt g : syncGroups) {
            for (Stmt s : g.block()) {
                if (s.keyword().equals("group") && s.hasBlock()) {
                    for (Stmt m : s.block()) {
                        for (String n : m.words()) {
                            if (!names(instances).contains(n)) {
                                warn(m, "names no vrrp_instance '" + n + "' of this file");
                            }
                        }
                    }
                }
            }
        }
        if (!groups.items.isEmpty()) {
            v.put("sync_groups", groups);
        }
        return v;
    }

    private static Set<String> names(List<Stmt> blocks) {
        return blocks.stream().filter(b -> !b.args().isEmpty()).map(b -> b.arg(0)).collect(Collectors.toSet());
    }

    private YamlOut.Map script(Stmt sc) {
        YamlOut.Map m = new YamlOut.Map().flow().at(sc.src());
        Map<String, Node> got = new LinkedHashMap<>();
        for (Stmt s : sc.block()) {
            switch (s.keyword()) {
                case "script" -> {
                    if (s.args().isEmpty()) {
                        warn(s, "needs a command; not translated");
                    } else {
                        got.put("script", YamlOut.str(String.join(" ", s.args())));
                    }
                }
                case "interval", "timeout" -> {
                    Node d = durationNode(s, s.arg(0));
                    if (d != null) {
                        d.comment = null;
                        got.put(s.keyword(), d);
                    }
                }
                case "weight" -> {
                    Long w = integer(s, s.arg(0));
                    if (w != null) {
                        got.put("weight", YamlOut.num(w));
                    }
                    if (s.args().size() > 1) {
                        warn(s, "'" + s.arg(1) + "' dropped: JVS's script weights are not reversed");
                    }
                }
                case "rise", "fall" -> {
                    Long n = integer(s, s.arg(0));
                    if (n != null) {
                        got.put(s.keyword(), YamlOut.num(n));
                    }
                }
                case "user" -> warn(s, "dropped: JVS runs vrrp scripts as the director's own user");
                case "init_fail" -> warn(s, "not translated: JVS starts every script as succeeding");
                default -> untranslated(s, "a JVS vrrp script");
            }
        }
        // global_defs script_user is reported where global_defs is read: JVS runs scripts as its own user.
        ordered(got, List.of("script", "interval", "timeout", "weight", "rise", "fall")).entries.forEach(e -> m.put(e.key(), e.value()));
        return m;
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    private YamlOut.Map syncGroup(Stmt g, Map<String, Stmt> groupOf) {
        if (g.args().isEmpty()) {
            warn(g, "needs a name; ignored");
            return null;
        }
        YamlOut.Map m = new YamlOut.Map().flow().at(g.src());
        m.put("name", YamlOut.str(g.arg(0)));
        Map<String, Node> got = new LinkedHashMap<>();
        for (Stmt s : g.block()) {
            switch (s.keyword()) {
                case "group" -> {
                    Seq members = new Seq().flow().at(s.src());
                    for (Stmt e : s.hasBlock() ? s.block() : List.<Stmt>of()) {
                        for (String n : e.words()) {
                            members.add(YamlOut.str(n));
                            groupOf.put(n, g);
                        }
                    }
                    got.put("group", members);
                }
                case "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify" -> put(got, s.keyword(), command(s, "script"));
                case "track_interface", "track_script" -> warn(s, "not translated: JVS's sync groups track nothing themselves; "
                        + "track the " + (s.keyword().equals("track_script") ? "script" : "interface") + " in each member instance");
                default -> untranslated(s, "a JVS sync group");
            }
        }
        got.forEach(m::put);
        if (m.entries.stream().anyMatch(e -> e.key().startsWith("notify"))) {
            m.flow = false;
        }
        return m;
    }

    private YamlOut.Map instance(Stmt inst, Stmt syncGroup) {
        Map<String, Node> got = new LinkedHashMap<>();
        got.put("name", YamlOut.str(inst.arg(0)));
        Seq vips = null;
        for (Stmt s : inst.block()) {
            String kw = s.keyword();
            switch (kw) {
                case "state" -> {
                    String st = s.arg(0) == null ? "" : s.arg(0).toUpperCase(Locale.ROOT);
                    if (st.equals("MASTER") || st.equals("BACKUP")) {
                        got.put("state", YamlOut.plain(st).at(s.src()));
                    } else {
                        warn(s, "expected MASTER or BACKUP; not translated");
                    }
                }
                case "interface", "unicast_src_ip" -> put(got, kw, s.arg(0) == null ? null : YamlOut.str(s.arg(0)).at(s.src()));
                case "virtual_router_id", "priority", "version", "garp_master_repeat" -> put(got, kw, intNode(s, s.arg(0)));
                case "advert_int", "preempt_delay", "garp_master_delay", "garp_master_refresh" -> put(got, kw, durationNode(s, s.arg(0)));
                case "nopreempt", "no_preempt" -> got.put("preempt", YamlOut.bool(false).at(s.src()));
                case "preempt" -> got.put("preempt", YamlOut.bool(true).at(s.src()));
                case "virtual_ipaddress", "virtual_ipaddress_excluded" -> {
                    if (vips == null) {
                        vips = new Seq().flow().at(s.src());
                        got.put("virtual_ipaddress", vips);
                    }
                    if (kw.equals("virtual_ipaddress_excluded")) {
                        note(s, "merged into virtual_ipaddress: JVS's VRRP has one list (the addresses then also appear in the adverts)");
                    }
                    for (Stmt a : s.hasBlock() ? s.block() : List.<Stmt>of()) {
                        vips.add(YamlOut.str(vip(a)));
                    }
                }
                case "unicast_peer" -> {
                    Seq peers = new Seq().flow().at(s.src());
                    for (Stmt p : s.hasBlock() ? s.block() : List.<Stmt>of()) {
                        peers.add(YamlOut.str(p.keyword()));
                        if (!p.args().isEmpty()) {
                            warn(p, "options dropped (" + String.join(" ", p.args()) + "): JVS's unicast peers are addresses only");
                        }
                    }
                    got.put("unicast_peer", peers);
                }
                case "authentication" -> {
                    YamlOut.Map a = new YamlOut.Map().flow().at(s.src());
                    for (Stmt x : s.hasBlock() ? s.block() : List.<Stmt>of()) {
                        if ((x.keyword().equals("auth_type") || x.keyword().equals("auth_pass")) && x.arg(0) != null) {
                            a.put(x.keyword(), YamlOut.str(x.arg(0)));
                            if (x.keyword().equals("auth_pass") && x.arg(0).length() > 8) {
                                note(x, "keepalived uses only the first 8 characters of the password");
                            }
                        } else {
                            untranslated(x, "JVS's VRRP authentication");
                        }
                    }
                    got.put("authentication", a);
                }
                case "track_interface" -> got.put("track_interface", tracks(s, false, syncGroup));
                case "track_script" -> got.put("track_script", tracks(s, true, syncGroup));
                case "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify" -> put(got, kw, command(s, "script"));
                default -> untranslated(s, "a JVS vrrp instance");
            }
        }
        defaultFromGlobal(got, "garp_master_delay", garpDelay, true);
        defaultFromGlobal(got, "garp_master_repeat", garpRepeat, false);
        defaultFromGlobal(got, "garp_master_refresh", garpRefresh, true);
        defaultFromGlobal(got, "version", vrrpVersion, false);
        if (!got.containsKey("virtual_router_id")) {
            warn(inst, "has no virtual_router_id (keepalived refuses that too)");
        }
        YamlOut.Map m = ordered(got, INSTANCE_ORDER).at(inst.src());
        return m;
    }

    private void defaultFromGlobal(Map<String, Node> got, String key, Stmt global, boolean isDuration) {
        if (global == null || got.containsKey(key)) {
            return;
        }
        Node n = isDuration ? durationNode(global, global.arg(0)) : intNode(global, global.arg(0));
        if (n != null) {
            n.comment = null;
            got.put(key, n.note(global.src() + " (global_defs " + global.keyword() + ")"));
        }
    }

    /** One address of virtual_ipaddress: {@code IP[/len]}, kept with {@code dev X}; other options are dropped. */
    private String vip(Stmt a) {
        List<String> w = a.words();
        StringBuilder out = new StringBuilder(w.getFirst());
        List<String> dropped = new ArrayList<>();
        Set<String> withValue = Set.of("dev", "brd", "broadcast", "scope", "label", "peer", "preferred_lft");
        for (int i = 1; i < w.size(); i++) {
            String o = w.get(i);
            if (withValue.contains(o) && i + 1 < w.size()) {
                String val = w.get(++i);
                if (o.equals("dev")) {
                    out.append(" dev ").append(val);
                } else {
                    dropped.add(o + " " + val);
                }
            } else {
                dropped.add(o);
            }
        }
        if (!dropped.isEmpty()) {
            warn(a, "options dropped (" + String.join(", ", dropped) + "): JVS's VRRP adds the address, with 'dev' only");
        }
        return out.toString();
    }

    /** track_interface / track_script entries: a name, or {name, weight}. */
    private Seq tracks(Stmt s, boolean script, Stmt syncGroup) {
        Seq out = new Seq().flow().at(s.src());
        boolean zeroed = false;
        for (Stmt e : s.hasBlock() ? s.block() : List.<Stmt>of()) {
            String name = e.keyword();
            Long weight = null;
            List<String> a = e.args();
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).equals("weight") && i + 1 < a.size()) {
                    weight = integer(e, a.get(++i));
                } else {
                    warn(e, "'" + a.get(i) + "' dropped: JVS's tracking weights are not reversed");
                }
            }
            if (script && !scripts.containsKey(name)) {
                warn(e, "names no vrrp_script of this file");
            }
            if (script && syncGroup != null) {
                long effective = weight != null ? weight : scriptWeight(name);
                if (effective != 0) {
                    weight = 0L;
                    zeroed = true;
                }
            }
            if (weight == null) {
                out.add(YamlOut.str(name));
            } else {
                YamlOut.Map m = new YamlOut.Map().flow();
                m.put("name", YamlOut.str(name));
                m.put("weight", YamlOut.num(weight));
                out.add(m);
            }
        }
        if (zeroed) {
            note(s, "weights set to 0: the instance is in sync group " + syncGroup.arg(0)
                    + ", where keepalived ignores script weights (a failing script faults the whole group)");
            out.note("(weights 0: sync group " + syncGroup.arg(0) + ")");
        }
        return out;
    }

    private long scriptWeight(String name) {
        Stmt sc = scripts.get(name);
        if (sc == null) {
            return 0;
        }
        for (Stmt s : sc.block()) {
            if (s.keyword().equals("weight") && s.arg(0) != null) {
                try {
                    return Long.parseLong(s.arg(0));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    // ---- sync ----------------------------------------------------------------------------------------------

    private YamlOut.Map sync() {
        if (syncDaemon == null) {
            return null;
        }
        Stmt s = syncDaemon;
        List<String> a = s.args();
        if (a.isEmpty()) {
            warn(s, "needs an interface; not translated");
            return null;
        }
        String iface = a.getFirst();
        String inst = null;
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 1; i < a.size(); i++) {
            String w = a.get(i);
            if (w.equals("inst") && i + 1 < a.size()) {
                inst = a.get(++i);
            } else if (Set.of("id", "maxlen", "port", "ttl", "group").contains(w) && i + 1 < a.size()) {
                opt.put(w, a.get(++i));
            } else if (inst == null && i == 1) {
                inst = w;
            } else {
                warn(s, "part '" + w + "' not understood; dropped");
            }
        }
        long syncid = 0;
        if (opt.containsKey("id")) {
            syncid = orZero(integer(s, opt.get("id")));
        } else if (inst != null) {
            syncid = vrid(inst);
        }
        if (inst != null && !names(instances).contains(inst)) {
            warn(s, "names no vrrp_instance '" + inst + "' of this file");
        }
        YamlOut.Map sync = new YamlOut.Map().at(s.src());
        if (inst != null) {
            sync.above.add("keepalived runs the master sync daemon while " + inst + " is MASTER and the backup one otherwise;");
            sync.above.add("JVS runs both at once (IPVS' \"both\" mode: a node does not receive its own multicast), so each");
            sync.above.add("director sends its connections and takes in its peer's, whichever is master.");
            note(s, "becomes a master and a backup sync daemon running together (keepalived switches between them with "
                    + inst + "); both use syncid " + syncid);
        } else {
            sync.above.add("Without an instance keepalived runs both sync daemons as well.");
        }
        Seq daemons = new Seq();
        for (String state : List.of("master", "backup")) {
            YamlOut.Map d = new YamlOut.Map().flow();
            d.put("state", YamlOut.plain(state));
            d.put("mcast_interface", YamlOut.str(iface));
            d.put("syncid", YamlOut.num(syncid));
            if (opt.containsKey("maxlen")) {
                d.put("maxlen", YamlOut.num(orZero(integer(s, opt.get("maxlen")))));
            }
            if (opt.containsKey("group")) {
                d.put("mcast_group", YamlOut.str(opt.get("group")));
            }
            if (opt.containsKey("port")) {
                d.put("mcast_port", YamlOut.num(orZero(integer(s, opt.get("port")))));
            }
            if (opt.containsKey("ttl") && state.equals("master")) {
                d.put("mcast_ttl", YamlOut.num(orZero(integer(s, opt.get("ttl")))));
            }
            daemons.add(d);
        }
        sync.put("daemons", daemons);
        return sync;
    }

    private long vrid(String instance) {
        for (Stmt i : instances) {
            if (instance.equals(i.arg(0))) {
                for (Stmt s : i.block()) {
                    if (s.keyword().equals("virtual_router_id") && s.arg(0) != null) {
                        try {
                            return Long.parseLong(s.arg(0));
                        } catch (NumberFormatException e) {
                            return 0;
                        }
                    }
                }
            }
        }
        return 0;
    }
}
