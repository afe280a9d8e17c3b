package org.jvs.director.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ServiceKey;
import org.jvs.director.config.YamlConfigLoader.Y;
import org.jvs.feedback.CollectorSpec;
import org.jvs.feedback.Coefficients;
import org.jvs.feedback.FeedbackConfig;
import org.jvs.feedback.FeedbackSettings;
import org.jvs.feedback.ProbeSpec;
import org.jvs.feedback.RightLoad;

/**
 * Reads the {@code feedback:} section (docs/feedback.md): global settings, then per-service overrides that
 * start from them, each naming a service of the same file by name or by key ({@code tcp 10.0.0.100:80},
 * {@code fwmark 7}). Errors point at the line like every other configuration error.
 */
final class FeedbackSection {
    private static final Set<String> SETTINGS = Set.of("interval", "coefficients", "a", "scale", "threshold", "right_load",
            "collector", "probe");

    private FeedbackSection() {
    }

    static FeedbackConfig parse(Y y, List<DirectorConfig.Service> services) {
        Set<String> top = new java.util.HashSet<>(SETTINGS);
        top.add("services");
        Map<String, Y> m = y.mapping(top);
        FeedbackSettings defaults = settings(y, m, FeedbackSettings.DEFAULT);
        Map<ServiceKey, FeedbackConfig.ServiceFeedback> per = new HashMap<>();
        if (m.containsKey("services")) {
            for (Y s : m.get("services").sequence()) {
                Set<String> known = new java.util.HashSet<>(SETTINGS);
                known.addAll(Set.of("service", "enabled", "servers"));
                Map<String, Y> sm = s.mapping(known);
                if (!sm.containsKey("service")) {
                    s.fail("needs 'service': a service's name, or its key such as 'tcp 10.0.0.100:80' or 'fwmark 7'");
                }
                ServiceKey key = serviceKey(sm.get("service"), services);
                if (per.containsKey(key)) {
                    sm.get("service").fail("feedback for " + key + " given twice");
                }
                boolean enabled = !sm.containsKey("enabled") || sm.get("enabled").bool();
                FeedbackSettings set = settings(s, sm, defaults);
                List<FeedbackConfig.ServerOverride> servers = new ArrayList<>();
                if (sm.containsKey("servers")) {
                    for (Y r : sm.get("servers").sequence()) {
                        servers.add(server(r));
                    }
                }
                per.put(key, new FeedbackConfig.ServiceFeedback(enabled, set, servers));
            }
        }
        return new FeedbackConfig(true, defaults, per);
    }

    private static ServiceKey serviceKey(Y y, List<DirectorConfig.Service> services) {
        String ref = y.string().strip();
        for (DirectorConfig.Service s : services) {
            if (ref.equals(s.name()) || ref.equalsIgnoreCase(s.spec().key().toString())) {
                return s.spec().key();
            }
        }
        return y.fail("no service '" + ref + "' in this file (name it by 'name', or as 'tcp 10.0.0.100:80', 'fwmark 7')");
    }

    private static FeedbackSettings settings(Y at, Map<String, Y> m, FeedbackSettings base) {
        Duration interval = m.containsKey("interval") ? m.get("interval").duration() : base.interval();
        Coefficients r = m.containsKey("coefficients") ? coefficients(m.get("coefficients")) : base.coefficients();
        double a = m.containsKey("a") ? number(m.get("a")) : base.a();
        int scale = m.containsKey("scale") ? m.get("scale").integer(1, 1000) : base.scale();
        int threshold = m.containsKey("threshold") ? m.get("threshold").integer(0, 65535) : base.threshold();
        RightLoad right = m.containsKey("right_load") ? rightLoad(m.get("right_load"), base.rightLoad()) : base.rightLoad();
        CollectorSpec collector = m.containsKey("collector") ? collector(m.get("collector")) : base.collector();
        ProbeSpec probe = m.containsKey("probe") ? probe(m.get("probe")) : base.probe();
        Y where = m.containsKey("interval") ? m.get("interval") : at;
        return where.build(() -> new FeedbackSettings(interval, r, a, scale, threshold, right, collector, probe));
    }

    /** Six numbers in the thesis' order, or a mapping by metric name (missing ones 0); they must add up to 1. */
    private static Coefficients coefficients(Y y) {
        double[] v = new double[6];
        List<String> names = List.of("input", "load", "disk", "memory", "process", "response");
        if (y.node() instanceof org.snakeyaml.engine.v2.nodes.SequenceNode) {
            List<Y> items = y.sequence();
            if (items.size() != 6) {
                y.fail("expected six coefficients (input, load, disk, memory, process, response), got " + items.size());
            }
            for (int i = 0; i < 6; i++) {
                v[i] = number(items.get(i));
            }
        } else {
            Map<String, Y> m = y.mapping(Set.copyOf(names));
            for (int i = 0; i < 6; i++) {
                v[i] = m.containsKey(names.get(i)) ? number(m.get(names.get(i))) : 0;
            }
        }
        return y.build(() -> new Coefficients(v[0], v[1], v[2], v[3], v[4], v[5]));
    }

    private static RightLoad rightLoad(Y y, RightLoad base) {
        Map<String, Y> m = y.mapping(Set.of("load", "disk", "memory", "processes", "response"));
        double load = m.containsKey("load") ? number(m.get("load")) : base.loadPerCpu();
        double disk = m.containsKey("disk") ? number(m.get("disk")) : base.diskPercent();
        double memory = m.containsKey("memory") ? number(m.get("memory")) : base.memoryPercent();
        double processes = m.containsKey("processes") ? number(m.get("processes")) : base.processes();
        Duration response = m.containsKey("response") ? m.get("response").duration() : base.response();
        return y.build(() -> new RightLoad(load, disk, memory, processes, response));
    }

    private static CollectorSpec collector(Y y) {
        Map<String, Y> m = y.mapping(Set.of("snmp", "agent"));
        if (m.size() != 1) {
            return y.fail("a collector is either 'snmp: {...}' or 'agent: {...}'");
        }
        if (m.containsKey("agent")) {
            Y a = m.get("agent");
            Map<String, Y> am = a.mapping(Set.of("host", "port", "timeout"));
            String host = am.containsKey("host") ? am.get("host").string() : null;
            int port = am.containsKey("port") ? am.get("port").integer(1, 65535) : CollectorSpec.AGENT_PORT;
            Duration timeout = am.containsKey("timeout") ? am.get("timeout").duration() : Duration.ofSeconds(1);
            return a.build(() -> new CollectorSpec.Agent(host, port, timeout));
        }
        Y s = m.get("snmp");
        Map<String, Y> sm = s.mapping(Set.of("version", "host", "port", "community", "user", "auth", "auth_password", "priv",
                "priv_password", "timeout", "retries"));
        String version = sm.containsKey("version") ? sm.get("version").string().strip().toLowerCase(Locale.ROOT) : "2c";
        String host = sm.containsKey("host") ? sm.get("host").string() : null;
        int port = sm.containsKey("port") ? sm.get("port").integer(1, 65535) : CollectorSpec.SNMP_PORT;
        Duration timeout = sm.containsKey("timeout") ? sm.get("timeout").duration() : Duration.ofSeconds(1);
        int retries = sm.containsKey("retries") ? sm.get("retries").integer(0, 5) : 1;
        return switch (version) {
            case "2c", "v2c", "2" -> {
                for (String k : List.of("user", "auth", "auth_password", "priv", "priv_password")) {
                    if (sm.containsKey(k)) {
                        sm.get(k).fail("'" + k + "' is for SNMP v3; v2c uses 'community'");
                    }
                }
                String community = sm.containsKey("community") ? sm.get("community").string() : "public";
                yield s.build(() -> new CollectorSpec.SnmpV2c(host, port, community, timeout, retries));
            }
            case "3", "v3" -> {
                if (sm.containsKey("community")) {
                    sm.get("community").fail("'community' is for SNMP v2c; v3 uses 'user' and passwords");
                }
                String user = sm.containsKey("user") ? sm.get("user").string() : s.fail("SNMP v3 needs 'user'");
                var auth = sm.containsKey("auth") ? sm.get("auth").convert(CollectorSpec.AuthProtocol::byName)
                        : sm.containsKey("auth_password") ? CollectorSpec.AuthProtocol.SHA : CollectorSpec.AuthProtocol.NONE;
                var priv = sm.containsKey("priv") ? sm.get("priv").convert(CollectorSpec.PrivProtocol::byName)
                        : sm.containsKey("priv_password") ? CollectorSpec.PrivProtocol.AES : CollectorSpec.PrivProtocol.NONE;
                String authPw = sm.containsKey("auth_password") ? sm.get("auth_password").string() : null;
                String privPw = sm.containsKey("priv_password") ? sm.get("priv_password").string() : null;
                yield s.build(() -> new CollectorSpec.SnmpV3(host, port, user, auth, authPw, priv, privPw, timeout, retries));
            }
            default -> sm.get("version").fail("SNMP version must be 2c or 3, got '" + version + "'");
        };
    }

    private static ProbeSpec probe(Y y) {
        Map<String, Y> m = y.mapping(Set.of("type", "port", "path", "host", "timeout"));
        String type = m.containsKey("type") ? m.get("type").string().strip().toLowerCase(Locale.ROOT) : "tcp";
        int port = m.containsKey("port") ? m.get("port").integer(0, 65535) : 0;
        Duration timeout = m.containsKey("timeout") ? m.get("timeout").duration() : Duration.ofSeconds(1);
        return switch (type) {
            case "tcp" -> {
                for (String k : List.of("path", "host")) {
                    if (m.containsKey(k)) {
                        m.get(k).fail("'" + k + "' is for type: http");
                    }
                }
                yield y.build(() -> new ProbeSpec.Tcp(port, timeout));
            }
            case "http" -> {
                String path = m.containsKey("path") ? m.get("path").string() : "/";
                String host = m.containsKey("host") ? m.get("host").string() : null;
                yield y.build(() -> new ProbeSpec.Http(port, path, host, timeout));
            }
            default -> m.get("type").fail("probe type must be tcp or http, got '" + type + "'");
        };
    }

    private static FeedbackConfig.ServerOverride server(Y y) {
        Map<String, Y> m = y.mapping(Set.of("address", "port", "collector", "probe"));
        if (!m.containsKey("address")) {
            y.fail("a server override needs 'address' (and optionally 'port')");
        }
        IpAddr address = m.get("address").convert(IpAddr::parse);
        int port = m.containsKey("port") ? m.get("port").integer(0, 65535) : 0;
        CollectorSpec collector = m.containsKey("collector") ? collector(m.get("collector")) : null;
        ProbeSpec probe = m.containsKey("probe") ? probe(m.get("probe")) : null;
        if (collector == null && probe == null) {
            y.fail("a server override needs 'collector' or 'probe'");
        }
        return new FeedbackConfig.ServerOverride(address, port, collector, probe);
    }

    private static double number(Y y) {
        String s = y.string().strip();
        try {
            double d = Double.parseDouble(s);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            return y.fail("expected a number, got '" + s + "'");
        }
    }

}
