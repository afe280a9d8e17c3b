package org.jvs.feedback;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.Service;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.time.Clock;

/**
 * The thesis' Monitor Daemon (4.2): every interval, for each service with feedback on, it reads each real
 * server's figures (SNMP or the agent) and times a probe, turns them with the director's own new-connection
 * counters into AGGREGATE_LOAD, and hands the new weights to a {@link WeightSink} (the director's weight
 * arbiter) when they moved by more than the threshold.
 *
 * <p>Threads: one timer thread wakes twice a second and starts due rounds on virtual threads; a round's
 * collectors and probes run in parallel on virtual threads (at most {@value #MAX_PARALLEL} at once) and the
 * round waits for them at most one interval. Nothing here runs on, or waits for, the data path.
 *
 * <p>Rules from the thesis: servers whose configured weight is 0 are never queried nor adjusted; a server
 * whose collector or probe fails gets weight 0 until it answers again, and then starts over from its
 * configured weight; the cluster is "overloaded" when every adjusted weight is below its default and
 * "lightly loaded" when every one is near SCALE × default.
 */
public final class FeedbackMonitor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.jvs.feedback");
    static final int MAX_PARALLEL = 64;

    /** Receives feedback weights; -1 hands the configured weight back. */
    @FunctionalInterface
    public interface WeightSink {
        void feedback(ServiceKey service, IpAddr address, int port, int weight);
    }

    /** Reads one server's figures. */
    @FunctionalInterface
    public interface Sampler {
        Sample sample(CollectorSpec spec, String host) throws CollectorException;
    }

    /** Times one probe. */
    @FunctionalInterface
    public interface Prober {
        Duration probe(ProbeSpec spec, InetSocketAddress to) throws CollectorException;
    }

    private record DestKey(IpAddr address, int port) {}

    private static final class DestState {
        int configured;
        int weight;
        boolean unreachable;
        long lastConns = -1;
        DestStatus status;
        long statusMillis;
    }

    private static final class ServiceState {
        final Map<DestKey, DestState> dests = new LinkedHashMap<>();
        long lastRoundNanos;
        boolean started;
        volatile boolean running;
        ClusterState cluster = ClusterState.UNKNOWN;
        long rounds;
    }

    private final LoadBalancer lb;
    private final WeightSink sink;
    private final Clock clock;
    private final Sampler sampler;
    private final Prober prober;
    private final Map<ServiceKey, ServiceState> states = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore parallel = new Semaphore(MAX_PARALLEL);
    private volatile FeedbackConfig config = FeedbackConfig.NONE;
    private ScheduledExecutorService timer;

    public FeedbackMonitor(LoadBalancer lb, WeightSink sink, Clock clock, Sampler sampler, Prober prober) {
        this.lb = lb;
        this.sink = sink;
        this.clock = clock;
        this.sampler = sampler;
        this.prober = prober;
    }

    /** The production monitor: SNMP through one shared SNMP4J session (opened on first use), the agent, real probes. */
    public static FeedbackMonitor create(LoadBalancer lb, WeightSink sink) {
        return new FeedbackMonitor(lb, sink, Clock.SYSTEM, new RealSampler(), Probe::time);
    }

    /** SNMP or agent by the collector's kind; the SNMP socket is opened only when some server uses SNMP. */
    private static final class RealSampler implements Sampler, AutoCloseable {
        private SnmpCollector snmp;

        @Override
        public Sample sample(CollectorSpec spec, String host) throws CollectorException {
            return switch (spec) {
                case CollectorSpec.Agent a -> AgentCollector.collect(a, host);
                case CollectorSpec.SnmpV2c c -> snmp().collect(c, host);
                case CollectorSpec.SnmpV3 c -> snmp().collect(c, host);
            };
        }

        private synchronized SnmpCollector snmp() throws CollectorException {
            if (snmp == null) {
                try {
                    snmp = new SnmpCollector();
                } catch (IOException e) {
                    throw new CollectorException("snmp: cannot open a UDP socket: " + e.getMessage(), e);
                }
            }
            return snmp;
        }

        @Override
        public synchronized void close() {
            if (snmp != null) {
                snmp.close();
            }
        }
    }

    /** Takes a new configuration (start or reload); servers of services that lost feedback get their configured weight back. */
    public void configure(FeedbackConfig c) {
        this.config = c;
        for (var e : states.entrySet()) {
            if (c.settingsFor(e.getKey()).isEmpty()) {
                forgetService(e.getKey(), e.getValue());
            }
        }
    }

    public FeedbackConfig config() {
        return config;
    }

    /** Starts the interval timer. */
    public synchronized void start() {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("jvs-feedback").unstarted(r));
            timer.scheduleWithFixedDelay(this::tick, 500, 500, TimeUnit.MILLISECONDS);
        }
    }

    private void tick() {
        try {
            FeedbackConfig c = config;
            long now = clock.nanos();
            for (Service s : lb.services()) {
                Optional<FeedbackSettings> settings = c.settingsFor(s.key());
                if (settings.isEmpty()) {
                    continue;
                }
                ServiceState st = states.computeIfAbsent(s.key(), k -> new ServiceState());
                if (!st.running && (!st.started || now - st.lastRoundNanos >= settings.get().interval().toNanos())) {
                    st.running = true;
                    workers.execute(() -> {
                        try {
                            round(s.key());
                        } catch (RuntimeException e) {
                            LOG.log(Level.ERROR, "feedback round for " + s.key() + " failed", e);
                        } finally {
                            st.running = false;
                        }
                    });
                }
            }
            states.keySet().removeIf(k -> lb.service(k) == null);
        } catch (RuntimeException e) {
            // The timer must survive anything a round or a reload throws at it.
            LOG.log(Level.ERROR, "feedback timer", e);
        }
    }

    /**
     * One round for one service, now: what the timer runs every interval, and what tests call directly.
     * Returns the service's status afterwards, or null when feedback is off for it or it does not exist.
     */
    public ServiceStatus round(ServiceKey key) {
        FeedbackConfig c = config;
        Optional<FeedbackSettings> maybe = c.settingsFor(key);
        Service svc = lb.service(key);
        if (maybe.isEmpty() || svc == null) {
            return null;
        }
        FeedbackSettings set = maybe.get();
        ServiceState st = states.computeIfAbsent(key, k -> new ServiceState());
        synchronized (st) {
            st.started = true;
            st.lastRoundNanos = clock.nanos();
            st.rounds++;
            List<Dest> adjusted = prepare(key, svc, st);
            long[] newConns = new long[adjusted.size()];
            long sum = 0;
            int known = 0;
            for (int i = 0; i < adjusted.size(); i++) {
                Dest d = adjusted.get(i);
                DestState ds = st.dests.get(new DestKey(d.address(), d.port()));
                long conns = d.stats().totals().conns();
                // First sight, or counters zeroed (ipvsadm -Z) since: no interval to count over.
                newConns[i] = ds.lastConns >= 0 && conns >= ds.lastConns ? conns - ds.lastConns : -1;
                ds.lastConns = conns;
                if (newConns[i] >= 0) {
                    sum += newConns[i];
                    known++;
                }
            }
            List<Future<Reading>> readings = new ArrayList<>();
            for (Dest d : adjusted) {
                CollectorSpec cs = c.collectorFor(key, d.address(), d.port());
                ProbeSpec ps = c.probeFor(key, d.address(), d.port());
                readings.add(workers.submit(() -> read(cs, ps, d)));
            }
            long deadline = System.nanoTime() + set.interval().toNanos();
            int[] weights = new int[adjusted.size()];
            int[] defaults = new int[adjusted.size()];
            for (int i = 0; i < adjusted.size(); i++) {
                Dest d = adjusted.get(i);
                DestState ds = st.dests.get(new DestKey(d.address(), d.port()));
                Reading r = await(readings.get(i), deadline, d);
                double input = newConns[i] >= 0 ? FeedbackFormula.input(newConns[i], sum, known) : Double.NaN;
                apply(key, d, ds, set, r, input, newConns[i]);
                weights[i] = ds.weight;
                defaults[i] = ds.configured;
            }
            ClusterState cluster = FeedbackFormula.cluster(weights, defaults, set.scale());
            if (cluster != st.cluster) {
                Level level = cluster == ClusterState.OVERLOADED ? Level.WARNING : Level.INFO;
                LOG.log(level, key + ": " + cluster.advice());
                st.cluster = cluster;
            }
            return status(key, set, st);
        }
    }

    /** Settles which servers take part: configured weight above 0 and still present; resets changed ones. */
    private List<Dest> prepare(ServiceKey key, Service svc, ServiceState st) {
        List<Dest> adjusted = new ArrayList<>();
        Map<DestKey, DestState> seen = new LinkedHashMap<>();
        for (Dest d : svc.dests()) {
            DestKey k = new DestKey(d.address(), d.port());
            DestState ds = st.dests.get(k);
            int configured = d.spec().weight();
            if (configured == 0) {
                // The administrator quiesced it: hands off, and drop any weight we had said for it.
                if (ds != null) {
                    sink.feedback(key, d.address(), d.port(), -1);
                }
                continue;
            }
            if (ds == null || ds.configured != configured) {
                if (ds != null) {
                    sink.feedback(key, d.address(), d.port(), -1);
                }
                DestState fresh = new DestState();
                fresh.configured = configured;
                fresh.weight = configured;
                fresh.lastConns = ds == null ? -1 : ds.lastConns;
                ds = fresh;
            }
            seen.put(k, ds);
            adjusted.add(d);
        }
        st.dests.clear();
        st.dests.putAll(seen);
        return adjusted;
    }

    private record Reading(Sample sample, Duration response, String error) {}

    private Reading read(CollectorSpec cs, ProbeSpec ps, Dest d) {
        try {
            parallel.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reading(null, null, "interrupted");
        }
        try {
            Sample s = sampler.sample(cs, d.address().toString());
            int port = ps.port() != 0 ? ps.port() : d.port();
            Duration r = prober.probe(ps, new InetSocketAddress(d.address().toInetAddress(), port));
            return new Reading(s, r, null);
        } catch (CollectorException e) {
            return new Reading(null, null, e.getMessage());
        } catch (RuntimeException e) {
            return new Reading(null, null, "collector failed: " + e);
        } finally {
            parallel.release();
        }
    }

    private static Reading await(Future<Reading> f, long deadline, Dest d) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Reading(null, null, "no figures from " + d.label() + " within the interval");
        } catch (ExecutionException e) {
            return new Reading(null, null, "collector failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reading(null, null, "interrupted");
        }
    }

    private void apply(ServiceKey key, Dest d, DestState ds, FeedbackSettings set, Reading r, double input, long newConns) {
        ds.statusMillis = clock.millis();
        int previous = ds.weight;
        if (r.error() != null) {
            // Thesis 4.2.3: no answer within the interval means unreachable: weight 0, no new connections.
            if (!ds.unreachable) {
                LOG.log(Level.WARNING, key + " " + d.label() + " unreachable, weight 0 until it answers: " + r.error());
                sink.feedback(key, d.address(), d.port(), 0);
            }
            ds.unreachable = true;
            ds.weight = 0;
            ds.status = new DestStatus(d.address(), d.port(), ds.configured, previous, 0, d.weight(), null, null, Double.NaN, newConns, -1,
                    r.error(), 0);
            return;
        }
        double[] metrics = FeedbackFormula.normalise(input, r.sample(), r.response(), set.rightLoad());
        double aggregate = FeedbackFormula.aggregate(set.coefficients(), metrics);
        String error = null;
        if (Double.isNaN(aggregate)) {
            error = "no figure with a coefficient above 0 was reported; weight left as it was";
        } else {
            // Back from unreachable: start over from the configured weight, as a server newly put in service.
            int current = ds.unreachable ? ds.configured : ds.weight;
            int next = FeedbackFormula.nextWeight(current, aggregate, set.a(), set.scale(), ds.configured);
            if (ds.unreachable) {
                LOG.log(Level.INFO, key + " " + d.label() + " answers again, weight " + next);
                ds.unreachable = false;
                ds.weight = next;
                sink.feedback(key, d.address(), d.port(), next);
            } else if (FeedbackFormula.worthWriting(next, current, set.threshold())) {
                ds.weight = next;
                sink.feedback(key, d.address(), d.port(), next);
            }
        }
        ds.status = new DestStatus(d.address(), d.port(), ds.configured, previous, ds.weight, d.weight(), r.sample(), metrics, aggregate,
                newConns, r.response().toNanos(), error, 0);
    }

    private ServiceStatus status(ServiceKey key, FeedbackSettings set, ServiceState st) {
        List<DestStatus> out = new ArrayList<>();
        long now = clock.millis();
        Service svc = lb.service(key);
        for (var e : st.dests.entrySet()) {
            DestStatus s = e.getValue().status;
            if (s != null) {
                Dest d = svc == null ? null : svc.dest(s.address(), s.port());
                out.add(new DestStatus(s.address(), s.port(), s.configuredWeight(), s.previousWeight(), s.weight(), d == null ? s.effectiveWeight() : d.weight(),
                        s.sample(), s.metrics(), s.aggregate(), s.newConnections(), s.responseNanos(), s.error(),
                        now - e.getValue().statusMillis));
            }
        }
        return new ServiceStatus(key, set, st.cluster, st.rounds, out);
    }

    /** Every service with feedback on, in the balancer's order, as its last round left it. */
    public List<ServiceStatus> status() {
        FeedbackConfig c = config;
        List<ServiceStatus> out = new ArrayList<>();
        for (Service s : lb.services()) {
            Optional<FeedbackSettings> set = c.settingsFor(s.key());
            if (set.isPresent()) {
                ServiceState st = states.get(s.key());
                if (st == null) {
                    out.add(new ServiceStatus(s.key(), set.get(), ClusterState.UNKNOWN, 0, List.of()));
                } else {
                    synchronized (st) {
                        out.add(status(s.key(), set.get(), st));
                    }
                }
            }
        }
        return out;
    }

    private void forgetService(ServiceKey key, ServiceState st) {
        synchronized (st) {
            for (DestKey k : st.dests.keySet()) {
                sink.feedback(key, k.address(), k.port(), -1);
            }
            st.dests.clear();
            st.cluster = ClusterState.UNKNOWN;
        }
        states.remove(key);
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        workers.shutdownNow();
        if (sampler instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing the collectors: " + e.getMessage());
            }
        }
    }
}
