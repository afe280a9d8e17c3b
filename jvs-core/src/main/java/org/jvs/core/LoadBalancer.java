package org.jvs.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jvs.core.conn.ConnTable;
import org.jvs.core.conn.SyncQueue;
import org.jvs.core.conn.TcpState;
import org.jvs.core.conn.TcpStateMachine;
import org.jvs.core.conn.Timeouts;
import org.jvs.core.defense.AvailableMemory;
import org.jvs.core.defense.DefenseState;
import org.jvs.core.model.ConfigException;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Persistence;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.sched.Flow;
import org.jvs.core.sched.PerRequestScheduler;
import org.jvs.core.sched.Scheduler;
import org.jvs.core.sched.SchedulerContext;
import org.jvs.core.sched.Schedulers;
import org.jvs.core.stats.RateEstimator;
import org.jvs.core.stats.Stats;
import org.jvs.core.time.Clock;
import org.jvs.core.view.DestView;
import org.jvs.core.view.ServiceView;
import org.jvs.core.view.Snapshot;

/**
 * The IPVS core behind one façade: the single entry point for every engine, the CLI, the API and the
 * console.
 *
 * <p><b>Control plane</b> ({@code add/edit/delete...}, listings, {@link #housekeeping}): one control thread
 * at a time (the methods are synchronized). Every change is validated completely before anything is
 * touched: a {@link ConfigException} means the model is exactly as it was.
 *
 * <p><b>Data plane</b> ({@link #inbound}, {@link #outbound}): any number of threads, each with its own
 * {@link Flow} and {@link Decision}. They read what the control plane published (service table, dest
 * arrays, scheduler state) and the connection tables; nothing on that path allocates or blocks.
 */
public final class LoadBalancer {

    /**
     * Sizing and defense inputs.
     *
     * @param connCapacity     IPv4 connection entries (connections plus persistence templates)
     * @param connCapacityV6   IPv6 connection entries
     * @param memoryThreshold  available-memory threshold of the DoS defenses (IPVS amemthresh), bytes
     * @param availableMemory  where the defenses read available memory (injected in tests)
     */
    public record Options(int connCapacity, int connCapacityV6, long memoryThreshold, LongSupplier availableMemory) {
        public static final Options DEFAULT = new Options(1 << 20, 1 << 16, 4L << 20, AvailableMemory::fromProcMeminfo);

        public Options withCapacity(int v4, int v6) {
            return new Options(v4, v6, memoryThreshold, availableMemory);
        }

        public Options withMemory(long threshold, LongSupplier available) {
            return new Options(connCapacity, connCapacityV6, threshold, available);
        }
    }

    private final Clock clock;
    private final DestRegistry dests = new DestRegistry();
    private final Timeouts timeouts = new Timeouts();
    private final ConnTable conns4;
    private final ConnTable conns6;
    private final DefenseState defense;
    private final RateEstimator rates;
    private final Stats stats = new Stats();

    private final Map<ServiceKey, Service> services = new LinkedHashMap<>();
    private volatile ServiceTable serviceTable = ServiceTable.EMPTY;
    private volatile List<Service> serviceList = List.of();
    private int nextServiceId;
    private volatile boolean expireNodestConn;
    private volatile boolean expireQuiescentTemplate;
    private long lastEstimateMillis;
    /** The sync master's queue, or null when this director sends no connections. */
    private volatile SyncQueue syncQueue;

    public LoadBalancer(Options options, Clock clock) {
        this.clock = clock;
        this.conns4 = new ConnTable(options.connCapacity(), false, clock, timeouts, dests);
        this.conns6 = new ConnTable(options.connCapacityV6(), true, clock, timeouts, dests);
        LongSupplier system = options.availableMemory();
        this.defense = new DefenseState(() -> availableForConnections(system), options.memoryThreshold());
        this.rates = new RateEstimator(clock);
        this.rates.register(stats);
        this.lastEstimateMillis = clock.millis();
    }

    public LoadBalancer() {
        this(Options.DEFAULT, Clock.SYSTEM);
    }

    // ======================================================================================
    // Control plane: services
    // ======================================================================================

    /** {@code ipvsadm -A}: adds a service with no real servers. */
    public synchronized Service addService(ServiceSpec spec) {
        if (services.containsKey(spec.key())) {
            throw new ConfigException("service " + spec.key() + " already exists");
        }
        Scheduler scheduler = newScheduler(spec);
        Service s = new Service(nextServiceId++, spec, scheduler);
        scheduler.update(s.dests());
        services.put(spec.key(), s);
        rates.register(s.stats());
        publishServices();
        return s;
    }

    /** {@code ipvsadm -E}: changes scheduler, persistence and flags; real servers and connections stay. */
    public synchronized Service editService(ServiceSpec spec) {
        Service s = requireService(spec.key());
        Scheduler scheduler = s.scheduler();
        ServiceSpec old = s.spec();
        boolean rebuild = !old.scheduler().equals(spec.scheduler()) || !old.flags().equals(spec.flags())
                || old.mhTableSize() != spec.mhTableSize() || !old.proximity().equals(spec.proximity());
        if (rebuild) {
            scheduler = newScheduler(spec);
        }
        for (Dest d : s.dests()) {
            checkFamily(spec.key(), d.spec());
        }
        s.replace(spec, scheduler);
        return s;
    }

    /** {@code ipvsadm -D}: removes a service; its connections finish on their own (their dests retire). */
    public synchronized void deleteService(ServiceKey key) {
        Service s = requireService(key);
        services.remove(key);
        for (Dest d : s.dests()) {
            d.retire();
            rates.unregister(d.stats());
            if (expireNodestConn) {
                conns4.killDest(d.id());
                conns6.killDest(d.id());
            }
        }
        rates.unregister(s.stats());
        publishServices();
    }

    /**
     * Real servers removed from their service ({@code -d}, {@code -D}) that connections or templates still refer
     * to (ipvsadm's trash), until housekeeping finds them idle. An engine that recognises replies by the server's
     * address must keep doing so for these: their connections go on.
     */
    public List<Dest> retiredDests() {
        return dests.retired();
    }

    /** {@code ipvsadm -C}: removes every service. */
    public synchronized void clear() {
        for (ServiceKey k : new ArrayList<>(services.keySet())) {
            deleteService(k);
        }
    }

    public synchronized Service service(ServiceKey key) {
        return services.get(key);
    }

    /** Services in the order they were added. */
    public List<Service> services() {
        return serviceList;
    }

    private Scheduler newScheduler(ServiceSpec spec) {
        if (spec.engine() == org.jvs.core.model.Engine.HTTP) {
            return new PerRequestScheduler(spec.scheduler()); // the http engine validates and runs the name
        }
        return Schedulers.create(spec.scheduler(), new SchedulerContext(spec, clock));
    }

    private Service requireService(ServiceKey key) {
        Service s = services.get(key);
        if (s == null) {
            throw new ConfigException("no service " + key);
        }
        return s;
    }

    private void publishServices() {
        serviceList = List.copyOf(services.values());
        serviceTable = ServiceTable.build(serviceList);
    }

    // ======================================================================================
    // Control plane: real servers
    // ======================================================================================

    /** {@code ipvsadm -a}: adds a real server to a service. */
    public synchronized Dest addDest(ServiceKey key, DestSpec spec) {
        Service s = requireService(key);
        DestSpec effective = normalize(s, spec);
        if (s.dest(effective.address(), effective.port()) != null) {
            throw new ConfigException("real server " + effective.label() + " already exists in service " + key);
        }
        Dest d = new Dest(dests.allocate(), s, effective);
        dests.put(d);
        Dest[] old = s.dests();
        Dest[] next = java.util.Arrays.copyOf(old, old.length + 1);
        next[old.length] = d;
        s.dests(next);
        rates.register(d.stats());
        return d;
    }

    /** {@code ipvsadm -e}: changes weight, thresholds or forwarding method of a real server. */
    public synchronized Dest editDest(ServiceKey key, DestSpec spec) {
        Service s = requireService(key);
        DestSpec effective = normalize(s, spec);
        Dest d = s.dest(effective.address(), effective.port());
        if (d == null) {
            throw new ConfigException("no real server " + effective.label() + " in service " + key);
        }
        d.apply(effective);
        s.refreshScheduler();
        return d;
    }

    /**
     * {@code ipvsadm -d}: removes a real server. Its connections keep going to it until they end (or, with
     * {@code expire_nodest_conn}, are dropped at their next packet and killed now).
     */
    public synchronized void deleteDest(ServiceKey key, IpAddr address, int port) {
        Service s = requireService(key);
        int p = forcedPort(s, address, port);
        Dest d = s.dest(address, p);
        if (d == null) {
            throw new ConfigException("no real server " + address.withPort(p) + " in service " + key);
        }
        List<Dest> next = new ArrayList<>(List.of(s.dests()));
        next.remove(d);
        d.retire();
        s.dests(next.toArray(new Dest[0]));
        rates.unregister(d.stats());
        if (expireNodestConn) {
            conns4.killDest(d.id());
            conns6.killDest(d.id());
        }
    }

    /**
     * Sets the weight schedulers use without touching the configured one: for health checks
     * (inhibit_on_failure) and dynamic feedback. Returns the dest.
     */
    public synchronized Dest setEffectiveWeight(ServiceKey key, IpAddr address, int port, int weight) {
        Service s = requireService(key);
        int p = forcedPort(s, address, port);
        Dest d = s.dest(address, p);
        if (d == null) {
            throw new ConfigException("no real server " + address.withPort(p) + " in service " + key);
        }
        if (weight < 0 || weight > DestSpec.MAX_WEIGHT) {
            throw new ConfigException("weight " + weight + " out of range 0.." + DestSpec.MAX_WEIGHT);
        }
        d.effectiveWeight(weight);
        s.refreshScheduler();
        return d;
    }

    /** Applies the rules of S2: DR/TUN/local keep the service port; families mix only through tunnels. */
    private DestSpec normalize(Service s, DestSpec spec) {
        checkFamily(s.key(), spec);
        return spec.normalizedFor(s.key());
    }

    private int forcedPort(Service s, IpAddr address, int port) {
        // Deleting by address: a DR/TUN dest was stored with the service port whatever the user typed.
        Dest exact = s.dest(address, port);
        if (exact != null) {
            return port;
        }
        int servicePort = s.key() instanceof ServiceKey.Virtual v ? v.port() : 0;
        Dest atServicePort = s.dest(address, servicePort);
        return atServicePort != null && atServicePort.method().keepsServicePort() ? servicePort : port;
    }

    private static void checkFamily(ServiceKey key, DestSpec spec) {
        if (spec.address().v6() != key.v6() && !(spec.method() instanceof ForwardingMethod.Tunnel)) {
            throw new ConfigException("real server " + spec.label() + " is " + (spec.address().v6() ? "IPv6" : "IPv4")
                    + " but service " + key + " is " + (key.v6() ? "IPv6" : "IPv4")
                    + ": address families can only be mixed with tunnelling (-i)");
        }
    }

    // ======================================================================================
    // Control plane: settings, statistics, listings
    // ======================================================================================

    public Timeouts timeouts() {
        return timeouts;
    }

    public DefenseState defense() {
        return defense;
    }

    /**
     * Below this share of free entries (1/20: 5 %) in either connection table the DoS defences see memory as
     * low. IPVS allocates each entry, so memory is what runs out under a flood; JVS's entries live in tables of
     * fixed capacity, and a table filling up is the same emergency long before the machine's memory is short.
     */
    public static final int TABLE_LOW_WATER_DIVISOR = 20;

    /**
     * What the defences compare with amemthresh: the system's available memory, or less when a connection table
     * is within its low water: then the table's free share, scaled so that free entries at the low water count as
     * the threshold and none as nothing (drop_packet's automatic rate then grows to "all" as the table fills,
     * exactly as it does when memory runs out).
     */
    private long availableForConnections(LongSupplier system) {
        long sys = system.getAsLong();
        long table = Math.min(tableRoom(conns4), tableRoom(conns6));
        if (table == Long.MAX_VALUE) {
            return sys;
        }
        return sys < 0 ? table : Math.min(sys, table);
    }

    private long tableRoom(ConnTable t) {
        long lowWater = Math.max(1, t.capacity() / TABLE_LOW_WATER_DIVISOR);
        long free = Math.max(0, t.capacity() - t.size());
        return free >= lowWater ? Long.MAX_VALUE : (long) ((double) defense.threshold() * free / lowWater);
    }

    /** Director-wide totals. */
    public Stats stats() {
        return stats;
    }

    /** The real server with {@code id} ({@link Dest#id}), or null: for engines that keep ids, not objects. */
    public Dest dest(int id) {
        return dests.get(id);
    }

    public ConnTable connTable(boolean v6) {
        return v6 ? conns6 : conns4;
    }

    /** IPVS {@code expire_nodest_conn}: drop (and forget) connections whose real server was removed. */
    public void expireNodestConn(boolean on) {
        expireNodestConn = on;
    }

    public boolean expireNodestConn() {
        return expireNodestConn;
    }

    /** IPVS {@code expire_quiescent_template}: a template to a weight-0 server no longer holds its clients. */
    public void expireQuiescentTemplate(boolean on) {
        expireQuiescentTemplate = on;
    }

    public boolean expireQuiescentTemplate() {
        return expireQuiescentTemplate;
    }

    /** {@code ipvsadm -Z}: all counters of the director, its services and their servers. */
    public synchronized void zero() {
        stats.zero();
        for (Service s : services.values()) {
            zero(s);
        }
    }

    /** {@code ipvsadm -Z -t ...}: counters of one service and its servers. */
    public synchronized void zero(ServiceKey key) {
        zero(requireService(key));
    }

    private static void zero(Service s) {
        s.stats().zero();
        for (Dest d : s.dests()) {
            d.stats().zero();
        }
    }

    /** A consistent copy of services, servers, counts, statistics and timeouts for listings. */
    public synchronized Snapshot snapshot() {
        List<ServiceView> views = new ArrayList<>();
        for (Service s : services.values()) {
            List<DestView> ds = new ArrayList<>();
            for (Dest d : s.dests()) {
                ds.add(new DestView(d.spec(), d.weight(), d.activeConns(), d.inactiveConns(), d.persistentConns(),
                        d.isOverloaded(), d.stats().totals(), d.stats().rates()));
            }
            views.add(new ServiceView(s.spec(), s.stats().totals(), s.stats().rates(), ds));
        }
        return new Snapshot(conns4.buckets(), timeouts.view(), stats.totals(), stats.rates(), views);
    }

    /** Every connection and template, IPv4 first ({@code ipvsadm -L -c}). */
    public List<ConnEntry> connections() {
        List<ConnEntry> out = new ArrayList<>();
        collect(conns4, out);
        collect(conns6, out);
        return out;
    }

    private void collect(ConnTable t, List<ConnEntry> out) {
        boolean v6 = t.isV6();
        t.forEach(i -> {
            boolean template = t.isTemplate(i);
            int proto = t.protocol(i);
            Dest d = dests.get(t.destId(i));
            IpAddr daddr = d != null ? d.address() : new IpAddr(t.destHi(i), t.destLo(i), v6);
            String state = template ? "NONE" : stateLabel(proto, t.state(i));
            String method = d != null ? d.method().ipvsadmName() : "";
            ConnEntry e = new ConnEntry(proto, state, t.expiresIn(i), new IpAddr(t.clientHi(i), t.clientLo(i), v6), t.clientPort(i),
                    new IpAddr(t.virtualHi(i), t.virtualLo(i), v6), t.virtualPort(i), daddr, t.destPort(i), template, method);
            if (t.isLive(i)) {
                out.add(e);
            }
        });
    }

    /** ipvsadm's state column: the TCP state, or the protocol name for UDP and SCTP entries. */
    private static String stateLabel(int proto, int state) {
        return switch (proto) {
            case 6 -> TcpState.of(state).label();
            case 17 -> "UDP";
            default -> "SCTP";
        };
    }

    /**
     * Where would this flow go now, and why? Moves no state: no connection is created, no round-robin
     * position advances, no locality cache changes.
     */
    public FlowAnswer lookupFlow(Flow f) {
        ConnTable t = f.v6 ? conns6 : conns4;
        int idx = t.lookupIn(f.protocol, f.srcHi, f.srcLo, f.srcPort, f.dstHi, f.dstLo, f.dstPort);
        if (idx >= 0) {
            Dest d = dests.get(t.destId(idx));
            String state = stateLabel(f.protocol, t.state(idx));
            return new FlowAnswer(d, FlowAnswer.Reason.EXISTING_CONNECTION, "connection in state " + state + ", expires in " + t.expiresIn(idx) + " s");
        }
        Service svc = serviceTable.lookup(f);
        if (svc == null) {
            return new FlowAnswer(null, FlowAnswer.Reason.NO_SERVICE, "no virtual service matches " + f.dst().withPort(f.dstPort));
        }
        Persistence p = svc.spec().persistence();
        if (p != null) {
            TemplateKey k = templateKey(svc, f, p);
            int ti = t.lookupTemplate(k.proto, k.cHi, k.cLo, k.vHi, k.vLo, k.vport);
            Dest d = ti >= 0 ? dests.get(t.destId(ti)) : null;
            if (d != null && templateUsable(d)) {
                return new FlowAnswer(d, FlowAnswer.Reason.PERSISTENCE_TEMPLATE,
                        "persistent client " + new IpAddr(k.cHi, k.cLo, f.v6) + "/" + p.prefixLength() + ", template expires in " + t.expiresIn(ti) + " s");
            }
        }
        Dest d = svc.scheduler().preview(f);
        if (d == null) {
            return new FlowAnswer(null, FlowAnswer.Reason.NO_USABLE_DEST, "service " + svc.key() + " has no usable real server");
        }
        return new FlowAnswer(d, FlowAnswer.Reason.SCHEDULER, svc.scheduler().name() + " of service " + svc.key());
    }

    // ======================================================================================
    // Housekeeping (once a second, one thread)
    // ======================================================================================

    /**
     * Once a second: expires connections, re-evaluates the DoS defenses (and drops entries if drop_entry is
     * in force), lets schedulers age their caches, estimates rates every two seconds, and frees the ids of
     * removed servers whose last connection is gone.
     */
    public void housekeeping() {
        conns4.expire();
        conns6.expire();
        defense.update();
        if (defense.dropEntryActive()) {
            conns4.dropRandomEntries();
            conns6.dropRandomEntries();
        }
        for (Service s : serviceList) {
            s.scheduler().housekeeping();
        }
        long now = clock.millis();
        if (now - lastEstimateMillis >= 2000) {
            rates.estimate();
            lastEstimateMillis = now;
        }
        synchronized (this) {
            dests.reclaim();
        }
    }

    // ======================================================================================
    // Data plane
    // ======================================================================================

    /**
     * A client-to-service packet: finds its connection or schedules a new one (with persistence), advances
     * TCP state, refreshes the timeout and counts it. The result is in {@code out}.
     *
     * @param tcpFlags the TCP header flags (0 for UDP/SCTP)
     * @param bytes    the IP packet length, for the byte counters
     */
    public void inbound(Flow f, int tcpFlags, int bytes, Decision out) {
        out.reset(f.v6);
        ConnTable t = f.v6 ? conns6 : conns4;
        boolean secure = defense.secureTcpActive();
        if (f.protocol == 6 && (tcpFlags & (TcpStateMachine.SYN | TcpStateMachine.ACK | TcpStateMachine.RST)) == TcpStateMachine.SYN) {
            reuseClosedEntry(t, f);
        }
        int idx = t.touchIn(f.protocol, f.srcHi, f.srcLo, f.srcPort, f.dstHi, f.dstLo, f.dstPort, tcpFlags, secure);
        if (idx >= 0) {
            if ((idx & ConnTable.SYNC_DUE) != 0) {
                idx &= ConnTable.INDEX_MASK;
                queueSync(idx, f.v6);
            }
            Dest d = dests.get(t.destId(idx));
            if (d == null || (!d.isAvailable() && expireNodestConn)) {
                t.kill(idx);
                out.verdict = Decision.DROP;
                return;
            }
            out.verdict = Decision.ACCEPT;
            out.conn = idx;
            out.dest = d;
            out.service = d.service();
            countIn(d, bytes);
            return;
        }
        Service svc = serviceTable.lookup(f);
        if (svc == null) {
            return;
        }
        out.service = svc;
        if (f.protocol == 6 && (tcpFlags & (TcpStateMachine.SYN | TcpStateMachine.RST)) != TcpStateMachine.SYN) {
            // IPVS schedules TCP only on a SYN (SYN+ACK included, for active FTP); stray segments get no server.
            out.verdict = Decision.NO_CONN;
            return;
        }
        if (defense.shouldDropPacket()) {
            out.verdict = Decision.DROP;
            return;
        }
        Persistence p = svc.spec().persistence();
        Dest d;
        int template = -1;
        if (p == null) {
            d = svc.scheduler().schedule(f);
        } else {
            TemplateKey k = templateKey(svc, f, p);
            // Both calls below hand us a reference on the template; the new connection takes it over, and
            // every path that creates no connection gives it back.
            template = t.touchTemplate(k.proto, k.cHi, k.cLo, k.vHi, k.vLo, k.vport);
            d = template >= 0 ? dests.get(t.destId(template)) : null;
            if (template >= 0 && (d == null || !templateUsable(d))) {
                t.releaseTemplate(template);
                t.kill(template);
                template = -1;
                d = null;
            }
            if (template < 0) {
                d = svc.scheduler().schedule(f);
                if (d != null) {
                    template = t.insertTemplate(k.proto, k.cHi, k.cLo, k.vHi, k.vLo, k.vport,
                            d.address().hi(), d.address().lo(), d.port(), d.id());
                    if (template < 0) {
                        out.verdict = Decision.DROP;
                        return;
                    }
                }
            }
        }
        if (d == null) {
            out.verdict = Decision.NO_DEST;
            return;
        }
        bind(t, svc, d, template, f, tcpFlags, bytes, secure, true, out);
    }

    /**
     * A new SYN on a client port whose previous connection is still in the table, closed (TIME_WAIT or
     * CLOSE): as IPVS with its default {@code conn_reuse_mode=1}, forget the old entry so the SYN is
     * scheduled afresh, instead of riding the old entry to a server that may have been quiesced or removed
     * since. Entries under a persistence template are kept: persistence would pick the same server anyway.
     * Costs one extra lookup, on connection-opening SYNs only.
     */
    private static void reuseClosedEntry(ConnTable t, Flow f) {
        int old = t.lookupIn(f.protocol, f.srcHi, f.srcLo, f.srcPort, f.dstHi, f.dstLo, f.dstPort);
        if (old >= 0 && t.template(old) < 0) {
            int st = t.state(old);
            if (st == TcpState.TIME_WAIT.ordinal() || st == TcpState.CLOSE.ordinal()) {
                t.kill(old);
            }
        }
    }

    /**
     * For relaying engines: the flow's connection will never carry anything (every server refused it, the
     * client gave up): drop its entry now instead of letting it sit out its timeout. No-op if unknown.
     */
    public void forget(Flow f) {
        ConnTable t = f.v6 ? conns6 : conns4;
        int idx = t.lookupIn(f.protocol, f.srcHi, f.srcLo, f.srcPort, f.dstHi, f.dstLo, f.dstPort);
        if (idx >= 0) {
            t.kill(idx);
        }
    }

    /**
     * For relaying engines: opening the connection to {@code failed} did not work. Forgets the flow's entry
     * (and a persistence template that points at that server) and binds the flow, as a new connection, to
     * the next usable server after it in list order. Verdict NO_DEST when no other server is usable.
     */
    public void retry(Flow f, Dest failed, int tcpFlags, Decision out) {
        out.reset(f.v6);
        ConnTable t = f.v6 ? conns6 : conns4;
        int idx = t.lookupIn(f.protocol, f.srcHi, f.srcLo, f.srcPort, f.dstHi, f.dstLo, f.dstPort);
        if (idx >= 0) {
            t.kill(idx);
        }
        Service svc = failed.service();
        out.service = svc;
        Dest[] ds = svc.dests();
        Dest d = null;
        int from = java.util.Arrays.asList(ds).indexOf(failed);
        for (int k = 1; k <= ds.length && d == null; k++) {
            Dest c = ds[Math.floorMod(from + k, ds.length)];
            if (c != failed && c.isUsable()) {
                d = c;
            }
        }
        if (d == null) {
            out.verdict = Decision.NO_DEST;
            return;
        }
        int template = -1;
        Persistence p = svc.spec().persistence();
        if (p != null) {
            TemplateKey k = templateKey(svc, f, p);
            int old = t.lookupTemplate(k.proto, k.cHi, k.cLo, k.vHi, k.vLo, k.vport);
            if (old >= 0 && t.destId(old) == failed.id()) {
                t.kill(old);
            }
            template = t.insertTemplate(k.proto, k.cHi, k.cLo, k.vHi, k.vLo, k.vport, d.address().hi(), d.address().lo(), d.port(), d.id());
            if (template < 0) {
                out.verdict = Decision.DROP;
                return;
            }
        }
        // The client's connection was counted at the service and director when first scheduled.
        bind(t, svc, d, template, f, tcpFlags, 0, defense.secureTcpActive(), false, out);
    }

    /** Creates the connection of a scheduled flow (or, one-packet, none) and counts it. */
    private void bind(ConnTable t, Service svc, Dest d, int template, Flow f, int tcpFlags, int bytes, boolean secure,
                      boolean newClientConnection, Decision out) {
        out.dest = d;
        out.verdict = Decision.ACCEPT;
        int dport = d.port() != 0 ? d.port() : f.dstPort;
        if (svc.spec().onePacket() && f.protocol == 17) {
            // One-packet scheduling: every datagram scheduled on its own, nothing remembered.
            if (template >= 0) {
                t.releaseTemplate(template);
            }
            countNew(svc, d, bytes, newClientConnection);
            return;
        }
        ForwardingMethod m = d.method();
        boolean noOutput = !(m instanceof ForwardingMethod.Nat || m instanceof ForwardingMethod.FullNat);
        // Mixed-family tunnels cannot store the server address in this family's slot; it comes from the dest.
        boolean sameFamily = d.address().v6() == f.v6;
        int idx = t.insert(f.protocol, f.srcHi, f.srcLo, f.srcPort, f.dstHi, f.dstLo, f.dstPort,
                sameFamily ? d.address().hi() : 0, sameFamily ? d.address().lo() : 0, dport,
                f.srcHi, f.srcLo, f.srcPort, m.code(), noOutput, d.id(), template, tcpFlags, secure);
        if (idx < 0) {
            if (template >= 0) {
                t.releaseTemplate(template);
            }
            out.verdict = Decision.DROP;
            return;
        }
        if ((idx & ConnTable.SYNC_DUE) != 0) {
            idx &= ConnTable.INDEX_MASK;
            queueSync(idx, f.v6);
        }
        out.conn = idx;
        out.created = true;
        countNew(svc, d, bytes, newClientConnection);
    }

    /**
     * A server-to-client packet seen by the director (NAT, FullNAT): matched by its reply tuple, source =
     * real server, destination = client (or the FullNAT local address). Verdict NOT_OURS when unknown.
     */
    public void outbound(Flow f, int tcpFlags, int bytes, Decision out) {
        out.reset(f.v6);
        ConnTable t = f.v6 ? conns6 : conns4;
        int idx = t.touchOut(f.protocol, f.srcHi, f.srcLo, f.srcPort, f.dstHi, f.dstLo, f.dstPort, tcpFlags, defense.secureTcpActive());
        if (idx < 0) {
            return;
        }
        Dest d = dests.get(t.destId(idx));
        if (d == null) {
            return;
        }
        accept(out, idx, d);
        countOut(d, bytes);
    }

    /**
     * An ICMP error toward a service that quotes one of its connections' packets to the client: {@code f} is
     * that connection's client-side tuple (client to VIP:vport, read from the quoted packet with source and
     * destination turned round). Found (verdict ACCEPT, {@code dest} and {@code conn} set), it is counted as one
     * inbound packet of {@code bytes}, as IPVS counts the ICMP it forwards; the connection's state and timeout do
     * not move (an error is not one of its packets). Unknown: NOT_OURS.
     */
    public void relatedInbound(Flow f, int bytes, Decision out) {
        out.reset(f.v6);
        ConnTable t = f.v6 ? conns6 : conns4;
        int idx = t.lookupIn(f.protocol, f.srcHi, f.srcLo, f.srcPort, f.dstHi, f.dstLo, f.dstPort);
        Dest d = idx >= 0 ? dests.get(t.destId(idx)) : null;
        if (d == null) {
            return;
        }
        accept(out, idx, d);
        countIn(d, bytes);
    }

    /**
     * An ICMP error from a real server (NAT, FullNAT) quoting a packet of a connection to it: {@code f} is the
     * connection's reply tuple (server to client, the quoted packet turned round). Found: ACCEPT, counted as one
     * outbound packet; state and timeout unchanged. Unknown: NOT_OURS.
     */
    public void relatedOutbound(Flow f, int bytes, Decision out) {
        out.reset(f.v6);
        ConnTable t = f.v6 ? conns6 : conns4;
        int idx = t.lookupOut(f.protocol, f.srcHi, f.srcLo, f.srcPort, f.dstHi, f.dstLo, f.dstPort);
        Dest d = idx >= 0 ? dests.get(t.destId(idx)) : null;
        if (d == null) {
            return;
        }
        accept(out, idx, d);
        countOut(d, bytes);
    }

    private static void accept(Decision out, int idx, Dest d) {
        out.verdict = Decision.ACCEPT;
        out.conn = idx;
        out.dest = d;
        out.service = d.service();
    }

    private void countOut(Dest d, int bytes) {
        d.stats().outbound(bytes);
        d.service().stats().outbound(bytes);
        stats.outbound(bytes);
    }

    private void countIn(Dest d, int bytes) {
        d.stats().inbound(bytes);
        d.service().stats().inbound(bytes);
        stats.inbound(bytes);
    }

    private void countNew(Service svc, Dest d, int bytes, boolean newClientConnection) {
        d.stats().connection();
        if (newClientConnection) {
            svc.stats().connection();
            stats.connection();
        }
        countIn(d, bytes);
    }

    private boolean templateUsable(Dest d) {
        return d.isAvailable() && !(expireQuiescentTemplate && d.weight() == 0);
    }

    /**
     * The persistence template key: {@code (proto, client & mask, vaddr, vport)}, or for a firewall-mark
     * service {@code (0, client & mask, mark, 0)} so that all its ports share one template. A port-0
     * service has vport 0 in its key, so the client keeps its server across every port.
     */
    private static TemplateKey templateKey(Service svc, Flow f, Persistence p) {
        TemplateKey k = TEMPLATE_KEYS.get();
        if (f.v6) {
            k.cHi = f.srcHi & IpAddr.maskHi(p.prefixLength());
            k.cLo = f.srcLo & IpAddr.maskLo(p.prefixLength());
        } else {
            int prefix = Math.min(p.prefixLength(), 32);
            k.cHi = 0;
            k.cLo = prefix == 0 ? 0 : f.srcLo & ((0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL);
        }
        switch (svc.key()) {
            case ServiceKey.Fwmark m -> {
                k.proto = 0;
                k.vHi = 0;
                k.vLo = m.mark() & 0xFFFF_FFFFL;
                k.vport = 0;
            }
            case ServiceKey.Virtual v -> {
                k.proto = f.protocol;
                k.vHi = f.dstHi;
                k.vLo = f.dstLo;
                k.vport = v.port();
            }
        }
        return k;
    }

    /** Scratch for a template key; one per thread so the data path allocates nothing. */
    private static final class TemplateKey {
        int proto;
        long cHi;
        long cLo;
        long vHi;
        long vLo;
        int vport;
    }

    private static final ThreadLocal<TemplateKey> TEMPLATE_KEYS = ThreadLocal.withInitial(TemplateKey::new);

    // ======================================================================================
    // Connection synchronization (thesis 5.2.10; IPVS' sync daemons)
    // ======================================================================================

    /**
     * Starts (queue not null) or stops queueing the connections that IPVS' rules make due for sync: the
     * data path offers each to {@code queue} for the sync master's one thread. {@code threshold} and
     * {@code period} are IPVS' {@code sync_threshold} pair (3 and 50 by default).
     */
    public synchronized void syncMaster(SyncQueue queue, int threshold, int period) {
        conns4.syncRule(queue != null, threshold, period);
        conns6.syncRule(queue != null, threshold, period);
        this.syncQueue = queue;
    }

    private void queueSync(int idx, boolean v6) {
        SyncQueue q = syncQueue;
        if (q != null) {
            q.offer(v6 ? idx | SyncQueue.V6 : idx);
        }
    }

    /** What became of one connection record from a sync master. */
    public enum SyncOutcome {
        /** Created or updated. */
        APPLIED,
        /** No virtual service here matches it (the backup's configuration differs). */
        NO_SERVICE,
        /** The service here has no such real server. */
        NO_DEST,
        /** The connection table is full. */
        TABLE_FULL
    }

    /**
     * A connection or persistence template from a sync master (the backup's side): binds it to this
     * director's own service and real server with the master's state and remaining timeout ({@code 0}: the
     * state's own timeout), without scheduling or counting it as new; an existing entry takes the new state
     * and timeout. A connection is attached to its persistence template here if one exists, so the template
     * lives as long as its connections do, as on the master. One thread (the backup daemon's) calls this.
     *
     * @param fwmark the firewall mark of a fwmark service's entries, else 0
     */
    public SyncOutcome applySynced(boolean v6, int proto, long cHi, long cLo, int cport, long vHi, long vLo, int vport,
                                   long dHi, long dLo, int dport, int fwmark, boolean template, int state, int timeoutSeconds) {
        Flow f = SYNC_FLOWS.get();
        f.protocol = proto;
        f.v6 = v6;
        f.srcHi = cHi;
        f.srcLo = cLo;
        f.srcPort = cport;
        f.dstHi = vHi;
        f.dstLo = vLo;
        f.dstPort = vport;
        f.fwmark = fwmark;
        Service svc = serviceTable.lookup(f);
        if (svc == null) {
            return SyncOutcome.NO_SERVICE;
        }
        Dest d = null;
        for (Dest c : svc.dests()) {
            if (c.address().hi() == dHi && c.address().lo() == dLo && c.address().v6() == v6
                    && (c.port() == dport || c.port() == 0)) {
                d = c;
                break;
            }
        }
        if (d == null) {
            return SyncOutcome.NO_DEST;
        }
        ConnTable t = v6 ? conns6 : conns4;
        int controller = -1;
        Persistence p = svc.spec().persistence();
        if (!template && p != null) {
            TemplateKey k = templateKey(svc, f, p);
            controller = t.touchTemplate(k.proto, k.cHi, k.cLo, k.vHi, k.vLo, k.vport);
        }
        ForwardingMethod m = d.method();
        boolean noOutput = !(m instanceof ForwardingMethod.Nat || m instanceof ForwardingMethod.FullNat);
        int idx = t.applySynced(proto, cHi, cLo, cport, vHi, vLo, vport, dHi, dLo, dport, cHi, cLo, cport,
                m.code(), noOutput, d.id(), controller, template, state, timeoutSeconds);
        return idx < 0 ? SyncOutcome.TABLE_FULL : SyncOutcome.APPLIED;
    }

    /** The dest bound to a connection entry's id (sync master: its service tells what engine carries it). */
    public Dest destOf(int destId) {
        return dests.get(destId);
    }

    private static final ThreadLocal<Flow> SYNC_FLOWS = ThreadLocal.withInitial(Flow::new);

    /** Frees the connection tables' memory. */
    public void close() {
        conns4.close();
        conns6.close();
    }
}
