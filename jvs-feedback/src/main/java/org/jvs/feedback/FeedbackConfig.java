package org.jvs.feedback;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ServiceKey;

/**
 * The {@code feedback:} section of the director's configuration: defaults for every service, and per
 * service overrides (or {@code enabled: false}) with per real server collectors and probes.
 *
 * @param enabled  false when the file has no {@code feedback:} section: then no monitor runs at all
 * @param defaults settings for services that have no override
 * @param services overrides by service
 */
public record FeedbackConfig(boolean enabled, FeedbackSettings defaults, Map<ServiceKey, ServiceFeedback> services) {
    public static final FeedbackConfig NONE = new FeedbackConfig(false, FeedbackSettings.DEFAULT, Map.of());

    public FeedbackConfig {
        services = Map.copyOf(services);
    }

    /** One service's settings, complete (defaults already merged), and its per-server overrides. */
    public record ServiceFeedback(boolean enabled, FeedbackSettings settings, List<ServerOverride> servers) {
        public ServiceFeedback {
            servers = List.copyOf(servers);
        }
    }

    /**
     * A real server's own collector or probe (null: the service's). {@code port} 0 matches the address on
     * any port.
     */
    public record ServerOverride(IpAddr address, int port, CollectorSpec collector, ProbeSpec probe) {
        boolean matches(IpAddr a, int p) {
            return address.equals(a) && (port == 0 || port == p);
        }
    }

    /** The settings the monitor uses for a service, or empty when feedback is off for it. */
    public Optional<FeedbackSettings> settingsFor(ServiceKey key) {
        if (!enabled) {
            return Optional.empty();
        }
        ServiceFeedback s = services.get(key);
        if (s == null) {
            return Optional.of(defaults);
        }
        return s.enabled() ? Optional.of(s.settings()) : Optional.empty();
    }

    public CollectorSpec collectorFor(ServiceKey key, IpAddr address, int port) {
        ServerOverride o = override(key, address, port, true);
        return o != null ? o.collector() : settingsFor(key).orElse(defaults).collector();
    }

    public ProbeSpec probeFor(ServiceKey key, IpAddr address, int port) {
        ServerOverride o = override(key, address, port, false);
        return o != null ? o.probe() : settingsFor(key).orElse(defaults).probe();
    }

    private ServerOverride override(ServiceKey key, IpAddr address, int port, boolean collector) {
        ServiceFeedback s = services.get(key);
        if (s == null) {
            return null;
        }
        for (ServerOverride o : s.servers()) {
            if (o.matches(address, port) && (collector ? o.collector() != null : o.probe() != null)) {
                return o;
            }
        }
        return null;
    }
}
