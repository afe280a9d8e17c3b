package org.jvs.director.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ServiceSpec;

/**
 * A whole director configuration as read from a file: settings, the services with their real servers
 * in file order, and the packet engine's interfaces ({@code packet}, null when the file has no such section). Every value has been validated by the model's records; cross-checks against a running
 * balancer (duplicates, address families) happen when it is applied.
 */
public record DirectorConfig(Path source, Settings settings, List<Service> services,
                             org.jvs.packet.engine.EngineConfig packet, org.jvs.feedback.FeedbackConfig feedback,
                             org.jvs.health.HealthConfig health, org.jvs.sync.SyncConfig sync,
                             org.jvs.vrrp.VrrpConfig vrrp, Metrics metrics, Api api, Console console) {

    public DirectorConfig {
        services = List.copyOf(services);
        api = api == null ? Api.NONE : api;
        console = console == null ? Console.NONE : console;
        metrics = metrics == null ? Metrics.NONE : metrics;
        health = health == null ? org.jvs.health.HealthConfig.NONE : health;
        sync = sync == null ? org.jvs.sync.SyncConfig.NONE : sync;
        vrrp = vrrp == null ? new org.jvs.vrrp.VrrpConfig(List.of()) : vrrp;
    }

    /** A configuration without a {@code console:} section. */
    public DirectorConfig(Path source, Settings settings, List<Service> services,
                          org.jvs.packet.engine.EngineConfig packet, org.jvs.feedback.FeedbackConfig feedback,
                          org.jvs.health.HealthConfig health, org.jvs.sync.SyncConfig sync, org.jvs.vrrp.VrrpConfig vrrp,
                          Metrics metrics, Api api) {
        this(source, settings, services, packet, feedback, health, sync, vrrp, metrics, api, null);
    }

    /**
     * The {@code console:} section (docs/console.md): the browser console at {@code listen} (null: none), its
     * PEM pair or (both null) a self-signed one in {@code stateDir}, how long a session may sit idle, and its
     * users with their password hashes.
     */
    public record Console(String listen, Path certificate, Path key, Path stateDir, Duration idleTimeout,
                          List<org.jvs.director.console.ConsoleUser> users) {
        public static final Duration DEFAULT_IDLE = Duration.ofMinutes(15);
        public static final Console NONE = new Console(null, null, null, null, DEFAULT_IDLE, List.of());

        public Console {
            users = List.copyOf(users);
            if ((certificate == null) != (key == null)) {
                throw new IllegalArgumentException("console tls needs both certificate and key");
            }
        }
    }

    /** A configuration without an {@code api:} section. */
    public DirectorConfig(Path source, Settings settings, List<Service> services,
                          org.jvs.packet.engine.EngineConfig packet, org.jvs.feedback.FeedbackConfig feedback,
                          org.jvs.health.HealthConfig health, org.jvs.sync.SyncConfig sync, org.jvs.vrrp.VrrpConfig vrrp,
                          Metrics metrics) {
        this(source, settings, services, packet, feedback, health, sync, vrrp, metrics, null);
    }

    /**
     * The {@code api:} section (docs/api.md): the control API on HTTPS at {@code listen} (null: not at all),
     * with the PEM pair {@code certificate}/{@code key}, or, both null, a self-signed pair kept in
     * {@code stateDir}; and the bearer tokens it accepts, stored as hashes.
     */
    public record Api(String listen, Path certificate, Path key, Path stateDir, List<org.jvs.director.api.ApiToken> tokens) {
        public static final Api NONE = new Api(null, null, null, null, List.of());

        public Api {
            tokens = List.copyOf(tokens);
            if ((certificate == null) != (key == null)) {
                throw new IllegalArgumentException("api tls needs both certificate and key");
            }
        }
    }

    /** A configuration without a {@code metrics:} section. */
    public DirectorConfig(Path source, Settings settings, List<Service> services,
                          org.jvs.packet.engine.EngineConfig packet, org.jvs.feedback.FeedbackConfig feedback,
                          org.jvs.health.HealthConfig health, org.jvs.sync.SyncConfig sync, org.jvs.vrrp.VrrpConfig vrrp) {
        this(source, settings, services, packet, feedback, health, sync, vrrp, null);
    }

    /**
     * The {@code metrics:} section (docs/metrics.md): where {@code /metrics} listens (null: nowhere), the
     * basic-auth user and the file holding its password (both null: no authentication), and the PEM certificate
     * chain and PKCS#8 key for HTTPS (both null: plain HTTP).
     */
    public record Metrics(String listen, String username, Path passwordFile, Path certificate, Path key) {
        public static final Metrics NONE = new Metrics(null, null, null, null, null);

        public Metrics {
            if ((username == null) != (passwordFile == null)) {
                throw new IllegalArgumentException("metrics basic auth needs both username and password_file");
            }
            if ((certificate == null) != (key == null)) {
                throw new IllegalArgumentException("metrics tls needs both certificate and key");
            }
        }

        /** Plain HTTP. */
        public Metrics(String listen, String username, Path passwordFile) {
            this(listen, username, passwordFile, null, null);
        }
    }

    /** A configuration without connection sync and VRRP (docs/failover.md). */
    public DirectorConfig(Path source, Settings settings, List<Service> services,
                          org.jvs.packet.engine.EngineConfig packet, org.jvs.feedback.FeedbackConfig feedback,
                          org.jvs.health.HealthConfig health) {
        this(source, settings, services, packet, feedback, health, null, null);
    }

    /** The same configuration with other services (health checks leave servers out). */
    public DirectorConfig withServices(List<Service> s) {
        return new DirectorConfig(source, settings, s, packet, feedback, health, sync, vrrp, metrics, api, console);
    }

    /** A configuration without health checks (docs/health.md). */
    public DirectorConfig(Path source, Settings settings, List<Service> services,
                          org.jvs.packet.engine.EngineConfig packet, org.jvs.feedback.FeedbackConfig feedback) {
        this(source, settings, services, packet, feedback, null);
    }

    /**
     * A configuration without a {@code packet:} section (no packet engine) and without dynamic feedback (the
     * {@code feedback:} section is docs/feedback.md's).
     */
    public DirectorConfig(Path source, Settings settings, List<Service> services) {
        this(source, settings, services, null, org.jvs.feedback.FeedbackConfig.NONE, null);
    }

    /**
     * One service block: the spec, its real servers, and where each stands in the file (0 if unknown).
     *
     * @param maxConnPerSource the most connections one source address may hold open (socket and http engines); 0: no limit
     */
    public record Service(String name, ServiceSpec spec, List<DestSpec> dests, int line, List<Integer> destLines,
                          HttpSettings http, int maxConnPerSource) {
        public Service {
            dests = List.copyOf(dests);
            destLines = List.copyOf(destLines);
            http = http == null ? HttpSettings.DEFAULT : http;
            if (maxConnPerSource < 0) {
                throw new IllegalArgumentException("max_conn_per_source must be >= 0, got " + maxConnPerSource);
            }
        }

        public Service(String name, ServiceSpec spec, List<DestSpec> dests, int line, List<Integer> destLines,
                       HttpSettings http) {
            this(name, spec, dests, line, destLines, http, 0);
        }

        public Service(String name, ServiceSpec spec, List<DestSpec> dests, int line, List<Integer> destLines) {
            this(name, spec, dests, line, destLines, null);
        }

        public Service(String name, ServiceSpec spec, List<DestSpec> dests) {
            this(name, spec, dests, 0, java.util.Collections.nCopies(dests.size(), 0));
        }

        int destLine(int i) {
            return i < destLines.size() ? destLines.get(i) : 0;
        }
    }

    /**
     * IPVS' DoS defence sysctls ({@code director: defense:}; docs/configuration.md): the three strategies' modes (0
     * off, 1 automatic, 3 always; 2 is what 1 reads back as while memory is low), the available-memory threshold in
     * 4 KiB pages, and the packet drop rate of {@code drop_packet=3}. The defaults are the kernel's.
     */
    public record Defense(int dropEntry, int dropPacket, int secureTcp, long amemthreshPages, int amDroprate) {
        public static final Defense DEFAULT = new Defense(0, 0, 0, 1024, 10);
    }

    /**
     * Director settings.
     *
     * @param controlSocket   Unix socket of the control API (mode 0600)
     * @param controlTcp      optional {@code host:port} of a TCP control listener, or null
     * @param tokenFile       file holding the bearer token the TCP listener requires (null with no TCP listener)
     * @param tcpTimeout      {@code --set} values; 0 keeps the default
     * @param defense         the DoS defence settings; null means IPVS' defaults
     */
    public record Settings(Path controlSocket, String controlTcp, Path tokenFile, int connTableSize, int connTableSizeV6,
                           int tcpTimeout, int tcpfinTimeout, int udpTimeout, boolean expireNodestConn,
                           boolean expireQuiescentTemplate, Duration drainTimeout, Duration connectTimeout, Defense defense) {

        public Settings {
            defense = defense == null ? Defense.DEFAULT : defense;
        }

        /** As the canonical constructor, with IPVS' default defence settings. */
        public Settings(Path controlSocket, String controlTcp, Path tokenFile, int connTableSize, int connTableSizeV6,
                        int tcpTimeout, int tcpfinTimeout, int udpTimeout, boolean expireNodestConn,
                        boolean expireQuiescentTemplate, Duration drainTimeout, Duration connectTimeout) {
            this(controlSocket, controlTcp, tokenFile, connTableSize, connTableSizeV6, tcpTimeout, tcpfinTimeout, udpTimeout,
                    expireNodestConn, expireQuiescentTemplate, drainTimeout, connectTimeout, Defense.DEFAULT);
        }

        public static Path defaultControlSocket() {
            String env = System.getenv("JVS_SOCKET");
            if (env != null && !env.isBlank()) {
                return Path.of(env);
            }
            String runtime = System.getenv("XDG_RUNTIME_DIR");
            if (runtime != null && !runtime.isBlank()) {
                return Path.of(runtime, "jvs", "jvs.sock");
            }
            return Path.of(System.getProperty("java.io.tmpdir"), "jvs-" + System.getProperty("user.name"), "jvs.sock");
        }

        public static Settings defaults() {
            return new Settings(defaultControlSocket(), null, null, 1 << 20, 1 << 16, 0, 0, 0, false, false,
                    Duration.ofSeconds(10), Duration.ofSeconds(5));
        }
    }
}
