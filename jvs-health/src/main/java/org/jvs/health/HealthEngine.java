package org.jvs.health;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ServiceKey;

/**
 * Health checking for every watched service: schedules each real server's checks on the {@link HealthTimer},
 * runs them through the {@link CheckRunner}, feeds the results to the servers' {@link DestMonitor}s, keeps
 * each service's quorum and sorry server, and turns every change into {@link HealthActions.Effect}s and
 * {@link HealthEvent}s.
 *
 * <p>Threads: state changes under this object's lock, on the timer's thread or on a reload's; effects are
 * carried out after the lock is released, under the director's lock ({@link HealthActions#locked}), and are
 * dropped when a reconfiguration happened in between (the reload's {@link #sync} has applied the newer state).
 *
 * <p>Reload: {@link #configure} takes the new configuration and keeps the state of every server still in it
 * (a changed check restarts its counters, not its UP/DOWN state); the director then asks {@link #wantsPresent}
 * and {@link #extraDests} to shape what it applies, and calls {@link #sync} once it has.
 */
public final class HealthEngine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.jvs.health");

    private record Key(IpAddr address, int port) {
    }

    private static final class ServiceMonitor {
        HealthConfig.ServiceHealth config;
        final Map<Key, DestMonitor> dests = new LinkedHashMap<>();
        boolean quorumUp = true;
        /** The sorry server's last applied state. */
        Boolean sorryPresent;
        double sorryFactor = Double.NaN;

        ServiceMonitor(HealthConfig.ServiceHealth config) {
            this.config = config;
        }

        int liveWeight() {
            int w = 0;
            for (DestMonitor m : dests.values()) {
                w += m.liveWeight();
            }
            return w;
        }

        boolean sorryActive() {
            return config.sorryServer() != null && !quorumUp;
        }
    }

    private final HealthTimer timer;
    private final CheckRunner runner;
    private final Notifier notifier;
    private final HealthActions actions;
    private final RandomGenerator random;
    private final Map<ServiceKey, ServiceMonitor> services = new LinkedHashMap<>();
    private final List<HealthEvent> events = new ArrayList<>();
    /** Servers no longer watched since the last configure: their weight goes back to the configured one at sync. */
    private final List<HealthActions.Effect> released = new ArrayList<>();
    private final List<Batch> pending = new ArrayList<>();
    private boolean flushScheduled;
    private HealthConfig config = HealthConfig.NONE;
    private volatile long epoch;
    private volatile boolean closed;

    public HealthEngine(HealthTimer timer, CheckRunner runner, Notifier notifier, HealthActions actions, RandomGenerator random) {
        this.timer = timer;
        this.runner = runner;
        this.notifier = notifier;
        this.actions = actions;
        this.random = random;
    }

    // ======================================================================================
    // Configuration
    // ======================================================================================

    /** Takes a (new) configuration. Changes nothing in the balancer: {@link #sync} does, once it is applied. */
    public synchronized void configure(HealthConfig next) {
        epoch++;
        config = next;
        notifier.settings(next.global());
        long now = timer.nanos();
        Map<ServiceKey, ServiceMonitor> keep = new LinkedHashMap<>();
        for (HealthConfig.ServiceHealth sh : next.services()) {
            if (!sh.watched()) {
                continue;
            }
            ServiceMonitor sm = services.remove(sh.key());
            if (sm == null) {
                sm = new ServiceMonitor(sh);
            }
            sm.config = sh;
            Map<Key, DestMonitor> old = new LinkedHashMap<>(sm.dests);
            sm.dests.clear();
            for (HealthConfig.DestCheck dc : sh.dests()) {
                Key k = new Key(dc.spec().address(), dc.spec().port());
                DestMonitor m = old.remove(k);
                if (m == null) {
                    m = new DestMonitor(dc, now);
                } else if (m.reconfigure(dc)) {
                    m.cancel();
                }
                sm.dests.put(k, m);
            }
            for (DestMonitor m : old.values()) {
                release(sh.key(), m);
            }
            keep.put(sh.key(), sm);
        }
        for (ServiceMonitor gone : services.values()) {
            for (DestMonitor m : gone.dests.values()) {
                release(gone.config.key(), m);
            }
        }
        services.clear();
        services.putAll(keep);
        for (ServiceMonitor sm : services.values()) {
            quorum(sm);
        }
    }

    private void release(ServiceKey key, DestMonitor m) {
        m.cancel();
        released.add(new HealthActions.Factor(key, m.spec.address(), m.spec.port(), 1.0));
    }

    /**
     * Whether a configured real server should be in its service now; true for servers the engine does not
     * watch. A reload leaves out the ones that are not, so that a server removed while down stays removed.
     */
    public synchronized boolean wantsPresent(ServiceKey service, IpAddr address, int port) {
        ServiceMonitor sm = services.get(service);
        DestMonitor m = sm == null ? null : sm.dests.get(new Key(address, port));
        return m == null || m.wantsPresent();
    }

    /** Servers the configuration does not list that should be in the service now: the sorry server. */
    public synchronized List<DestSpec> extraDests(ServiceKey service) {
        ServiceMonitor sm = services.get(service);
        if (sm == null || sm.config.sorryServer() == null) {
            return List.of();
        }
        return sm.sorryActive() || sm.config.sorryInhibit() ? List.of(sm.config.sorryServer()) : List.of();
    }

    /**
     * Tells the balancer the whole health state again (after a reload, whose apply reset weights) and starts
     * the checks of new or changed servers. Call it holding the director's lock, after the apply.
     */
    public void sync() {
        // Computed and applied under the director's lock, so that no effect computed later (a check result
        // arriving meanwhile) can be overtaken by these.
        actions.locked(() -> {
            List<HealthActions.Effect> effects = new ArrayList<>();
            synchronized (this) {
                long now = timer.nanos();
                effects.addAll(released);
                released.clear();
                for (ServiceMonitor sm : services.values()) {
                    sm.sorryPresent = null;
                    sm.sorryFactor = Double.NaN;
                    for (DestMonitor m : sm.dests.values()) {
                        m.appliedPresent = null;
                        m.appliedFactor = Double.NaN;
                        if (m.needsStart && m.checker != null && !closed) {
                            m.needsStart = false;
                            long warmup = m.policy.warmup().toNanos();
                            schedule(sm, m, warmup <= 0 ? 0 : random.nextLong(warmup + 1));
                        }
                        if (m.ramping()) {
                            scheduleRamp(sm, m);
                        }
                    }
                    diff(sm, now, effects);
                }
            }
            applyNow(effects);
        });
        fireEvents();
    }

    // ======================================================================================
    // Checks
    // ======================================================================================

    private void schedule(ServiceMonitor sm, DestMonitor m, long delayNanos) {
        long gen = m.generation;
        m.pending = timer.schedule(delayNanos, () -> start(sm, m, gen));
    }

    private void start(ServiceMonitor sm, DestMonitor m, long gen) {
        Checker c;
        InetSocketAddress target;
        java.time.Duration timeout;
        synchronized (this) {
            if (closed || m.generation != gen) {
                return;
            }
            m.pending = null;
            c = m.checker;
            int port = c.port() != 0 ? c.port() : m.spec.port();
            target = new InetSocketAddress(m.spec.address().toInetAddress(), port);
            timeout = m.policy.connectTimeout();
        }
        long startedAt = timer.nanos();
        runner.submit(c, target, timeout, r -> timer.execute(() -> result(sm, m, gen, r, startedAt)));
    }

    private void result(ServiceMonitor sm, DestMonitor m, long gen, CheckResult r, long startedAt) {
        List<HealthActions.Effect> effects = new ArrayList<>();
        long ep;
        synchronized (this) {
            if (closed || m.generation != gen) {
                return;
            }
            long now = timer.nanos();
            m.lastDurationNanos = now - startedAt;
            DestMonitor.Transition t = m.onResult(r, now);
            String dest = m.spec.label();
            switch (t) {
                case UP -> {
                    event(HealthEvent.Kind.UP, sm, dest, r.reason()
                            + (m.policy.rise() > 1 ? " (" + m.policy.rise() + " successful checks)" : "")
                            + (m.ramping() ? ", slow start over " + m.policy.slowStart().toSeconds() + " s" : ""));
                    if (m.ramping()) {
                        scheduleRamp(sm, m);
                    }
                }
                case DOWN -> event(HealthEvent.Kind.DOWN, sm, dest, r.reason()
                        + (r.status() == CheckResult.Status.MAINT ? "" : " (" + attempts(m) + ")")
                        + (m.policy.inhibitOnFailure() ? ", weight 0" : ", removed from the service"));
                case NONE -> { }
            }
            quorum(sm);
            schedule(sm, m, m.nextDelayNanos);
            diff(sm, now, effects);
            ep = epoch;
        }
        apply(ep, effects);
        fireEvents();
    }

    private static String attempts(DestMonitor m) {
        int perRound = m.policy.retry() + 1;
        String round = perRound == 1 ? "1 attempt" : perRound + " attempts";
        return m.policy.fall() == 1 ? (perRound == 1 ? "1 failed check" : perRound + " failed attempts")
                : m.policy.fall() + " failed checks of " + round + " each";
    }

    private void scheduleRamp(ServiceMonitor sm, DestMonitor m) {
        if (m.rampTask != null) {
            m.rampTask.cancel();
        }
        long gen = m.generation;
        m.rampTask = timer.schedule(DestMonitor.RAMP_STEP_NANOS, () -> {
            List<HealthActions.Effect> effects = new ArrayList<>();
            long ep;
            synchronized (this) {
                if (closed || m.generation != gen) {
                    return;
                }
                m.rampTask = null;
                diff(sm, timer.nanos(), effects);
                if (m.ramping()) {
                    scheduleRamp(sm, m);
                }
                ep = epoch;
            }
            apply(ep, effects);
        });
    }

    // ======================================================================================
    // Quorum, effects, events
    // ======================================================================================

    private void quorum(ServiceMonitor sm) {
        HealthConfig.ServiceHealth c = sm.config;
        int live = sm.liveWeight();
        if (sm.quorumUp && live < c.quorum() - c.hysteresis()) {
            sm.quorumUp = false;
            event(HealthEvent.Kind.QUORUM_DOWN, sm, "-", "live weight " + live + " below quorum " + c.quorum()
                    + (c.hysteresis() > 0 ? " − " + c.hysteresis() : "")
                    + (c.sorryServer() != null ? "; sorry server " + c.sorryServer().label() + " in use" : ""));
            if (!c.quorumDown().isEmpty()) {
                Notifier.run(c.quorumDown(), config.global().notifyTimeout());
            }
        } else if (!sm.quorumUp && live >= c.quorum() + c.hysteresis()) {
            sm.quorumUp = true;
            event(HealthEvent.Kind.QUORUM_UP, sm, "-", "live weight " + live + " reaches quorum " + c.quorum()
                    + (c.hysteresis() > 0 ? " + " + c.hysteresis() : "")
                    + (c.sorryServer() != null ? "; sorry server " + c.sorryServer().label() + " no longer used" : ""));
            if (!c.quorumUp().isEmpty()) {
                Notifier.run(c.quorumUp(), config.global().notifyTimeout());
            }
        }
    }

    /** Appends what the balancer must be told so that it matches this service's state. */
    private void diff(ServiceMonitor sm, long now, List<HealthActions.Effect> out) {
        ServiceKey key = sm.config.key();
        boolean sorry = sm.sorryActive();
        DestSpec ss = sm.config.sorryServer();
        // The sorry server first when it comes, last when it goes: the service never has no server at all.
        boolean sorryWanted = ss != null && (sorry || sm.config.sorryInhibit());
        if (ss != null && sorryWanted) {
            sorryEffects(sm, key, ss, true, sorry ? 1.0 : 0.0, out);
        }
        for (DestMonitor m : sm.dests.values()) {
            boolean present = m.wantsPresent();
            if (present) {
                if (!Boolean.TRUE.equals(m.appliedPresent)) {
                    out.add(new HealthActions.Present(key, m.spec));
                    m.appliedPresent = true;
                    m.appliedFactor = Double.NaN;
                }
                // keepalived takes every real server out while the sorry server stands in.
                double f = sorry ? 0.0 : m.factor(now);
                if (f != m.appliedFactor) {
                    out.add(new HealthActions.Factor(key, m.spec.address(), m.spec.port(), f));
                    m.appliedFactor = f;
                }
            } else if (!Boolean.FALSE.equals(m.appliedPresent)) {
                out.add(new HealthActions.Absent(key, m.spec));
                m.appliedPresent = false;
                m.appliedFactor = Double.NaN;
            }
        }
        if (ss != null && !sorryWanted) {
            sorryEffects(sm, key, ss, false, 0.0, out);
        }
    }

    private static void sorryEffects(ServiceMonitor sm, ServiceKey key, DestSpec ss, boolean present, double factor,
                                     List<HealthActions.Effect> out) {
        if (present) {
            if (!Boolean.TRUE.equals(sm.sorryPresent)) {
                out.add(new HealthActions.Present(key, ss));
                sm.sorryPresent = true;
                sm.sorryFactor = Double.NaN;
            }
            if (factor != sm.sorryFactor) {
                out.add(new HealthActions.Factor(key, ss.address(), ss.port(), factor));
                sm.sorryFactor = factor;
            }
        } else if (!Boolean.FALSE.equals(sm.sorryPresent)) {
            out.add(new HealthActions.Absent(key, ss));
            sm.sorryPresent = false;
            sm.sorryFactor = Double.NaN;
        }
    }

    private record Batch(long epoch, List<HealthActions.Effect> effects) {
    }

    /**
     * Queues effects and has them carried out by one flush on the timer thread: a burst of results (a
     * thousand servers failing at once) becomes a few trips through the director's lock, not one per server.
     */
    private void apply(long ep, List<HealthActions.Effect> effects) {
        if (effects.isEmpty()) {
            return;
        }
        synchronized (this) {
            pending.add(new Batch(ep, effects));
            if (flushScheduled) {
                return;
            }
            flushScheduled = true;
        }
        timer.execute(this::flush);
    }

    private void flush() {
        List<Batch> batches;
        synchronized (this) {
            batches = new ArrayList<>(pending);
            pending.clear();
            flushScheduled = false;
        }
        actions.locked(() -> {
            if (closed) {
                return; // the director closed while this flush waited for its lock
            }
            for (Batch b : batches) {
                // A reconfiguration came in between: its sync() told the balancer the newer state.
                if (b.epoch() == epoch) {
                    applyNow(b.effects());
                }
            }
        });
    }

    private void applyNow(List<HealthActions.Effect> effects) {
        for (HealthActions.Effect e : effects) {
            try {
                actions.apply(e);
            } catch (RuntimeException ex) {
                LOG.log(Level.ERROR, "health: could not apply " + e + ": " + ex.getMessage());
            }
        }
    }

    private void event(HealthEvent.Kind kind, ServiceMonitor sm, String dest, String reason) {
        events.add(new HealthEvent(kind, sm.config.key(), dest, reason, Instant.now()));
    }

    private void fireEvents() {
        List<HealthEvent> out;
        synchronized (this) {
            if (events.isEmpty()) {
                return;
            }
            out = new ArrayList<>(events);
            events.clear();
        }
        for (HealthEvent e : out) {
            try {
                notifier.fire(e);
            } catch (RuntimeException ex) {
                LOG.log(Level.ERROR, "health: notification failed: " + ex.getMessage());
            }
        }
    }

    // ======================================================================================
    // Views
    // ======================================================================================

    /** Every watched real server (sorry servers included), in configuration order. */
    public synchronized List<DestStatus> dests() {
        long now = timer.nanos();
        List<DestStatus> out = new ArrayList<>();
        for (ServiceMonitor sm : services.values()) {
            boolean sorry = sm.sorryActive();
            for (DestMonitor m : sm.dests.values()) {
                double f = m.wantsPresent() ? (sorry ? 0.0 : m.factor(now)) : 0.0;
                out.add(new DestStatus(sm.config.key(), m.spec, m.checker == null ? "none" : m.checker.type(), state(m, now, sorry),
                        m.wantsPresent(), f, m.last, m.lastAt == Long.MIN_VALUE ? -1 : (now - m.lastAt) / 1_000_000,
                        (now - m.since) / 1_000_000, m.failures, m.successes,
                        m.lastDurationNanos < 0 ? -1 : m.lastDurationNanos / 1_000));
            }
            DestSpec ss = sm.config.sorryServer();
            if (ss != null) {
                boolean present = sorry || sm.config.sorryInhibit();
                out.add(new DestStatus(sm.config.key(), ss, "sorry", sorry ? "SORRY" : "STANDBY", present, sorry ? 1.0 : 0.0,
                        null, -1, 0, 0, 0, -1));
            }
        }
        return out;
    }

    private static String state(DestMonitor m, long now, boolean sorry) {
        if (!m.up) {
            return "DOWN";
        }
        if (m.last != null && m.last.status() == CheckResult.Status.DRAIN) {
            return "DRAIN";
        }
        if (sorry) {
            return "UP(SORRY)";
        }
        return m.ramping() ? "UP(SLOW)" : "UP";
    }

    public synchronized List<ServiceStatus> services() {
        List<ServiceStatus> out = new ArrayList<>();
        for (ServiceMonitor sm : services.values()) {
            HealthConfig.ServiceHealth c = sm.config;
            out.add(new ServiceStatus(c.key(), sm.quorumUp, sm.liveWeight(), c.quorum(), c.hysteresis(), c.sorryServer(), sm.sorryActive()));
        }
        return out;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            for (ServiceMonitor sm : services.values()) {
                sm.dests.values().forEach(DestMonitor::cancel);
            }
        }
        runner.close();
        timer.close();
    }
}
