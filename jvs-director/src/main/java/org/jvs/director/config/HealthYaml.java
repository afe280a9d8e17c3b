package org.jvs.director.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.ServiceKey;
import org.jvs.director.config.YamlConfigLoader.Y;
import org.jvs.health.AgentChecker;
import org.jvs.health.Checker;
import org.jvs.health.DnsChecker;
import org.jvs.health.HealthConfig;
import org.jvs.health.HealthPolicy;
import org.jvs.health.HttpChecker;
import org.jvs.health.IcmpChecker;
import org.jvs.health.ScriptChecker;
import org.jvs.health.SmtpChecker;
import org.jvs.health.TcpChecker;
import org.jvs.health.UdpChecker;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The health keys of the YAML file (reference: {@code docs/health.md}): {@code director.health}, and per
 * service {@code health_check} (the default for its real servers), {@code quorum}, {@code hysteresis},
 * {@code quorum_up}, {@code quorum_down}, {@code sorry_server}, {@code sorry_server_inhibit}; per real server
 * {@code health_check}, which overrides the service's key by key ({@code off} turns checking off). Errors
 * name file, line, column and field, like the rest of the file.
 */
final class HealthYaml {
    static final String DIRECTOR_KEY = "health";
    static final String DEST_KEY = "health_check";
    private static final Set<String> SERVICE_KEYS = Set.of("health_check", "quorum", "hysteresis", "quorum_up", "quorum_down",
            "sorry_server", "sorry_server_inhibit");

    private static final Set<String> COMMON = Set.of("type", "port", "delay_loop", "connect_timeout", "retry", "delay_before_retry",
            "warmup", "rise", "fall", "inhibit_on_failure", "alpha", "slow_start");
    private static final Map<String, Set<String>> TYPE_KEYS = Map.of(
            "tcp", Set.of(),
            "http", Set.of("path", "status", "digest", "regex", "virtualhost"),
            "https", Set.of("path", "status", "digest", "regex", "virtualhost", "sni", "ca_file"),
            "udp", Set.of("payload", "require_reply"),
            "dns", Set.of("query_type", "query_name"),
            "smtp", Set.of("helo_name"),
            "icmp", Set.of(),
            "script", Set.of("command", "misc_timeout"),
            "agent", Set.of("send"));

    private HealthYaml() {
    }

    static Set<String> withServiceKeys(Set<String> base) {
        Set<String> all = new HashSet<>(base);
        all.addAll(SERVICE_KEYS);
        return all;
    }

    /** Reads the health keys of a file whose services were already read (in the same order). */
    static HealthConfig parse(Y director, Y servicesNode, List<DirectorConfig.Service> services) {
        HealthConfig.Global global = director == null || director.child(DIRECTOR_KEY) == null
                ? HealthConfig.Global.DEFAULTS : global(director.child(DIRECTOR_KEY));
        List<HealthConfig.ServiceHealth> out = new ArrayList<>();
        if (servicesNode != null) {
            List<Y> items = servicesNode.sequence();
            for (int i = 0; i < items.size(); i++) {
                out.add(service(items.get(i), services.get(i)));
            }
        }
        return new HealthConfig(global, out);
    }

    private static HealthConfig.Global global(Y y) {
        Map<String, Y> m = y.mapping(Set.of("max_concurrent", "notify", "webhook", "notify_timeout"));
        HealthConfig.Global d = HealthConfig.Global.DEFAULTS;
        int max = m.containsKey("max_concurrent") ? m.get("max_concurrent").integer(1, 100_000) : d.maxConcurrent();
        List<String> notify = m.containsKey("notify") ? command(m.get("notify")) : List.of();
        URI webhook = null;
        if (m.containsKey("webhook")) {
            Y w = m.get("webhook");
            webhook = w.convert(s -> {
                URI u = URI.create(s.strip());
                if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                    throw new IllegalArgumentException("webhook must be an http:// or https:// URL, got '" + s + "'");
                }
                return u;
            });
        }
        Duration timeout = m.containsKey("notify_timeout") ? positive(m.get("notify_timeout")) : d.notifyTimeout();
        return new HealthConfig.Global(max, notify, webhook, timeout);
    }

    private static HealthConfig.ServiceHealth service(Y y, DirectorConfig.Service s) {
        ServiceKey key = s.spec().key();
        Y def = y.child("health_check");
        if (def != null && !(def.node() instanceof org.snakeyaml.engine.v2.nodes.MappingNode)) {
            def.fail("expected the service's default check as a mapping (type: tcp, ...)");
        }
        int quorum = y.child("quorum") != null ? y.child("quorum").integer(0, Integer.MAX_VALUE) : 1;
        int hysteresis = y.child("hysteresis") != null ? y.child("hysteresis").integer(0, Integer.MAX_VALUE) : 0;
        List<String> up = y.child("quorum_up") != null ? command(y.child("quorum_up")) : List.of();
        List<String> down = y.child("quorum_down") != null ? command(y.child("quorum_down")) : List.of();
        DestSpec sorry = null;
        Y sy = y.child("sorry_server");
        if (sy != null) {
            if (sy.child("health_check") != null) {
                sy.child("health_check").fail("the sorry server is not checked");
            }
            DestSpec raw = YamlConfigLoader.dest(sy, s.spec().engine());
            DestSpec n = raw.normalizedFor(key);
            if (n.address().v6() != key.v6() && !(n.method() instanceof ForwardingMethod.Tunnel)) {
                sy.fail("sorry server " + n.label() + " and service " + key + " are of different address families");
            }
            for (DestSpec d : s.dests()) {
                DestSpec dn = d.normalizedFor(key);
                if (dn.address().equals(n.address()) && dn.port() == n.port()) {
                    sy.fail("sorry server " + n.label() + " is also a real server of this service");
                }
            }
            sorry = n;
        }
        boolean inhibit = y.child("sorry_server_inhibit") != null && y.child("sorry_server_inhibit").bool();
        if (inhibit && sorry == null) {
            y.child("sorry_server_inhibit").fail("needs a sorry_server");
        }
        List<HealthConfig.DestCheck> dests = new ArrayList<>();
        Y rs = y.child("real_servers");
        List<Y> rsItems = rs == null ? List.of() : rs.sequence();
        for (int j = 0; j < s.dests().size(); j++) {
            DestSpec spec = s.dests().get(j).normalizedFor(key);
            Y own = j < rsItems.size() ? rsItems.get(j).child(DEST_KEY) : null;
            dests.add(destCheck(def, own, spec, y));
        }
        // A server jvsadm -a adds later gets the service's default check, as if the file had listed it bare.
        java.util.function.Function<DestSpec, HealthConfig.DestCheck> forNew = def == null ? null
                : spec -> destCheck(def, null, spec.normalizedFor(key), y);
        return new HealthConfig.ServiceHealth(key, quorum, hysteresis, up, down, sorry, inhibit, dests, forNew);
    }

    /** The service default overlaid with the server's own keys; a server's {@code off} turns checking off. */
    private static HealthConfig.DestCheck destCheck(Y def, Y own, DestSpec spec, Y service) {
        if (own != null && own.node() instanceof ScalarNode) {
            String v = own.string().strip().toLowerCase(Locale.ROOT);
            if (!v.equals("off") && !v.equals("none") && !v.equals("false")) {
                own.fail("expected a mapping, or 'off' to check this server not at all");
            }
            return new HealthConfig.DestCheck(spec, null, HealthPolicy.defaults("tcp", HealthPolicy.DEFAULT_DELAY_LOOP));
        }
        if (def == null && own == null) {
            return new HealthConfig.DestCheck(spec, null, HealthPolicy.defaults("tcp", HealthPolicy.DEFAULT_DELAY_LOOP));
        }
        Y typeNode = own != null && own.child("type") != null ? own.child("type") : def != null ? def.child("type") : null;
        if (typeNode == null) {
            (own != null ? own : def).fail("a health check needs 'type' (known: " + String.join(", ", new TreeSet<>(TYPE_KEYS.keySet())) + ")");
        }
        String type = typeNode.string().strip().toLowerCase(Locale.ROOT);
        if (!TYPE_KEYS.containsKey(type)) {
            typeNode.fail("unknown checker type '" + type + "' (known: " + String.join(", ", new TreeSet<>(TYPE_KEYS.keySet())) + ")");
        }
        Set<String> known = new HashSet<>(COMMON);
        known.addAll(TYPE_KEYS.get(type));
        Map<String, Y> keys = new LinkedHashMap<>();
        if (def != null) {
            String defType = def.child("type") == null ? null : def.child("type").string().strip().toLowerCase(Locale.ROOT);
            Map<String, Y> dm = def.mapping(defType != null && TYPE_KEYS.containsKey(defType) ? union(COMMON, TYPE_KEYS.get(defType)) : known);
            // A server that switches to another type inherits only the timers, not the other type's fields.
            dm.forEach((k, v) -> {
                if (known.contains(k)) {
                    keys.put(k, v);
                }
            });
        }
        if (own != null) {
            keys.putAll(own.mapping(known));
        }
        Y where = own != null ? own : def;
        Checker checker = checker(type, keys, where, spec);
        return new HealthConfig.DestCheck(spec, checker, policy(type, keys, where));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }

    private static Checker checker(String type, Map<String, Y> k, Y where, DestSpec spec) {
        int port = k.containsKey("port") ? k.get("port").integer(1, 65535) : 0;
        return switch (type) {
            case "tcp" -> new TcpChecker(port);
            case "http", "https" -> {
                String path = k.containsKey("path") ? k.get("path").string() : "/";
                List<HttpChecker.StatusRange> status = new ArrayList<>();
                if (k.containsKey("status")) {
                    Y st = k.get("status");
                    List<Y> items = st.node() instanceof SequenceNode ? st.sequence() : List.of(st);
                    for (Y item : items) {
                        for (String word : item.string().strip().split("[\\s,]+")) {
                            status.add(item.build(() -> HttpChecker.StatusRange.parse(word)));
                        }
                    }
                }
                String digest = str(k, "digest");
                String regex = str(k, "regex");
                String vhost = str(k, "virtualhost");
                String sni = str(k, "sni");
                Path ca = k.containsKey("ca_file") ? Path.of(k.get("ca_file").string()) : null;
                Y at = k.containsKey("digest") ? k.get("digest") : k.containsKey("regex") ? k.get("regex") : where;
                yield at.build(() -> new HttpChecker(type.equals("https"), path, status, digest, regex, vhost, sni, ca, port));
            }
            case "udp" -> {
                byte[] payload = k.containsKey("payload") ? k.get("payload").convert(HealthYaml::hex) : null;
                boolean require = false;
                byte[] expect = null;
                if (k.containsKey("require_reply")) {
                    Y r = k.get("require_reply");
                    String v = r.string().strip().toLowerCase(Locale.ROOT);
                    switch (v) {
                        case "true", "yes", "on" -> require = true;
                        case "false", "no", "off" -> require = false;
                        default -> {
                            require = true;
                            expect = r.convert(HealthYaml::hex);
                        }
                    }
                }
                boolean req = require;
                byte[] exp = expect;
                yield where.build(() -> new UdpChecker(payload, req, exp, port));
            }
            case "dns" -> {
                String qt = str(k, "query_type");
                String qn = str(k, "query_name");
                yield (k.containsKey("query_type") ? k.get("query_type") : where).build(() -> new DnsChecker(qt, qn, port));
            }
            case "smtp" -> {
                String helo = str(k, "helo_name");
                yield where.build(() -> new SmtpChecker(helo, port));
            }
            case "icmp" -> {
                if (k.containsKey("port")) {
                    k.get("port").fail("an icmp check has no port");
                }
                if (spec.address().v6()) {
                    where.fail("icmp checks support IPv4 real servers only");
                }
                yield new IcmpChecker();
            }
            case "script" -> {
                if (!k.containsKey("command")) {
                    where.fail("a script check needs 'command' (a command line, or a list of words)");
                }
                List<String> cmd = command(k.get("command"));
                yield k.get("command").build(() -> new ScriptChecker(cmd, port));
            }
            case "agent" -> {
                if (port == 0) {
                    where.fail("an agent check needs the agent's 'port'");
                }
                String send = str(k, "send");
                yield new AgentChecker(send == null ? null : send.replace("\\n", "\n"), port);
            }
            default -> where.fail("unknown checker type '" + type + "'");
        };
    }

    private static HealthPolicy policy(String type, Map<String, Y> k, Y where) {
        Duration delayLoop = k.containsKey("delay_loop") ? positive(k.get("delay_loop")) : HealthPolicy.DEFAULT_DELAY_LOOP;
        HealthPolicy d = HealthPolicy.defaults(type, delayLoop);
        Duration timeout = d.connectTimeout();
        if (k.containsKey("connect_timeout")) {
            timeout = positive(k.get("connect_timeout"));
        }
        if (k.containsKey("misc_timeout")) {
            timeout = positive(k.get("misc_timeout"));
        }
        int retry = k.containsKey("retry") ? k.get("retry").integer(0, 1000) : d.retry();
        Duration dbr = k.containsKey("delay_before_retry") ? notNegative(k.get("delay_before_retry")) : d.delayBeforeRetry();
        Duration warmup = k.containsKey("warmup") ? notNegative(k.get("warmup")) : d.warmup();
        int rise = k.containsKey("rise") ? k.get("rise").integer(1, 1000) : 1;
        int fall = k.containsKey("fall") ? k.get("fall").integer(1, 1000) : 1;
        boolean inhibit = k.containsKey("inhibit_on_failure") && k.get("inhibit_on_failure").bool();
        boolean alpha = k.containsKey("alpha") && k.get("alpha").bool();
        Duration slow = k.containsKey("slow_start") ? notNegative(k.get("slow_start")) : Duration.ZERO;
        Duration t = timeout;
        return where.build(() -> new HealthPolicy(delayLoop, t, retry, dbr, warmup, rise, fall, inhibit, alpha, slow));
    }

    private static Duration positive(Y y) {
        Duration d = y.duration();
        if (d.isNegative() || d.isZero()) {
            return y.fail("must be more than 0, got '" + y.string() + "'");
        }
        return d;
    }

    private static Duration notNegative(Y y) {
        Duration d = y.duration();
        if (d.isNegative()) {
            return y.fail("must not be negative, got '" + y.string() + "'");
        }
        return d;
    }

    private static String str(Map<String, Y> k, String key) {
        return k.containsKey(key) ? k.get(key).string() : null;
    }

    /** A command: a list of words, or one line split on blanks. */
    private static List<String> command(Y y) {
        List<String> words = new ArrayList<>();
        if (y.node() instanceof SequenceNode) {
            for (Y w : y.sequence()) {
                words.add(w.string());
            }
        } else {
            for (String w : y.string().strip().split("\\s+")) {
                if (!w.isEmpty()) {
                    words.add(w);
                }
            }
        }
        if (words.isEmpty()) {
            return y.fail("expected a command");
        }
        return words;
    }

    private static byte[] hex(String s) {
        return org.jvs.health.HexBytes.parse(s);
    }
}
