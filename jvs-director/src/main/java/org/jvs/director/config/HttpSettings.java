package org.jvs.director.config;

import java.util.List;
import org.jvs.proxy.http.HttpLimits;
import org.jvs.proxy.http.HttpServiceConfig;
import org.jvs.proxy.http.HttpServiceConfig.ClientAddress;
import org.jvs.proxy.http.HttpTimeouts;
import org.jvs.proxy.http.sched.StickyHash;

/**
 * The {@code http:} block of an {@code engine: http} service (docs/l7.md): what the layer-7 engine needs
 * beyond the core's service and servers. Content rules name their servers as {@code address:port}, the way
 * the service's {@code real_servers} do, and are resolved against the servers present whenever the engine
 * takes a new server list.
 *
 * @param admission null: on for lblc, lblcr and content-lblcr (the thesis' admission control), off otherwise
 * @param tunnels   {@code upgrade: tunnel|ignore} and {@code connect: refuse|tunnel}
 * @param tls       TLS termination's files, or null (plain HTTP)
 */
public record HttpSettings(ClientAddress clientAddress, Boolean admission, HttpTimeouts timeouts, HttpLimits limits,
                           StickyHash.Key shKey, List<Rule> rules, List<String> defaultServers,
                           HttpServiceConfig.Tunnels tunnels, Tls tls) {

    public static final HttpSettings DEFAULT = new HttpSettings(null, null, null, null, null, List.of(), List.of(), null, null);

    /** {@code tls: {certificate: cert.pem, key: key.pem}}: PEM files, relative paths from the configuration's directory. */
    public record Tls(java.nio.file.Path certificate, java.nio.file.Path key) {
    }

    public HttpSettings {
        clientAddress = clientAddress == null ? ClientAddress.NONE : clientAddress;
        timeouts = timeouts == null ? HttpTimeouts.DEFAULT : timeouts;
        limits = limits == null ? HttpLimits.DEFAULT : limits;
        tunnels = tunnels == null ? HttpServiceConfig.Tunnels.DEFAULT : tunnels;
        rules = rules == null ? List.of() : List.copyOf(rules);
        defaultServers = defaultServers == null ? List.of() : List.copyOf(defaultServers);
    }

    /** Refuses a name that is not a layer-7 scheduler; the content schedulers also need rules. */
    public static void checkScheduler(String name, boolean hasRules) {
        if (!org.jvs.proxy.http.sched.L7Schedulers.NAMES.contains(name)) {
            throw new org.jvs.core.model.ConfigException("unknown layer-7 scheduler '" + name + "' (known: "
                    + String.join(", ", org.jvs.proxy.http.sched.L7Schedulers.NAMES) + ")");
        }
        if (name.startsWith("content") && !hasRules) {
            throw new org.jvs.core.model.ConfigException("scheduler " + name
                    + " needs content rules, which come from the configuration file (http: rules:, docs/l7.md)");
        }
    }

    /** One content rule: the conditions of {@link org.jvs.proxy.http.sched.ContentRule}, servers by address. */
    public record Rule(String name, String host, String pathPrefix, String pathRegex, String header, String headerRegex,
                       org.jvs.proxy.http.Method method, List<String> servers) {
        public Rule {
            servers = List.copyOf(servers);
        }
    }
}
