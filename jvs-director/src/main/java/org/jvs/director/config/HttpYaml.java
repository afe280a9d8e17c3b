package org.jvs.director.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jvs.core.model.ConfigException;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.proxy.http.HttpLimits;
import org.jvs.proxy.http.HttpServiceConfig;
import org.jvs.proxy.http.HttpServiceConfig.ClientAddress;
import org.jvs.proxy.http.HttpTimeouts;
import org.jvs.proxy.http.Method;
import org.jvs.proxy.http.sched.StickyHash;
import org.jvs.director.config.YamlConfigLoader.Y;

/** The {@code http:} block of an {@code engine: http} service (docs/l7.md), with HAProxy's names where it has one. */
final class HttpYaml {

    private HttpYaml() {
    }

    static HttpSettings parse(Y y, String scheduler) {
        Map<String, Y> m = y.mapping(Set.of("forwarded", "admission", "timeouts", "limits", "sh_key", "rules", "default_servers",
                "upgrade", "connect", "tls"));
        HttpSettings.Tls tls = null;
        if (m.containsKey("tls")) {
            Y ty = m.get("tls");
            Map<String, Y> tm = ty.mapping(Set.of("certificate", "key"));
            if (!tm.containsKey("certificate") || !tm.containsKey("key")) {
                ty.fail("tls needs 'certificate' and 'key' (PEM files)");
            }
            java.nio.file.Path base = y.file() == null || y.file().toAbsolutePath().getParent() == null
                    ? java.nio.file.Path.of("") : y.file().toAbsolutePath().getParent();
            HttpSettings.Tls t = new HttpSettings.Tls(base.resolve(tm.get("certificate").string()), base.resolve(tm.get("key").string()));
            // read and checked now: a reload with a broken certificate changes nothing
            ty.build(() -> org.jvs.proxy.http.ServerTls.load(t.certificate(), t.key()));
            tls = t;
        }
        HttpServiceConfig.Tunnels dt = HttpServiceConfig.Tunnels.DEFAULT;
        boolean upgrade = m.containsKey("upgrade") ? m.get("upgrade").convert(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "tunnel" -> true;
            case "ignore" -> false;
            default -> throw new ConfigException("unknown upgrade '" + v + "' (tunnel: websocket and other upgrades pass; "
                    + "ignore: the Upgrade field is dropped)");
        }) : dt.upgrade();
        boolean connect = m.containsKey("connect") ? m.get("connect").convert(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "refuse" -> false;
            case "tunnel" -> true;
            default -> throw new ConfigException("unknown connect '" + v + "' (refuse: 501; tunnel: CONNECT goes to the chosen server)");
        }) : dt.connect();
        HttpServiceConfig.Tunnels tunnels = new HttpServiceConfig.Tunnels(upgrade, connect);
        ClientAddress ca = m.containsKey("forwarded") ? m.get("forwarded").convert(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "none", "off" -> ClientAddress.NONE;
            case "x-forwarded-for", "xff" -> ClientAddress.X_FORWARDED_FOR;
            case "forwarded" -> ClientAddress.FORWARDED;
            default -> throw new ConfigException("unknown forwarded '" + v + "' (none, x-forwarded-for, forwarded)");
        }) : null;
        Boolean admission = m.containsKey("admission") ? m.get("admission").bool() : null;
        HttpTimeouts t = HttpTimeouts.DEFAULT;
        if (m.containsKey("timeouts")) {
            Map<String, Y> tm = m.get("timeouts").mapping(Set.of("http_request", "http_keep_alive", "client", "server", "connect", "queue", "tunnel"));
            HttpTimeouts d = t;
            t = m.get("timeouts").build(() -> new HttpTimeouts(
                    tm.containsKey("http_request") ? tm.get("http_request").duration() : d.httpRequest(),
                    tm.containsKey("http_keep_alive") ? tm.get("http_keep_alive").duration() : d.httpKeepAlive(),
                    tm.containsKey("client") ? tm.get("client").duration() : d.client(),
                    tm.containsKey("server") ? tm.get("server").duration() : d.server(),
                    tm.containsKey("connect") ? tm.get("connect").duration() : d.connect(),
                    tm.containsKey("queue") ? tm.get("queue").duration() : d.queue(),
                    tm.containsKey("tunnel") ? tm.get("tunnel").duration() : d.tunnel()));
        }
        HttpLimits l = HttpLimits.DEFAULT;
        if (m.containsKey("limits")) {
            Map<String, Y> lm = m.get("limits").mapping(Set.of("request_line", "head_bytes", "headers"));
            HttpLimits d = l;
            l = m.get("limits").build(() -> new HttpLimits(
                    lm.containsKey("request_line") ? lm.get("request_line").integer(64, 1 << 20) : d.maxRequestLine(),
                    lm.containsKey("head_bytes") ? lm.get("head_bytes").integer(256, 1 << 20) : d.maxHeadBytes(),
                    lm.containsKey("headers") ? lm.get("headers").integer(1, 10_000) : d.maxHeaders()));
        }
        StickyHash.Key key = null;
        if (m.containsKey("sh_key")) {
            if (!scheduler.equals("sh")) {
                m.get("sh_key").fail("'sh_key' applies to scheduler sh");
            }
            key = m.get("sh_key").convert(HttpYaml::shKey);
        }
        List<HttpSettings.Rule> rules = new ArrayList<>();
        if (m.containsKey("rules")) {
            if (!scheduler.startsWith("content")) {
                m.get("rules").fail("content rules apply to schedulers content and content-lblcr");
            }
            for (Y r : m.get("rules").sequence()) {
                rules.add(rule(r));
            }
        }
        List<String> defaults = new ArrayList<>();
        if (m.containsKey("default_servers")) {
            for (Y s : m.get("default_servers").sequence()) {
                defaults.add(s.string());
            }
        }
        Boolean adm = admission;
        ClientAddress fca = ca;
        HttpTimeouts ft = t;
        HttpLimits fl = l;
        StickyHash.Key fk = key;
        HttpSettings.Tls ftls = tls;
        return y.build(() -> new HttpSettings(fca, adm, ft, fl, fk, rules, defaults, tunnels, ftls));
    }

    /** {@code source}, {@code header:Name} or {@code cookie:Name}. */
    static StickyHash.Key shKey(String v) {
        String s = v.strip();
        if (s.equalsIgnoreCase("source")) {
            return new StickyHash.Source();
        }
        int colon = s.indexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String name = colon < 0 ? "" : s.substring(colon + 1).strip();
        if (name.isEmpty() && (kind.equals("header") || kind.equals("cookie"))) {
            throw new ConfigException("sh_key " + kind + " needs a name, e.g. " + kind + ":" + (kind.equals("header") ? "X-User" : "SESSION"));
        }
        return switch (kind) {
            case "header" -> new StickyHash.Header(name);
            case "cookie" -> new StickyHash.Cookie(name);
            default -> throw new ConfigException("unknown sh_key '" + v + "' (source, header:<name>, cookie:<name>)");
        };
    }

    private static HttpSettings.Rule rule(Y y) {
        Map<String, Y> m = y.mapping(Set.of("name", "host", "path_prefix", "path_regex", "header", "method", "servers"));
        if (!m.containsKey("servers")) {
            y.fail("a content rule needs 'servers' (address:port of real servers of this service)");
        }
        String regex = m.containsKey("path_regex") ? m.get("path_regex").convert(HttpYaml::regex) : null;
        String header = null;
        String headerRegex = null;
        if (m.containsKey("header")) {
            Map<String, Y> hm = m.get("header").mapping(Set.of("name", "value"));
            if (!hm.containsKey("name") || !hm.containsKey("value")) {
                m.get("header").fail("a header condition needs 'name' and 'value' (a regular expression)");
            }
            header = hm.get("name").string();
            headerRegex = hm.get("value").convert(HttpYaml::regex);
        }
        Method method = m.containsKey("method") ? m.get("method").convert(v -> {
            try {
                Method x = Method.valueOf(v.toUpperCase(Locale.ROOT));
                if (x == Method.OTHER) {
                    throw new IllegalArgumentException();
                }
                return x;
            } catch (IllegalArgumentException e) {
                throw new ConfigException("unknown method '" + v + "'");
            }
        }) : null;
        List<String> servers = new ArrayList<>();
        for (Y s : m.get("servers").sequence()) {
            servers.add(s.string());
        }
        if (servers.isEmpty()) {
            m.get("servers").fail("a content rule needs at least one server");
        }
        String host = m.containsKey("host") ? m.get("host").string() : null;
        String prefix = m.containsKey("path_prefix") ? m.get("path_prefix").string() : null;
        if (host == null && prefix == null && regex == null && header == null && method == null) {
            y.fail("a content rule needs a condition (host, path_prefix, path_regex, header or method); "
                    + "requests matching none go to 'default_servers'");
        }
        String name = m.containsKey("name") ? m.get("name").string() : y.path();
        String hdr = header;
        String hre = headerRegex;
        return new HttpSettings.Rule(name, host, prefix, regex, hdr, hre, method, servers);
    }

    private static String regex(String s) {
        try {
            Pattern.compile(s);
            return s;
        } catch (PatternSyntaxException e) {
            throw new ConfigException("invalid regular expression '" + s + "': " + e.getDescription());
        }
    }

    /**
     * Every server a rule names is a real server of the service, and the http engine connects to its
     * servers itself, so they take no packet-level forwarding method.
     */
    static void checkServers(Y y, HttpSettings http, List<DestSpec> dests, List<Y> destNodes) {
        List<String> known = new ArrayList<>();
        for (int i = 0; i < dests.size(); i++) {
            DestSpec d = dests.get(i);
            if (!(d.method() instanceof ForwardingMethod.Nat)) {
                Y at = i < destNodes.size() ? destNodes.get(i) : y;
                at.fail("the http engine connects to its real servers itself: 'method' must be nat (or left out)");
            }
            known.add(label(d));
        }
        for (HttpSettings.Rule r : http.rules()) {
            for (String s : r.servers()) {
                if (!known.contains(s)) {
                    y.fail("content rule " + r.name() + " names " + s + ", not a real server of this service ("
                            + String.join(", ", known) + ")");
                }
            }
        }
        for (String s : http.defaultServers()) {
            if (!known.contains(s)) {
                y.fail("default server " + s + " is not a real server of this service (" + String.join(", ", known) + ")");
            }
        }
    }

    /** How a rule names a real server: {@code address:port}, brackets around IPv6. */
    static String label(DestSpec d) {
        return d.address().withPort(d.port()).toString();
    }
}
