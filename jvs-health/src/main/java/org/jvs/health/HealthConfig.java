package org.jvs.health;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ServiceKey;

/**
 * Everything the configuration file says about health: director-wide settings and, per service with
 * anything to say, its quorum, sorry server and each real server's check. Real server specs are normalized
 * for their service (DR/TUN at the service port), so they match the balancer's.
 */
public record HealthConfig(Global global, List<ServiceHealth> services) {

    public static final HealthConfig NONE = new HealthConfig(Global.DEFAULTS, List.of());

    public HealthConfig {
        services = List.copyOf(services);
    }

    /**
     * @param maxConcurrent  checks running at one time, director-wide
     * @param notify         command run on every state change with STATE SERVICE DEST REASON appended; empty: none
     * @param webhook        URL that receives a JSON POST on every state change; null: none
     * @param notifyTimeout  bound on a notify command or a webhook request
     */
    public record Global(int maxConcurrent, List<String> notifyCommand, URI webhook, Duration notifyTimeout) {
        public static final Global DEFAULTS = new Global(64, List.of(), null, Duration.ofSeconds(5));

        public Global {
            notifyCommand = List.copyOf(notifyCommand);
            if (maxConcurrent < 1) {
                throw new IllegalArgumentException("max_concurrent must be at least 1");
            }
        }
    }

    /**
     * @param quorum      minimum total weight of live servers (keepalived: 1)
     * @param hysteresis  quorum is lost below quorum − hysteresis and regained at quorum + hysteresis
     * @param quorumUp    command run when quorum is regained; empty: none
     * @param sorryServer the server used while quorum is lost; null: none
     * @param sorryInhibit keep the sorry server in the service at weight 0 while not needed
     * @param forNewServer the service's default check for a real server the configuration does not list (one
     *                     added at run time with {@code jvsadm -a}); null when the service has no default check
     */
    public record ServiceHealth(ServiceKey key, int quorum, int hysteresis, List<String> quorumUp, List<String> quorumDown,
                                DestSpec sorryServer, boolean sorryInhibit, List<DestCheck> dests,
                                java.util.function.Function<DestSpec, DestCheck> forNewServer) {

        /** A service whose servers added at run time are not checked. */
        public ServiceHealth(ServiceKey key, int quorum, int hysteresis, List<String> quorumUp, List<String> quorumDown,
                             DestSpec sorryServer, boolean sorryInhibit, List<DestCheck> dests) {
            this(key, quorum, hysteresis, quorumUp, quorumDown, sorryServer, sorryInhibit, dests, null);
        }

        /** The same service watching {@code others} instead of its configured servers. */
        public ServiceHealth withDests(List<DestCheck> others) {
            return new ServiceHealth(key, quorum, hysteresis, quorumUp, quorumDown, sorryServer, sorryInhibit, others, forNewServer);
        }

        public ServiceHealth {
            quorumUp = List.copyOf(quorumUp);
            quorumDown = List.copyOf(quorumDown);
            dests = List.copyOf(dests);
            if (quorum < 0 || hysteresis < 0) {
                throw new IllegalArgumentException("quorum and hysteresis must not be negative");
            }
        }

        /** True when a check, a quorum command or a sorry server makes this service worth watching. */
        public boolean watched() {
            return sorryServer != null || !quorumUp.isEmpty() || !quorumDown.isEmpty()
                    || dests.stream().anyMatch(d -> d.checker() != null);
        }
    }

    /** A real server and its check; checker null means "not checked" (always counted as up). */
    public record DestCheck(DestSpec spec, Checker checker, HealthPolicy policy) {
    }
}
