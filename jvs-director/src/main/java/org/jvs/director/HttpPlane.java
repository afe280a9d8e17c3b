package org.jvs.director;

import io.netty.channel.EventLoopGroup;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jvs.core.Dest;
import org.jvs.core.Service;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ServiceKey;
import org.jvs.director.config.HttpSettings;
import org.jvs.proxy.Transport;
import org.jvs.proxy.http.HttpBackend;
import org.jvs.proxy.http.HttpEngine;
import org.jvs.proxy.http.HttpServiceConfig;
import org.jvs.proxy.http.ServerTls;
import org.jvs.proxy.http.sched.ContentRule;
import org.jvs.proxy.http.sched.L7Schedulers;
import org.jvs.proxy.http.sched.L7Server;

/**
 * The http engine as one of the director's data planes: one {@link HttpEngine} per {@code engine: http}
 * service, all on one group of event loops. After every change it brings them in line with the core: a new
 * service starts listening, a removed one stops, and a changed server list, scheduler or {@code http:} block
 * becomes a new roster of the same engine without closing its listener. Weights need no sync at all: the
 * engine's servers read the core's (health checks, feedback, {@code jvsadm -e}) on every request.
 */
final class HttpPlane implements DataPlane {
    private static final System.Logger LOG = System.getLogger("org.jvs.director");

    /** What makes a new roster: everything but the weights, which the servers read live. */
    private record Shape(String scheduler, HttpSettings http, List<Object> servers) {
    }

    private record Running(HttpEngine engine, Shape shape) {
    }

    /**
     * Brings the engine's TLS in line with the files: new bytes (a renewed certificate) make a new context for
     * the connections accepted from now on; the same bytes keep the one loaded.
     */
    private static void syncTls(ServiceKey key, HttpEngine e, HttpSettings.Tls want) {
        ServerTls have = e.tls();
        if (want == null) {
            if (have != null) {
                e.tls(null);
                LOG.log(Level.INFO, "http engine: " + key + " no longer terminates TLS");
            }
            return;
        }
        if (have != null && have.fingerprint().equals(ServerTls.fingerprint(want.certificate(), want.key()))) {
            return;
        }
        ServerTls t = ServerTls.load(want.certificate(), want.key());
        e.tls(t);
        LOG.log(Level.INFO, "http engine: " + key + " terminates TLS with " + want.certificate() + " (" + t.subject()
                + ", valid until " + t.notAfter() + ")");
    }

    private final Director director;
    private final Transport transport = Transport.choose(true);
    private final Map<ServiceKey, Running> engines = new LinkedHashMap<>();
    /**
     * The engines for the once-a-second upkeep, which runs on an event loop: it reads this copy and never
     * takes the plane's lock, which sync() holds while it waits for a bind on those same loops.
     */
    private volatile List<HttpEngine> live = List.of();
    private EventLoopGroup group;

    HttpPlane(Director director) {
        this.director = director;
    }

    @Override
    public String name() {
        return "http";
    }

    /** The running engines, in the order their services came. */
    synchronized Map<ServiceKey, HttpEngine> engines() {
        Map<ServiceKey, HttpEngine> m = new LinkedHashMap<>();
        engines.forEach((k, r) -> m.put(k, r.engine()));
        return m;
    }

    /** The running engine of a service, or null. */
    synchronized HttpEngine engine(ServiceKey key) {
        Running r = engines.get(key);
        return r == null ? null : r.engine();
    }

    @Override
    public synchronized void sync() {
        Set<ServiceKey> wanted = new HashSet<>();
        for (Service s : director.loadBalancer().services()) {
            if (s.spec().engine() != Engine.HTTP || !(s.key() instanceof ServiceKey.Virtual v)) {
                continue;
            }
            wanted.add(s.key());
            HttpSettings http = director.httpSettings(s.key());
            Shape shape = shape(s, http);
            Running r = engines.get(s.key());
            int perSource = director.perSourceLimits().getOrDefault(s.key(), 0);
            if (r != null) {
                r.engine().limitPerSource(perSource);
                try {
                    syncTls(s.key(), r.engine(), http.tls());
                } catch (RuntimeException e) {
                    // the file was checked when the configuration was read; it changed since: keep the old one
                    LOG.log(Level.ERROR, "http engine: " + s.key() + ": keeping the certificate in use: " + e.getMessage());
                }
            }
            if (r != null && r.shape().equals(shape)) {
                continue;
            }
            try {
                HttpServiceConfig cfg = config(s, v, http);
                if (r == null) {
                    HttpEngine e = new HttpEngine(cfg, transport, group(), 0);
                    e.limitPerSource(perSource);
                    try {
                        syncTls(s.key(), e, http.tls()); // before the listener: no plain connection on a TLS port
                        e.start();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        e.close();
                        return;
                    } catch (RuntimeException ex) {
                        e.close();
                        throw ex;
                    }
                    engines.put(s.key(), new Running(e, shape));
                    LOG.log(Level.INFO, "http engine: listening for " + s.key() + " (" + transport.name() + ", "
                            + cfg.scheduler() + ", " + cfg.backends().size() + " servers)");
                } else {
                    r.engine().update(cfg);
                    engines.put(s.key(), new Running(r.engine(), shape));
                    LOG.log(Level.INFO, "http engine: " + s.key() + " now " + cfg.scheduler() + " over " + cfg.backends().size() + " servers");
                }
            } catch (RuntimeException e) {
                // one service that cannot be served must not stop the others; the next change tries again
                LOG.log(Level.ERROR, "http engine: cannot serve " + s.key() + ": " + e.getMessage());
            }
        }
        for (var it = engines.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.contains(e.getKey())) {
                e.getValue().engine().close();
                it.remove();
                LOG.log(Level.INFO, "http engine: stopped listening for " + e.getKey());
            }
        }
        live = engines.values().stream().map(Running::engine).toList();
    }

    private EventLoopGroup group() {
        if (group == null) {
            group = transport.newGroup(Runtime.getRuntime().availableProcessors(), "jvs-http");
            // the schedulers' upkeep (LBLCR's K, idle targets) once a second, off the request path
            group.scheduleAtFixedRate(this::housekeeping, 1, 1, TimeUnit.SECONDS);
        }
        return group;
    }

    private void housekeeping() {
        for (HttpEngine e : live) {
            try {
                e.housekeeping();
            } catch (RuntimeException ex) {
                LOG.log(Level.ERROR, "http engine housekeeping: " + ex.getMessage(), ex);
            }
        }
    }

    private static Shape shape(Service s, HttpSettings http) {
        List<Object> servers = new ArrayList<>();
        for (Dest d : s.dests()) {
            servers.add(List.of(d, d.port(), d.lowerThreshold(), d.upperThreshold(), d.spec().proxyProtocol()));
        }
        return new Shape(s.spec().scheduler(), http, servers);
    }

    /**
     * The engine's view of a service. The LBLC thresholds of each server are its {@code lower_threshold} /
     * {@code upper_threshold} (requests in flight), the thesis' 30 and 60 when not given; its
     * {@code proxy_protocol} makes its connections begin with a PROXY header (and keeps them per client).
     */
    static HttpServiceConfig config(Service s, ServiceKey.Virtual v, HttpSettings http) {
        Dest[] dests = s.dests();
        if (dests.length > L7Server.MAX_SERVERS) {
            throw new IllegalArgumentException("an http service has at most " + L7Server.MAX_SERVERS + " servers");
        }
        List<HttpBackend> backends = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Dest d : dests) {
            int high = d.upperThreshold() > 0 ? d.upperThreshold() : L7Server.DEFAULT_HIGH;
            int low = d.lowerThreshold() > 0 ? d.lowerThreshold() : Math.min(L7Server.DEFAULT_LOW, high / 2);
            int port = d.port() != 0 ? d.port() : v.port();
            String label = d.address().withPort(d.port());
            labels.add(label);
            backends.add(new HttpBackend(label, new InetSocketAddress(d.address().toInetAddress(), port),
                    d.spec().weight(), low, high, d, d.spec().proxyProtocol()));
        }
        List<ContentRule> rules = new ArrayList<>();
        for (HttpSettings.Rule r : http.rules()) {
            long bits = bits(r.servers(), labels);
            if (bits == 0) {
                LOG.log(Level.WARNING, "http engine: " + s.key() + ": content rule " + r.name()
                        + " has none of its servers in the service now (health checks?); its requests go to the default servers");
                continue;
            }
            rules.add(new ContentRule(r.name(), r.host(), r.pathPrefix(), r.pathRegex() == null ? null : Pattern.compile(r.pathRegex()),
                    r.header(), r.headerRegex() == null ? null : Pattern.compile(r.headerRegex()), r.method(), bits));
        }
        L7Schedulers.Options o = L7Schedulers.Options.DEFAULT;
        o = new L7Schedulers.Options(rules, bits(http.defaultServers(), labels), http.shKey(), o.targets(), o.kNanos(), o.expireNanos());
        return new HttpServiceConfig(new InetSocketAddress(v.address().toInetAddress(), v.port()), backends, s.spec().scheduler(),
                o, http.limits(), http.timeouts(), http.clientAddress(), http.admission(), http.tunnels());
    }

    private static long bits(List<String> servers, List<String> labels) {
        long bits = 0;
        for (String name : servers) {
            int i = labels.indexOf(name);
            if (i >= 0) {
                bits |= 1L << i;
            }
        }
        return bits;
    }

    @Override
    public synchronized void stop(Duration drain) {
        for (Running r : engines.values()) {
            r.engine().closeListener();
        }
        long end = System.nanoTime() + drain.toNanos();
        while (System.nanoTime() < end && engines.values().stream().anyMatch(r -> r.engine().sessions() > 0)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Running r : engines.values()) {
            r.engine().close();
        }
        engines.clear();
        live = List.of();
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
