package org.jvs.director;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jvs.core.LoadBalancer;
import org.jvs.core.time.Clock;
import org.jvs.director.api.ControlServer;
import org.jvs.director.config.ConfigApplier;
import org.jvs.director.config.DirectorConfig;
import org.jvs.director.config.YamlConfigLoader;

/**
 * The JVS daemon: one {@link LoadBalancer}, the data planes that carry its traffic, the control API, and
 * the housekeeping clock. Configuration changes (API, CLI, SIGHUP) run on the caller's thread under this
 * object's lock: one change at a time, each validated in full before anything moves.
 */
public final class Director implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.jvs.director");

    private final Path configFile;
    private final DirectorConfig.Settings settings;
    private final LoadBalancer lb;
    private final WeightArbiter weights;
    private final org.jvs.director.health.DirectorHealth health;
    private final org.jvs.director.feedback.DirectorFeedback feedback;
    private final List<DataPlane> planes = new ArrayList<>();
    private final ScheduledExecutorService housekeeping;
    private final List<ControlServer> controls = new ArrayList<>();
    /** {@code /metrics} (docs/metrics.md), or null; its section is read at start, as the control sockets are. */
    private org.jvs.director.metrics.MetricsServer metrics;
    private DirectorConfig.Metrics metricsConfig = DirectorConfig.Metrics.NONE;
    private org.jvs.director.api.HttpsApiServer httpsApi;
    private DirectorConfig.Api apiConfig = DirectorConfig.Api.NONE;
    /** The browser console (docs/console.md), or null without a {@code console:} section at start. */
    private org.jvs.director.console.ConsoleServer console;
    private DirectorConfig.Console consoleConfig = DirectorConfig.Console.NONE;
    private final ConsoleState consoleState = new ConsoleState(this);
    private final ServerOps serverOps = new ServerOps(this);
    /** Services' names and servers' weights as the file last read gives them (the console; restore after a quiesce). */
    private volatile FileView fileView;

    private record ServerKey(org.jvs.core.model.ServiceKey service, org.jvs.core.model.IpAddr address, int port) {
    }

    /** Looked up for every server each second the console is open: made once per file read, not searched each time. */
    private record FileView(java.util.Map<org.jvs.core.model.ServiceKey, String> names, java.util.Map<ServerKey, Integer> weights) {
        static FileView of(DirectorConfig c) {
            java.util.Map<org.jvs.core.model.ServiceKey, String> names = new java.util.HashMap<>();
            java.util.Map<ServerKey, Integer> weights = new java.util.HashMap<>();
            for (DirectorConfig.Service s : c.services()) {
                if (s.name() != null) {
                    names.put(s.spec().key(), s.name());
                }
                for (var d : s.dests()) {
                    weights.put(new ServerKey(s.spec().key(), d.address(), d.port()), d.weight());
                }
            }
            return new FileView(java.util.Map.copyOf(names), java.util.Map.copyOf(weights));
        }
    }
    private final Failover failover;
    private final long startedMillis = System.currentTimeMillis();
    private volatile boolean closed;
    /** Each http service's {@code http:} block from the file last read (docs/l7.md). */
    private volatile java.util.Map<org.jvs.core.model.ServiceKey, org.jvs.director.config.HttpSettings> http = java.util.Map.of();
    /** Each TCP service's {@code max_conn_per_source} from the file last read (only those that set one). */
    private volatile java.util.Map<org.jvs.core.model.ServiceKey, Integer> perSource = java.util.Map.of();
    /** The packet engine's firewall-mark classifier from the file last read ({@code packet: marks:}). */
    private volatile java.util.List<org.jvs.packet.engine.MarkRule> packetMarks = java.util.List.of();

    /**
     * Loads and applies the configuration, then starts housekeeping, the data planes (created by
     * {@code planeFactories} once the balancer exists) and the control API.
     */
    public Director(Path configFile, List<Function<Director, DataPlane>> planeFactories, Path socketOverride) throws IOException {
        this.configFile = configFile;
        DirectorConfig config = load(configFile);
        ConfigApplier.validate(config);
        fileView = FileView.of(config);
        http = httpSettings(config);
        perSource = perSourceLimits(config);
        packetMarks = config.packet() == null ? java.util.List.of() : config.packet().marks();
        DirectorConfig.Settings s = config.settings();
        if (socketOverride != null) {
            s = new DirectorConfig.Settings(socketOverride, s.controlTcp(), s.tokenFile(), s.connTableSize(), s.connTableSizeV6(),
                    s.tcpTimeout(), s.tcpfinTimeout(), s.udpTimeout(), s.expireNodestConn(), s.expireQuiescentTemplate(),
                    s.drainTimeout(), s.connectTimeout(), s.defense());
        }
        this.settings = s;
        this.lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(s.connTableSize(), s.connTableSizeV6()), Clock.SYSTEM);
        this.weights = new WeightArbiter(lb);
        this.health = new org.jvs.director.health.DirectorHealth(this, config.health().global());
        var changes = ConfigApplier.apply(lb, health.shape(config));
        health.applied();
        LOG.log(Level.INFO, "configuration " + configFile + ": " + changes);
        this.feedback = new org.jvs.director.feedback.DirectorFeedback(lb, weights, config.feedback());
        this.failover = new Failover(this);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("jvs-housekeeping").unstarted(r));
        housekeeping.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        try {
            for (Function<Director, DataPlane> f : planeFactories) {
                DataPlane p = f.apply(this);
                if (p == null) {
                    continue; // a plane this configuration does not ask for
                }
                planes.add(p);
                p.sync();
            }
            failover.configure(config); // after the planes: VRRP moves the packet engine's VIPs
            metricsConfig = config.metrics();
            if (metricsConfig.listen() != null) {
                metrics = org.jvs.director.metrics.MetricsServer.start(metricsConfig,
                        new org.jvs.director.metrics.DirectorCollector(this, List.of(new EngineMetrics(this))));
                LOG.log(Level.INFO, "metrics on " + (metricsConfig.certificate() != null ? "https://" : "http://") + metricsConfig.listen() + "/metrics"
                        + (metricsConfig.username() != null ? " (basic auth)" : ""));
            }
            ControlApi api = new ControlApi(this);
            controls.add(ControlServer.unix(s.controlSocket(), api));
            LOG.log(Level.INFO, "control API on " + s.controlSocket());
            if (s.controlTcp() != null) {
                String token = Files.readString(s.tokenFile()).strip();
                controls.add(ControlServer.tcp(parseHostPort(s.controlTcp(), "control_tcp"), token, api));
                LOG.log(Level.INFO, "control API on tcp " + s.controlTcp() + " (bearer token required)");
            }
            apiConfig = config.api();
            if (apiConfig.listen() != null) {
                var tls = apiTls(apiConfig);
                httpsApi = org.jvs.director.api.HttpsApiServer.start(parseHostPort(apiConfig.listen(), "api"), tls,
                        new org.jvs.director.api.TokenStore(apiConfig.tokens()), api);
                LOG.log(Level.INFO, "control API on https://" + apiConfig.listen() + "/v1/ (" + apiConfig.tokens().size()
                        + " tokens), certificate " + tls);
            }
            consoleConfig = config.console();
            if (consoleConfig.listen() != null) {
                var tls = consoleTls(consoleConfig);
                console = org.jvs.director.console.ConsoleServer.start(parseHostPort(consoleConfig.listen(), "console"), tls,
                        consoleConfig.users(), consoleConfig.idleTimeout(), api, consoleState);
                LOG.log(Level.INFO, "console on https://" + consoleConfig.listen() + "/ (" + consoleConfig.users().size()
                        + " users), certificate " + tls);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static java.util.Map<org.jvs.core.model.ServiceKey, org.jvs.director.config.HttpSettings> httpSettings(DirectorConfig c) {
        java.util.Map<org.jvs.core.model.ServiceKey, org.jvs.director.config.HttpSettings> m = new java.util.HashMap<>();
        for (DirectorConfig.Service s : c.services()) {
            m.put(s.spec().key(), s.http());
        }
        return java.util.Map.copyOf(m);
    }

    private static java.util.Map<org.jvs.core.model.ServiceKey, Integer> perSourceLimits(DirectorConfig c) {
        java.util.Map<org.jvs.core.model.ServiceKey, Integer> m = new java.util.HashMap<>();
        for (DirectorConfig.Service s : c.services()) {
            if (s.maxConnPerSource() > 0) {
                m.put(s.spec().key(), s.maxConnPerSource());
            }
        }
        return java.util.Map.copyOf(m);
    }

    /** Services with a per-source connection limit, as the file last read sets them (docs/configuration.md). */
    public java.util.Map<org.jvs.core.model.ServiceKey, Integer> perSourceLimits() {
        return perSource;
    }

    /** The packet engine's mark rules as the file last read says (a reload may change them; interfaces it may not). */
    java.util.List<org.jvs.packet.engine.MarkRule> packetMarks() {
        return packetMarks;
    }

    /** The {@code http:} settings of a service (the defaults for one added by jvsadm or the API). */
    public org.jvs.director.config.HttpSettings httpSettings(org.jvs.core.model.ServiceKey key) {
        return http.getOrDefault(key, org.jvs.director.config.HttpSettings.DEFAULT);
    }

    /** YAML, or ipvsadm-save rules when the file's first command line starts with an option. */
    static DirectorConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new org.jvs.director.config.ConfigFileException(file, 0, 0, "", "cannot read: " + e.getMessage());
        }
        return org.jvs.director.config.RulesConfigLoader.looksLikeRules(text)
                ? new org.jvs.director.config.RulesConfigLoader().parse(file, text)
                : new YamlConfigLoader().parse(file, text);
    }

    /**
     * The HTTPS API's certificate: the configured pair, or the self-signed one in the state directory, made
     * on the first start with this section (its fingerprint is logged so clients can pin it).
     */
    private static org.jvs.director.api.ApiTls apiTls(DirectorConfig.Api a) throws IOException {
        return tls("api", a.certificate(), a.key(), a.stateDir(), a.listen());
    }

    /** A listener's certificate: its configured pair, or the self-signed one in {@code stateDir} (made and logged once). */
    private static org.jvs.director.api.ApiTls tls(String section, Path certificate, Path key, Path stateDir, String listen)
            throws IOException {
        try {
            if (certificate != null) {
                return org.jvs.director.api.ApiTls.load(certificate, key);
            }
            boolean made = !org.jvs.director.api.ApiTls.selfSignedExists(stateDir);
            var tls = org.jvs.director.api.ApiTls.selfSigned(stateDir,
                    org.jvs.director.api.ApiTls.namesFor(parseHostPort(listen, section).getAddress()));
            if (made) {
                LOG.log(Level.INFO, section + ": made a self-signed certificate " + tls.source() + ", SHA-256 fingerprint " + tls.fingerprint());
            }
            return tls;
        } catch (IllegalArgumentException e) {
            throw new IOException(section + ": " + e.getMessage(), e);
        }
    }

    /** The console's certificate: its own pair, or the self-signed one it shares with the API in the state directory. */
    private static org.jvs.director.api.ApiTls consoleTls(DirectorConfig.Console c) throws IOException {
        return tls("console", c.certificate(), c.key(), c.stateDir(), c.listen());
    }

    private static InetSocketAddress parseHostPort(String hp, String section) {
        int colon = hp.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(section + ".listen must be host:port, got " + hp);
        }
        String host = hp.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(org.jvs.core.model.IpAddr.parse(host).toInetAddress(), Integer.parseInt(hp.substring(colon + 1)));
    }

    private void tick() {
        try {
            serverOps.tick();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "draining servers failed", e);
        }
        try {
            failover.tick();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "VRRP service tracking failed", e);
        }
        try {
            lb.housekeeping();
        } catch (RuntimeException e) {
            // Housekeeping must keep running: a failure here stops expiry for every connection.
            LOG.log(Level.ERROR, "housekeeping failed", e);
        }
    }

    public LoadBalancer loadBalancer() {
        return lb;
    }

    /** Effective weights: health checks and dynamic feedback go through it, never to the balancer directly. */
    public WeightArbiter weights() {
        return weights;
    }

    /** Health checks: state per real server, quorum, sorry servers (docs/health.md). */
    public org.jvs.director.health.DirectorHealth health() {
        return health;
    }

    /** Dynamic feedback (thesis 4.2): its monitor and status. */
    public org.jvs.director.feedback.DirectorFeedback feedback() {
        return feedback;
    }

    public DirectorConfig.Settings settings() {
        return settings;
    }

    public Path configFile() {
        return configFile;
    }

    public long uptimeMillis() {
        return System.currentTimeMillis() - startedMillis;
    }

    /** The TCP control listener's port, or -1 without one (tests bind port 0). */
    public int controlTcpPort() {
        for (ControlServer c : controls) {
            try {
                if (c.address() instanceof InetSocketAddress a) {
                    return a.getPort();
                }
            } catch (IOException e) {
                return -1;
            }
        }
        return -1;
    }

    /** Whether the packet engine runs: the configuration had a {@code packet:} section when the director started. */
    public boolean runsPacketEngine() {
        return planes.stream().anyMatch(p -> p instanceof PacketPlane);
    }

    /** Connection sync daemons and VRRP (docs/failover.md). */
    Failover failover() {
        return failover;
    }

    /** quiesce, restore, drain (docs/api.md). */
    ServerOps serverOps() {
        return serverOps;
    }

    /** The service's {@code name:} in the file last read, or null. */
    String serviceName(org.jvs.core.model.ServiceKey key) {
        return fileView.names().get(key);
    }

    /** The server's weight in the file last read; 1 (ipvsadm's default) for a server the file does not have. */
    int fileWeight(org.jvs.core.model.ServiceKey key, org.jvs.core.model.IpAddr address, int port) {
        return fileView.weights().getOrDefault(new ServerKey(key, address, port), 1);
    }

    /** The console's port, or -1 without a {@code console:} section (tests bind port 0). */
    public int consolePort() {
        return console == null ? -1 : console.port();
    }

    /** The port {@code /metrics} listens on, or -1 when the file has no {@code metrics:} section. */
    public int metricsPort() {
        return metrics == null ? -1 : metrics.port();
    }

    /** The HTTPS API's port, or -1 without an {@code api:} section (tests bind port 0). */
    public int apiPort() {
        return httpsApi == null ? -1 : httpsApi.port();
    }

    /** The certificate the HTTPS API shows new connections, or null without one. */
    public org.jvs.director.api.ApiTls apiTls() {
        return httpsApi == null ? null : httpsApi.tls();
    }

    /** The http engine's plane, or null when this director runs none. */
    HttpPlane httpPlane() {
        return planes.stream().filter(p -> p instanceof HttpPlane).map(p -> (HttpPlane) p).findFirst().orElse(null);
    }

    public List<DataPlane> planes() {
        return List.copyOf(planes);
    }

    /**
     * Re-reads the configuration file and applies the difference. A file with any problem changes nothing
     * and the exception says where the problem is.
     */
    public synchronized ConfigApplier.Changes reload() {
        DirectorConfig config = load(configFile);
        EngineCheck.check(config, runsPacketEngine()); // a packet: section added later needs a restart
        ConfigApplier.validate(config); // the whole file, before health checks leave servers out of it
        org.jvs.director.api.ApiTls nextApiTls = checkApi(config);
        org.jvs.director.api.ApiTls nextConsoleTls = checkConsole(config);
        fileView = FileView.of(config);
        http = httpSettings(config);
        java.util.Map<org.jvs.core.model.ServiceKey, Integer> oldLimits = perSource;
        perSource = perSourceLimits(config);
        packetMarks = config.packet() == null ? java.util.List.of() : config.packet().marks();
        ConfigApplier.Changes changes = ConfigApplier.apply(lb, health.shape(config))
                .with(restartNotes(config.settings()))
                .with(limitNotes(oldLimits, perSource));
        if (!config.metrics().equals(metricsConfig)) {
            changes = changes.with(List.of("metrics: the changed section takes effect at restart (running with "
                    + (metricsConfig.listen() == null ? "none" : metricsConfig.listen()) + ")"));
        }
        changes = changes.with(apiNotes(config.api(), nextApiTls));
        changes = changes.with(consoleNotes(config.console(), nextConsoleTls));
        feedback.configure(config.feedback());
        afterChange();
        try {
            failover.configure(config);
        } catch (IOException e) {
            throw new IllegalStateException("sync daemons: " + e.getMessage(), e);
        }
        health.applied();
        LOG.log(Level.INFO, "reloaded " + configFile + ": " + changes);
        return changes;
    }

    /**
     * The connection tables are sized once, at start (their memory is laid out then): a reload that asks for
     * other sizes says so in its changes, rather than seeming to have applied them.
     */
    private List<String> restartNotes(DirectorConfig.Settings s) {
        List<String> lines = new java.util.ArrayList<>();
        int v4 = lb.connTable(false).capacity();
        int v6 = lb.connTable(true).capacity();
        if (s.connTableSize() != v4) {
            lines.add("conn_table_size " + s.connTableSize() + " takes effect at restart (running with " + v4 + ")");
        }
        if (s.connTableSizeV6() != v6) {
            lines.add("conn_table_size_v6 " + s.connTableSizeV6() + " takes effect at restart (running with " + v6 + ")");
        }
        return lines;
    }

    /** A line for each service whose {@code max_conn_per_source} changed. */
    private static List<String> limitNotes(java.util.Map<org.jvs.core.model.ServiceKey, Integer> before,
            java.util.Map<org.jvs.core.model.ServiceKey, Integer> after) {
        List<String> lines = new java.util.ArrayList<>();
        java.util.Set<org.jvs.core.model.ServiceKey> keys = new java.util.TreeSet<>(java.util.Comparator.comparing(Object::toString));
        keys.addAll(before.keySet());
        keys.addAll(after.keySet());
        for (var k : keys) {
            int was = before.getOrDefault(k, 0);
            int now = after.getOrDefault(k, 0);
            if (was != now) {
                lines.add("max_conn_per_source " + k + ": " + (was == 0 ? "none" : was) + " -> " + (now == 0 ? "none" : now));
            }
        }
        return lines;
    }

    /**
     * The HTTPS API follows a reload in what it can change live: its tokens (checked from the next request)
     * and its certificate (shown to the next connection; open ones keep theirs), also when the address
     * changed too. The address, or adding the section, waits for a restart, and says so; removing the section
     * revokes every token at once. A certificate that does not load fails the
     * reload before anything is applied ({@link #checkApi}).
     */
    private List<String> apiNotes(DirectorConfig.Api next, org.jvs.director.api.ApiTls nextTls) {
        List<String> lines = new java.util.ArrayList<>();
        listenNote("api", next.listen(), apiConfig.listen(), lines);
        if (httpsApi == null) {
            return lines;
        }
        // The running listener follows the file's tokens and certificate whatever its address: a section taken
        // out takes every token with it at once (each request answers 401 until the restart closes the port).
        List<org.jvs.director.api.ApiToken> now = next.listen() == null ? List.of() : next.tokens();
        List<org.jvs.director.api.ApiToken> before = httpsApi.tokens().tokens();
        if (!now.equals(before)) {
            httpsApi.tokens(new org.jvs.director.api.TokenStore(now));
            lines.add("api: tokens " + names(before) + " -> " + names(now));
        }
        if (nextTls != null && !nextTls.filesHash().equals(httpsApi.tls().filesHash())) {
            httpsApi.tls(nextTls);
            lines.add("api: certificate " + nextTls);
        }
        if (next.listen() != null && next.listen().equals(apiConfig.listen())) {
            apiConfig = next;
        }
        return lines;
    }

    /** A listener's address is bound at start: a reload that moves it says it waits for a restart. */
    private static void listenNote(String section, String next, String running, List<String> lines) {
        if (!java.util.Objects.equals(next, running)) {
            lines.add(section + ": listen " + (next == null ? "none" : next) + " takes effect at restart (running with "
                    + (running == null ? "none" : running) + ")");
        }
    }

    private static String names(List<org.jvs.director.api.ApiToken> tokens) {
        return tokens.stream().map(t -> t.name() + (t.readWrite() ? "(rw)" : "(ro)")).collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }

    /**
     * Loads the HTTPS API's certificate of a file being reloaded, before anything is applied, so a bad one
     * refuses the whole reload; null when no listener runs or the file has no section.
     */
    private org.jvs.director.api.ApiTls checkApi(DirectorConfig next) {
        if (httpsApi == null || next.api().listen() == null) {
            return null;
        }
        try {
            return apiTls(next.api());
        } catch (IOException e) {
            throw new org.jvs.core.model.ConfigException(e.getMessage());
        }
    }

    /**
     * The console follows a reload as the API does: users (a removed or changed user's sessions end at once),
     * the idle timeout and the certificate apply live; a new address waits for a restart and says so.
     */
    private List<String> consoleNotes(DirectorConfig.Console next, org.jvs.director.api.ApiTls nextTls) {
        List<String> lines = new java.util.ArrayList<>();
        listenNote("console", next.listen(), consoleConfig.listen(), lines);
        if (console == null) {
            return lines;
        }
        List<org.jvs.director.console.ConsoleUser> now = next.listen() == null ? List.of() : next.users();
        if (!now.equals(console.users())) {
            String before = console.users().stream().map(org.jvs.director.console.ConsoleUser::name).toList().toString();
            int ended = console.users(now);
            lines.add("console: users " + before + " -> " + now.stream().map(org.jvs.director.console.ConsoleUser::name).toList()
                    + (ended > 0 ? " (" + ended + " sessions ended)" : ""));
        }
        if (next.listen() != null && !next.idleTimeout().equals(consoleConfig.idleTimeout())) {
            console.idleTimeout(next.idleTimeout());
            lines.add("console: idle_timeout " + next.idleTimeout().toSeconds() + "s");
        }
        if (nextTls != null && !nextTls.filesHash().equals(console.tls().filesHash())) {
            console.tls(nextTls);
            lines.add("console: certificate " + nextTls);
        }
        if (next.listen() != null && next.listen().equals(consoleConfig.listen())) {
            consoleConfig = next;
        }
        return lines;
    }

    /** As {@link #checkApi}, for the console's certificate. */
    private org.jvs.director.api.ApiTls checkConsole(DirectorConfig next) {
        if (console == null || next.console().listen() == null) {
            return null;
        }
        try {
            return consoleTls(next.console());
        } catch (IOException e) {
            throw new org.jvs.core.model.ConfigException(e.getMessage());
        }
    }

    /** Runs a configuration change (from the API) under the director's lock, then lets engines catch up. */
    public synchronized <T> T change(java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } finally {
            afterChange();
        }
    }

    private void afterChange() {
        consoleState.changed();
        weights.reapply();
        for (DataPlane p : planes) {
            try {
                p.sync();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, p.name() + " engine could not follow the change: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (failover != null) {
            failover.close(); // first: a priority-0 advert lets the backup take over while we still forward
        }
        if (health != null) {
            health.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (console != null) {
            try {
                console.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "closing the console: " + e.getMessage());
            }
        }
        if (httpsApi != null) {
            try {
                httpsApi.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "closing the HTTPS API: " + e.getMessage());
            }
        }
        for (ControlServer c : controls) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "closing control API: " + e.getMessage());
            }
        }
        for (DataPlane p : planes) {
            p.stop(settings.drainTimeout());
        }
        housekeeping.shutdownNow();
        feedback.close();
        lb.close();
        LOG.log(Level.INFO, "director stopped");
    }

    public boolean isClosed() {
        return closed;
    }
}
