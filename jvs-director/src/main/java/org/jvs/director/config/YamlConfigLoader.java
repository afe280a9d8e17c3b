package org.jvs.director.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jvs.core.model.ConfigException;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Persistence;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ProximityRule;
import org.jvs.core.model.ProxyProtocol;
import org.jvs.core.model.SchedFlag;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.model.TunnelChecksum;
import org.jvs.core.model.TunnelType;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Reads the director's YAML configuration (format in {@code docs/configuration.md}). Every problem is a
 * {@link ConfigFileException} naming file, line, column and the field's path, e.g.
 * {@code jvs.yaml:14:17: services[0].real_servers[1].weight: weight 70000 out of range 0..65535}. Unknown
 * keys are errors too: a misspelt option silently ignored is how a director ends up misconfigured.
 */
public final class YamlConfigLoader {

    public DirectorConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigFileException(file, 0, 0, "", "cannot read: " + e.getMessage());
        }
        return parse(file, text);
    }

    public DirectorConfig parse(Path file, String text) {
        Node root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).build();
            Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)));
            Optional<Node> single = composer.getSingleNode();
            root = single.orElse(null);
        } catch (MarkedYamlEngineException e) {
            Optional<Mark> m = e.getProblemMark();
            throw new ConfigFileException(file, m.map(x -> x.getLine() + 1).orElse(0), m.map(x -> x.getColumn() + 1).orElse(0),
                    "", "YAML syntax: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new ConfigFileException(file, 0, 0, "", "YAML syntax: " + e.getMessage());
        }
        if (root == null) {
            return new DirectorConfig(file, DirectorConfig.Settings.defaults(), List.of());
        }
        Y top = new Y(file, root, "");
        Map<String, Y> m = top.mapping(Set.of("director", "services", "packet", "feedback", "sync", "vrrp", "metrics", "api", "console"));
        DirectorConfig.Settings settings = m.containsKey("director") ? settings(m.get("director")) : DirectorConfig.Settings.defaults();
        List<DirectorConfig.Service> services = new ArrayList<>();
        if (m.containsKey("services")) {
            for (Y s : m.get("services").sequence()) {
                services.add(service(s));
            }
        }
        var packet = PacketSectionParser.parse(file, m.get("packet"), m.get("services"), services); // packet engine: docs/packet.md
        // Dynamic feedback (docs/feedback.md) reads its own section.
        var feedback = m.containsKey("feedback") ? FeedbackSection.parse(m.get("feedback"), services) : org.jvs.feedback.FeedbackConfig.NONE;
        var health = HealthYaml.parse(m.get("director"), m.get("services"), services); // health checks: docs/health.md
        var sync = m.containsKey("sync") ? SyncSection.parse(m.get("sync")) : null; // docs/failover.md
        var vrrp = m.containsKey("vrrp") ? VrrpSection.parse(m.get("vrrp"), services) : null;
        var metrics = m.containsKey("metrics") ? metrics(m.get("metrics")) : null; // docs/metrics.md
        var api = m.containsKey("api") ? ApiSection.parse(file, m.get("api")) : null; // docs/api.md
        var console = m.containsKey("console") ? ConsoleSection.parse(file, m.get("console")) : null; // docs/console.md
        return new DirectorConfig(file, settings, services, packet, feedback, health, sync, vrrp, metrics, api, console);
    }

    private static DirectorConfig.Metrics metrics(Y y) {
        Map<String, Y> m = y.mapping(Set.of("listen", "basic_auth", "tls"));
        if (!m.containsKey("listen")) {
            y.fail("needs 'listen: host:port' (e.g. 127.0.0.1:9400)");
        }
        String listen = hostPort(m.get("listen"), "127.0.0.1:9400");
        String user = null;
        Path password = null;
        if (m.containsKey("basic_auth")) {
            Map<String, Y> a = m.get("basic_auth").mapping(Set.of("username", "password_file"));
            if (!a.containsKey("username") || !a.containsKey("password_file")) {
                m.get("basic_auth").fail("needs 'username' and 'password_file'");
            }
            user = a.get("username").string();
            password = Path.of(a.get("password_file").string());
        }
        Path[] tls = m.containsKey("tls") ? tlsPair(m.get("tls"), "") : new Path[2];
        return new DirectorConfig.Metrics(listen, user, password, tls[0], tls[1]);
    }

    /** A listener's {@code tls: {certificate, key}}: the two paths, both required. */
    static Path[] tlsPair(Y y, String hint) {
        Map<String, Y> t = y.mapping(Set.of("certificate", "key"));
        if (!t.containsKey("certificate") || !t.containsKey("key")) {
            y.fail("needs 'certificate' (PEM chain) and 'key' (PEM PKCS#8)" + hint);
        }
        return new Path[] {Path.of(t.get("certificate").string()), Path.of(t.get("key").string())};
    }

    /** A {@code host:port} listener address ({@code [v6]:port} too); port 0 means any free port (tests). */
    static String hostPort(Y l, String example) {
        String listen = l.string();
        l.convert(v -> {
            int colon = v.lastIndexOf(':');
            if (colon <= 0) {
                throw new ConfigException("expected host:port, e.g. " + example);
            }
            int port = parseInt(v.substring(colon + 1), "port");
            if (port < 0 || port > 65535) {
                throw new ConfigException("port " + port + " out of range 0..65535");
            }
            org.jvs.core.model.IpAddr.parse(v.substring(0, colon).replace("[", "").replace("]", ""));
            return null;
        });
        return listen;
    }

    private static DirectorConfig.Settings settings(Y y) {
        DirectorConfig.Settings d = DirectorConfig.Settings.defaults();
        Map<String, Y> m = y.mapping(Set.of("control_socket", "control_tcp", "conn_table_size", "conn_table_size_v6",
                "timeouts", "expire_nodest_conn", "expire_quiescent_template", "drain_timeout", "connect_timeout",
                "defense", HealthYaml.DIRECTOR_KEY));
        Path socket = m.containsKey("control_socket") ? Path.of(m.get("control_socket").string()) : d.controlSocket();
        String tcp = null;
        Path token = null;
        if (m.containsKey("control_tcp")) {
            Map<String, Y> t = m.get("control_tcp").mapping(Set.of("listen", "token_file"));
            tcp = t.containsKey("listen") ? t.get("listen").string() : m.get("control_tcp").fail("needs 'listen: host:port'");
            Y tf = t.get("token_file");
            if (tf == null) {
                m.get("control_tcp").fail("a TCP control listener needs 'token_file' (clients must present its bearer token)");
            }
            token = Path.of(tf.string());
        }
        int tcpT = 0;
        int finT = 0;
        int udpT = 0;
        if (m.containsKey("timeouts")) {
            Map<String, Y> t = m.get("timeouts").mapping(Set.of("tcp", "tcpfin", "udp"));
            tcpT = t.containsKey("tcp") ? t.get("tcp").integer(1, 2_147_483) : 0;
            finT = t.containsKey("tcpfin") ? t.get("tcpfin").integer(1, 2_147_483) : 0;
            udpT = t.containsKey("udp") ? t.get("udp").integer(1, 2_147_483) : 0;
        }
        return new DirectorConfig.Settings(socket, tcp, token,
                m.containsKey("conn_table_size") ? m.get("conn_table_size").integer(16, 1 << 29) : d.connTableSize(),
                m.containsKey("conn_table_size_v6") ? m.get("conn_table_size_v6").integer(16, 1 << 29) : d.connTableSizeV6(),
                tcpT, finT, udpT,
                m.containsKey("expire_nodest_conn") && m.get("expire_nodest_conn").bool(),
                m.containsKey("expire_quiescent_template") && m.get("expire_quiescent_template").bool(),
                m.containsKey("drain_timeout") ? m.get("drain_timeout").duration() : d.drainTimeout(),
                m.containsKey("connect_timeout") ? m.get("connect_timeout").duration() : d.connectTimeout(),
                m.containsKey("defense") ? defense(m.get("defense")) : DirectorConfig.Defense.DEFAULT);
    }

    /** {@code director: defense:}, IPVS' sysctl names; what is not given keeps the kernel's default. */
    private static DirectorConfig.Defense defense(Y y) {
        Map<String, Y> m = y.mapping(Set.of("drop_entry", "drop_packet", "secure_tcp", "amemthresh", "am_droprate"));
        DirectorConfig.Defense d = DirectorConfig.Defense.DEFAULT;
        return new DirectorConfig.Defense(
                m.containsKey("drop_entry") ? m.get("drop_entry").integer(0, 3) : d.dropEntry(),
                m.containsKey("drop_packet") ? m.get("drop_packet").integer(0, 3) : d.dropPacket(),
                m.containsKey("secure_tcp") ? m.get("secure_tcp").integer(0, 3) : d.secureTcp(),
                m.containsKey("amemthresh") ? m.get("amemthresh").integer(0, Integer.MAX_VALUE) : d.amemthreshPages(),
                m.containsKey("am_droprate") ? m.get("am_droprate").integer(1, Integer.MAX_VALUE) : d.amDroprate());
    }

    private static DirectorConfig.Service service(Y y) {
        Map<String, Y> m = y.mapping(HealthYaml.withServiceKeys(Set.of("name", "protocol", "address", "port", "fwmark", "ipv6", "scheduler",
                "persistence", "one_packet", "flags", "mh_table_size", "proximity", "engine", "real_servers", "http", "max_conn_per_source")));
        String name = m.containsKey("name") ? m.get("name").string() : null;
        ServiceKey key;
        if (m.containsKey("fwmark")) {
            for (String k : List.of("address", "port", "protocol")) {
                if (m.containsKey(k)) {
                    m.get(k).fail("a fwmark service has no " + k);
                }
            }
            int mark = m.get("fwmark").integer(1, Integer.MAX_VALUE);
            boolean v6 = m.containsKey("ipv6") && m.get("ipv6").bool();
            key = new ServiceKey.Fwmark(mark, v6);
        } else {
            Y addr = m.get("address");
            if (addr == null) {
                y.fail("a service needs 'address' and 'port' (or 'fwmark')");
            }
            if (m.containsKey("ipv6")) {
                m.get("ipv6").fail("'ipv6' applies to fwmark services; an address already has its family");
            }
            Protocol proto = m.containsKey("protocol") ? m.get("protocol").convert(v -> switch (v.toLowerCase(Locale.ROOT)) {
                case "tcp" -> Protocol.TCP;
                case "udp" -> Protocol.UDP;
                case "sctp" -> Protocol.SCTP;
                default -> throw new ConfigException("unknown protocol '" + v + "' (tcp, udp, sctp)");
            }) : Protocol.TCP;
            Y port = m.get("port");
            if (port == null) {
                y.fail("a service needs 'port' (0 for all ports, with persistence)");
            }
            key = y.build(() -> new ServiceKey.Virtual(proto, addr.convert(IpAddr::parse), port.integer(0, 65535)));
        }
        boolean v6 = key.v6();
        Persistence persistence = null;
        if (m.containsKey("persistence")) {
            Y p = m.get("persistence");
            if (p.node instanceof ScalarNode) {
                persistence = p.build(() -> Persistence.of(p.integer(1, 31_536_000), v6));
            } else {
                Map<String, Y> pm = p.mapping(Set.of("timeout", "netmask"));
                int timeout = pm.containsKey("timeout") ? pm.get("timeout").integer(1, 31_536_000) : Persistence.DEFAULT_TIMEOUT;
                int prefix = pm.containsKey("netmask") ? pm.get("netmask").convert(s -> netmask(s, v6)) : (v6 ? 128 : 32);
                persistence = p.build(() -> new Persistence(timeout, prefix));
            }
        }
        Set<SchedFlag> flags = EnumSet.noneOf(SchedFlag.class);
        if (m.containsKey("flags")) {
            for (Y f : m.get("flags").sequence()) {
                flags.add(f.convert(SchedFlag::byName));
            }
        }
        List<ProximityRule> proximity = new ArrayList<>();
        if (m.containsKey("proximity")) {
            for (Y r : m.get("proximity").sequence()) {
                Map<String, Y> rm = r.mapping(Set.of("prefix", "servers"));
                if (!rm.containsKey("prefix") || !rm.containsKey("servers")) {
                    r.fail("a proximity rule needs 'prefix' (address/length) and 'servers'");
                }
                String prefix = rm.get("prefix").string();
                int slash = prefix.indexOf('/');
                if (slash < 0) {
                    rm.get("prefix").fail("expected address/length, e.g. 10.0.0.0/8");
                }
                IpAddr net = rm.get("prefix").convert(s -> IpAddr.parse(s.substring(0, slash)));
                int len = rm.get("prefix").convert(s -> parseInt(s.substring(slash + 1), "prefix length"));
                List<IpAddr> servers = new ArrayList<>();
                for (Y s : rm.get("servers").sequence()) {
                    servers.add(s.convert(IpAddr::parse));
                }
                proximity.add(r.build(() -> new ProximityRule(net, len, servers)));
            }
        }
        Engine engine = m.containsKey("engine") ? m.get("engine").convert(Engine::byName) : Engine.SOCKET;
        String scheduler = m.containsKey("scheduler") ? m.get("scheduler").string() : ServiceSpec.DEFAULT_SCHEDULER;
        if (engine == Engine.HTTP) {
            boolean rules = m.containsKey("http") && m.get("http").child("rules") != null;
            (m.containsKey("scheduler") ? m.get("scheduler") : y).build(() -> {
                HttpSettings.checkScheduler(scheduler, rules);
                return null;
            });
        } else if (!org.jvs.core.sched.Schedulers.exists(scheduler)) {
            m.get("scheduler").fail("unknown scheduler '" + scheduler + "' (known: " + String.join(", ", org.jvs.core.sched.Schedulers.names()) + ")");
        }
        HttpSettings http = null;
        if (m.containsKey("http")) {
            if (engine != Engine.HTTP) {
                m.get("http").fail("'http' settings need engine: http");
            }
            http = HttpYaml.parse(m.get("http"), scheduler);
        }
        boolean ops = m.containsKey("one_packet") && m.get("one_packet").bool();
        int mhSize = m.containsKey("mh_table_size") ? m.get("mh_table_size").integer(2, 1 << 24) : 0;
        Persistence pers = persistence;
        ServiceSpec spec = y.build(() -> new ServiceSpec(key, scheduler, pers, ops, flags, mhSize, proximity, engine));
        List<DestSpec> dests = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        if (m.containsKey("real_servers")) {
            for (Y d : m.get("real_servers").sequence()) {
                dests.add(dest(d, engine));
                lines.add(d.line());
            }
        }
        if (engine == Engine.HTTP) {
            HttpYaml.checkServers(m.containsKey("http") ? m.get("http") : y, http == null ? HttpSettings.DEFAULT : http,
                    dests, m.containsKey("real_servers") ? m.get("real_servers").sequence() : List.of());
        }
        int perSource = 0;
        if (m.containsKey("max_conn_per_source")) {
            Y ps = m.get("max_conn_per_source");
            if (engine == Engine.PACKET) {
                ps.fail("max_conn_per_source needs the socket or http engine: the packet engine does not count "
                        + "connections by source (its defences are director: defense:, docs/core.md)");
            }
            if (!(key instanceof ServiceKey.Virtual v) || v.protocol() != Protocol.TCP) {
                ps.fail("max_conn_per_source applies to TCP services");
            }
            perSource = ps.integer(0, 1_000_000);
        }
        return new DirectorConfig.Service(name, spec, dests, y.line(), lines, http, perSource);
    }

    /**
     * A real server. Without a method, a socket-engine service relays like NAT (its port is used as
     * written); a packet-engine service defaults to DR, as ipvsadm does.
     */
    static DestSpec dest(Y y, Engine engine) {
        Map<String, Y> m = y.mapping(Set.of("address", "port", "weight", "method", "tunnel", "upper_threshold",
                "lower_threshold", "proxy_protocol", HealthYaml.DEST_KEY));
        Y addr = m.get("address");
        if (addr == null) {
            y.fail("a real server needs 'address'");
        }
        IpAddr address = addr.convert(IpAddr::parse);
        int port = m.containsKey("port") ? m.get("port").integer(0, 65535) : 0;
        ForwardingMethod method = engine == Engine.PACKET ? ForwardingMethod.DIRECT_ROUTE : ForwardingMethod.NAT;
        if (m.containsKey("method")) {
            String name = m.get("method").string().toLowerCase(Locale.ROOT);
            method = switch (name) {
                case "dr", "route", "direct", "gatewaying" -> ForwardingMethod.DIRECT_ROUTE;
                case "nat", "masq", "masquerading" -> ForwardingMethod.NAT;
                case "tun", "tunnel", "ipip" -> ForwardingMethod.IPIP;
                case "fullnat" -> ForwardingMethod.FULL_NAT;
                case "local" -> ForwardingMethod.LOCAL;
                default -> m.get("method").fail("unknown method '" + name + "' (dr, nat, tun, fullnat, local)");
            };
        }
        if (m.containsKey("tunnel")) {
            Y t = m.get("tunnel");
            if (!(method instanceof ForwardingMethod.Tunnel)) {
                t.fail("'tunnel' needs method: tun");
            }
            Map<String, Y> tm = t.mapping(Set.of("type", "port", "checksum"));
            TunnelType type = tm.containsKey("type") ? tm.get("type").convert(TunnelType::byName) : TunnelType.IPIP;
            int tport = tm.containsKey("port") ? tm.get("port").integer(1, 65535) : 0;
            TunnelChecksum csum = tm.containsKey("checksum") ? tm.get("checksum").convert(TunnelChecksum::byName)
                    : TunnelChecksum.NOCSUM;
            method = t.build(() -> new ForwardingMethod.Tunnel(type, tport, csum));
        }
        int weight = m.containsKey("weight") ? m.get("weight").integer(0, DestSpec.MAX_WEIGHT) : 1;
        int upper = m.containsKey("upper_threshold") ? m.get("upper_threshold").integer(0, Integer.MAX_VALUE) : 0;
        int lower = m.containsKey("lower_threshold") ? m.get("lower_threshold").integer(0, Integer.MAX_VALUE) : 0;
        ProxyProtocol pp = m.containsKey("proxy_protocol") ? m.get("proxy_protocol").convert(ProxyProtocol::byName) : ProxyProtocol.NONE;
        ForwardingMethod fm = method;
        return y.build(() -> new DestSpec(address, port, fm, weight, upper, lower, pp));
    }

    /** A netmask as a prefix length: {@code 24}, {@code /24} or {@code 255.255.255.0}. */
    static int netmask(String s, boolean v6) {
        String t = s.strip();
        if (t.startsWith("/")) {
            t = t.substring(1);
        }
        if (t.contains(".")) {
            IpAddr m = IpAddr.parse(t);
            if (m.v6()) {
                throw new ConfigException("netmask " + s + " is not an IPv4 mask");
            }
            int bits = Long.bitCount(m.lo());
            long expected = bits == 0 ? 0 : (0xFFFF_FFFFL << (32 - bits)) & 0xFFFF_FFFFL;
            if (m.lo() != expected) {
                throw new ConfigException("netmask " + s + " is not contiguous");
            }
            return bits;
        }
        int len = parseInt(t, "netmask");
        if (len < 0 || len > (v6 ? 128 : 32)) {
            throw new ConfigException("netmask /" + len + " out of range 0.." + (v6 ? 128 : 32));
        }
        return len;
    }

    private static int parseInt(String s, String what) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException(what + " must be a whole number, got '" + s + "'");
        }
    }

    /** A YAML node with its path, so every error can say where it is. */
    record Y(Path file, Node node, String path) {

        int line() {
            return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        }

        int column() {
            return node.getStartMark().map(m -> m.getColumn() + 1).orElse(0);
        }

        /** The value under {@code key} when this is a mapping (keys are not checked here), or null. */
        Y child(String key) {
            if (node instanceof MappingNode mn) {
                for (NodeTuple t : mn.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                        return new Y(file, t.getValueNode(), path.isEmpty() ? key : path + "." + key);
                    }
                }
            }
            return null;
        }

        <T> T fail(String problem) {
            throw new ConfigFileException(file, line(), column(), path, problem);
        }

        /** Runs a model constructor, turning its ConfigException into one that points here. */
        <T> T build(java.util.function.Supplier<T> s) {
            try {
                return s.get();
            } catch (ConfigFileException e) {
                throw e;
            } catch (ConfigException | IllegalArgumentException e) {
                return fail(e.getMessage());
            }
        }

        <T> T convert(java.util.function.Function<String, T> f) {
            String v = string();
            return build(() -> f.apply(v));
        }

        Map<String, Y> mapping(Set<String> known) {
            if (!(node instanceof MappingNode mn)) {
                return fail("expected a mapping (key: value lines)");
            }
            Map<String, Y> out = new LinkedHashMap<>();
            for (NodeTuple t : mn.getValue()) {
                Y k = new Y(file, t.getKeyNode(), path);
                String key = k.string();
                String childPath = path.isEmpty() ? key : path + "." + key;
                if (!known.contains(key)) {
                    new Y(file, t.getKeyNode(), childPath).fail("unknown field '" + key + "' (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
                }
                if (out.containsKey(key)) {
                    new Y(file, t.getKeyNode(), childPath).fail("given twice");
                }
                out.put(key, new Y(file, t.getValueNode(), childPath));
            }
            return out;
        }

        List<Y> sequence() {
            if (!(node instanceof SequenceNode sn)) {
                return fail("expected a list ('- ' items)");
            }
            List<Y> out = new ArrayList<>();
            List<Node> items = sn.getValue();
            for (int i = 0; i < items.size(); i++) {
                out.add(new Y(file, items.get(i), path + "[" + i + "]"));
            }
            return out;
        }

        String string() {
            if (!(node instanceof ScalarNode sn)) {
                return fail("expected a single value");
            }
            return sn.getValue();
        }

        int integer(int min, int max) {
            String s = string().strip();
            long v;
            try {
                v = Long.parseLong(s.replace("_", ""));
            } catch (NumberFormatException e) {
                return fail("expected a whole number, got '" + s + "'");
            }
            if (v < min || v > max) {
                return fail(v + " out of range " + min + ".." + max);
            }
            return (int) v;
        }

        boolean bool() {
            return switch (string().strip().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> fail("expected true or false, got '" + string() + "'");
            };
        }

        /** {@code 500ms}, {@code 5s}, {@code 2m}, or a bare number of seconds. */
        Duration duration() {
            String s = string().strip().toLowerCase(Locale.ROOT);
            try {
                if (s.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).strip()));
                }
                if (s.endsWith("s")) {
                    return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).strip()));
                }
                if (s.endsWith("m")) {
                    return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1).strip()));
                }
                return Duration.ofSeconds(Long.parseLong(s));
            } catch (NumberFormatException e) {
                return fail("expected a duration such as 500ms, 5s or 2m, got '" + string() + "'");
            }
        }
    }
}
