package org.jvs.director.health;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.jvs.cli.HealthSource;
import org.jvs.cli.HealthSource.DestHealth;
import org.jvs.cli.HealthSource.ServiceHealth;
import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.Service;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ServiceKey;
import org.jvs.director.Director;
import org.jvs.director.config.DirectorConfig;
import org.jvs.health.BoundedCheckRunner;
import org.jvs.health.DestStatus;
import org.jvs.health.HealthActions;
import org.jvs.health.HealthConfig;
import org.jvs.health.HealthEngine;
import org.jvs.health.HealthEvent;
import org.jvs.health.Notifier;
import org.jvs.health.ServiceStatus;
import org.jvs.health.SystemHealthTimer;

/**
 * Health checks inside the director: runs the {@link HealthEngine} on its own thread and carries out what it
 * decides. Weights go through the director's {@code WeightArbiter} (health's factor, never the balancer
 * directly); servers that are down without {@code inhibit_on_failure} leave their service and come back,
 * and the sorry server comes and goes, through the director's change lock like any configuration change.
 *
 * <p>Reload: {@link #shape} hands the engine the new configuration and returns the configuration to
 * apply: without the servers that are down and removed, with the sorry server while it is needed. After
 * the apply, {@link #applied} tells the balancer the whole health state again.
 */
public final class DirectorHealth implements HealthActions, AutoCloseable {
    private static final int RECENT_EVENTS = 100;
    private static final System.Logger LOG = System.getLogger(DirectorHealth.class.getName());

    private final Director director;
    private final HealthEngine engine;
    private final BoundedCheckRunner runner;
    private final Deque<HealthEvent> recent = new ArrayDeque<>();
    /** The configuration file's health part, as the last reload gave it. */
    private HealthConfig fileHealth = HealthConfig.NONE;
    /**
     * What jvsadm changed since: per service, the servers it added (with the service's default check) and the
     * configured ones it deleted. A reload puts the file back, so it clears both.
     */
    private final Map<ServiceKey, Map<Server, HealthConfig.DestCheck>> addedAtRunTime = new HashMap<>();
    private final Map<ServiceKey, Set<Server>> deletedAtRunTime = new HashMap<>();

    /** {@code maxConcurrent} is fixed for the director's life (a reload does not change it). */
    public DirectorHealth(Director director, HealthConfig.Global global) {
        this.director = director;
        this.runner = new BoundedCheckRunner(global.maxConcurrent());
        this.engine = new HealthEngine(new SystemHealthTimer(), runner, new Notifier(global, this::remember), this, new Random());
    }

    private void remember(HealthEvent e) {
        synchronized (recent) {
            if (recent.size() == RECENT_EVENTS) {
                recent.removeFirst();
            }
            recent.addLast(e);
        }
    }

    /** The last 100 state changes, oldest first. */
    public List<HealthEvent> recentEvents() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    /** Takes a configuration's health part; returns the configuration the balancer should get now. */
    public DirectorConfig shape(DirectorConfig config) {
        synchronized (addedAtRunTime) {
            fileHealth = config.health();
            addedAtRunTime.clear();
            deletedAtRunTime.clear();
        }
        engine.configure(config.health());
        List<DirectorConfig.Service> services = new ArrayList<>();
        for (DirectorConfig.Service s : config.services()) {
            ServiceKey key = s.spec().key();
            List<DestSpec> dests = new ArrayList<>();
            List<Integer> lines = new ArrayList<>();
            for (int i = 0; i < s.dests().size(); i++) {
                DestSpec n = s.dests().get(i).normalizedFor(key);
                if (engine.wantsPresent(key, n.address(), n.port())) {
                    dests.add(s.dests().get(i));
                    lines.add(i < s.destLines().size() ? s.destLines().get(i) : 0);
                }
            }
            for (DestSpec extra : engine.extraDests(key)) {
                dests.add(extra);
                lines.add(s.line());
            }
            services.add(new DirectorConfig.Service(s.name(), s.spec(), dests, s.line(), lines, s.http(), s.maxConnPerSource()));
        }
        return config.withServices(services);
    }

    /**
     * A real server added with {@code jvsadm -a} (or {@code POST /v1/ipvsadm}): if its service has a default
     * health check it is watched like a configured server. Call with the director's lock held, after the add.
     */
    public void addedByCommand(ServiceKey service, DestSpec spec) {
        HealthConfig.ServiceHealth sh = fileService(service);
        if (sh == null || sh.forNewServer() == null) {
            return;
        }
        HealthConfig.DestCheck check;
        try {
            check = sh.forNewServer().apply(spec);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "health: " + spec.label() + " added to " + service
                    + " is not checked: " + e.getMessage());
            return;
        }
        Server k = new Server(check.spec().address(), check.spec().port());
        synchronized (addedAtRunTime) {
            addedAtRunTime.computeIfAbsent(service, x -> new HashMap<>()).put(k, check);
            Set<Server> deleted = deletedAtRunTime.get(service);
            if (deleted != null) {
                deleted.remove(k);
            }
        }
        reconfigure();
    }

    /**
     * A real server deleted with {@code jvsadm -d}: its checks stop, so a recovery cannot put it back. Call with
     * the director's lock held, after the delete.
     */
    public void deletedByCommand(ServiceKey service, IpAddr address, int port) {
        if (fileService(service) == null) {
            return;
        }
        Server k = new Server(address, port);
        synchronized (addedAtRunTime) {
            Map<Server, HealthConfig.DestCheck> added = addedAtRunTime.get(service);
            if (added != null) {
                added.remove(k);
            }
            deletedAtRunTime.computeIfAbsent(service, x -> new java.util.HashSet<>()).add(k);
        }
        reconfigure();
    }

    private HealthConfig.ServiceHealth fileService(ServiceKey service) {
        synchronized (addedAtRunTime) {
            for (HealthConfig.ServiceHealth sh : fileHealth.services()) {
                if (sh.key().equals(service)) {
                    return sh;
                }
            }
            return null;
        }
    }

    /** A real server of a service, as the run-time overlay keys it. */
    private record Server(IpAddr address, int port) {
    }

    /** The file's health part with jvsadm's additions and deletions, handed to the engine; checks start. */
    private void reconfigure() {
        List<HealthConfig.ServiceHealth> services = new ArrayList<>();
        synchronized (addedAtRunTime) {
            for (HealthConfig.ServiceHealth sh : fileHealth.services()) {
                Set<Server> deleted = deletedAtRunTime.getOrDefault(sh.key(), Set.of());
                Map<Server, HealthConfig.DestCheck> added = addedAtRunTime.getOrDefault(sh.key(), Map.of());
                List<HealthConfig.DestCheck> dests = new ArrayList<>();
                for (HealthConfig.DestCheck dc : sh.dests()) {
                    Server k = new Server(dc.spec().address(), dc.spec().port());
                    if (!deleted.contains(k) && !added.containsKey(k)) {
                        dests.add(dc);
                    }
                }
                dests.addAll(added.values());
                services.add(sh.withDests(dests));
            }
        }
        engine.configure(new HealthConfig(fileHealth.global(), services));
        engine.sync();
    }

    /** After the shaped configuration was applied: weights again, and checks for new servers. */
    public void applied() {
        engine.sync();
    }

    public BoundedCheckRunner runner() {
        return runner;
    }

    public List<DestStatus> dests() {
        return engine.dests();
    }

    public List<ServiceStatus> services() {
        return engine.services();
    }

    // ======================================================================================
    // HealthActions
    // ======================================================================================

    @Override
    public void locked(Runnable r) {
        director.change(() -> {
            r.run();
            return null;
        });
    }

    @Override
    public void apply(Effect e) {
        if (director.isClosed()) {
            return; // the balancer is gone
        }
        LoadBalancer lb = director.loadBalancer();
        switch (e) {
            case Factor f -> {
                // Full health on a server nobody lowered is the arbiter's default: saying it would only
                // grow the arbiter's table, which every configuration change walks.
                boolean nothingToSay = f.factor() == 1.0 && director.weights().healthFactor(f.service(), f.address(), f.port()) == 1.0;
                if (!nothingToSay && find(lb, f.service(), f.address(), f.port()) != null) {
                    director.weights().health(f.service(), f.address(), f.port(), f.factor());
                }
            }
            case Present p -> {
                if (lb.service(p.service()) != null && find(lb, p.service(), p.spec().address(), p.spec().port()) == null) {
                    lb.addDest(p.service(), p.spec());
                }
            }
            case Absent a -> {
                if (find(lb, a.service(), a.spec().address(), a.spec().port()) != null) {
                    lb.deleteDest(a.service(), a.spec().address(), a.spec().port());
                    director.weights().forget(a.service(), a.spec().address(), a.spec().port());
                }
            }
        }
    }

    private static Dest find(LoadBalancer lb, ServiceKey key, IpAddr address, int port) {
        Service s = lb.service(key);
        return s == null ? null : s.dest(address, port);
    }

    // ======================================================================================
    // jvsadm -L --health, --json, the API
    // ======================================================================================

    /** The health of every watched server, taken once, for one listing. */
    public HealthSource view() {
        LoadBalancer lb = director.loadBalancer();
        record Where(ServiceKey service, IpAddr address, int port) {
        }
        Map<Where, DestHealth> dests = new HashMap<>();
        Map<ServiceKey, List<DestHealth>> absent = new HashMap<>();
        for (DestStatus d : engine.dests()) {
            DestHealth h = new DestHealth(d.spec().address(), d.spec().port(), d.spec().method().ipvsadmName(), d.check(), d.state(),
                    d.spec().weight(), d.factor(), d.reason(), d.lastAgoMillis(), d.sinceMillis());
            dests.put(new Where(d.service(), d.spec().address(), d.spec().port()), h);
            if (find(lb, d.service(), d.spec().address(), d.spec().port()) == null) {
                absent.computeIfAbsent(d.service(), k -> new ArrayList<>()).add(h);
            }
        }
        Map<ServiceKey, ServiceHealth> services = new HashMap<>();
        for (ServiceStatus s : engine.services()) {
            services.put(s.key(), new ServiceHealth(s.quorumUp(), s.liveWeight(), s.quorum(), s.hysteresis(),
                    s.sorryServer() == null ? null : s.sorryServer().label(), s.sorryActive()));
        }
        return new HealthSource() {
            @Override
            public DestHealth dest(ServiceKey service, IpAddr address, int port) {
                return dests.get(new Where(service, address, port));
            }

            @Override
            public List<DestHealth> absent(ServiceKey service) {
                return absent.getOrDefault(service, List.of());
            }

            @Override
            public ServiceHealth service(ServiceKey service) {
                return services.get(service);
            }
        };
    }

    @Override
    public void close() {
        engine.close();
    }
}
