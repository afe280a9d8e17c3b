package org.jvs.packet.engine;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvs.core.LoadBalancer;
import org.jvs.core.time.Clock;
import org.jvs.packet.AfPacketIo;
import org.jvs.packet.PacketBatch;
import org.jvs.packet.PacketIoException;
import org.jvs.packet.SocketFilter;

/**
 * The packet engine at run time: AF_PACKET sockets on the configured interfaces, worker threads forwarding
 * with a {@link LoadBalancer}, the nftables table that keeps the kernel off the engine's traffic, and the
 * gratuitous ARP announcing each VIP.
 *
 * <p>{@link #start} opens every socket first: without {@code CAP_NET_RAW} it throws the
 * {@link PacketIoException} that says so and nothing else happens. It then reads each interface (MAC, IPv4
 * address and prefix), attaches the socket filters, installs the nftables table, starts one named platform
 * thread per (interface, worker), each looping on a bounded {@code poll}, announces the VIPs and asks for the
 * real servers' MACs. {@link #sync} follows service changes;
 * {@link #stop} ends the workers (joined within a bound), closes the sockets and deletes the table.
 *
 * <p>Threads and namespaces: everything that touches the system from the control side (socket filters, nft,
 * gratuitous ARP, neighbour table upkeep) runs on the engine's own control thread, created by the thread that called
 * {@link #start}. Linux gives a new thread its creator's network namespace, so an engine started from a thread
 * inside a namespace lives there entirely, whichever thread later calls {@link #sync} or {@link #stop}.
 */
public final class PacketEngine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.jvs.packet.engine");
    private static final AtomicInteger ENGINES = new AtomicInteger();
    private static final long CONTROL_TIMEOUT_SECONDS = 30;
    private static final int RECEIVE_BUFFER_BYTES = 8 << 20;
    /** Neighbour table compaction, and dropping retired VS/NAT servers whose connections have ended. */
    private static final long UPKEEP_SECONDS = 30;

    private final LoadBalancer lb;
    private final EngineConfig config;
    private final Clock clock;
    private final List<Link> links;
    private final int gateway;
    private final OwnedServices owned = new OwnedServices();
    private final List<PacketWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<AfPacketIo> sockets;
    /** Per link, its workers' receive sockets (for the socket filter). */
    private final List<List<AfPacketIo>> receivers = new ArrayList<>();
    /** One transmit-only socket per link, for the control thread's gratuitous ARP. */
    private final List<AfPacketIo> announcers;
    private final ScheduledThreadPoolExecutor control;
    private final PacketBatch announceBatch = new PacketBatch(java.lang.foreign.Arena.ofAuto(), 64, ArpFrames.LENGTH);
    private final ArpFrames arpFrames = new ArpFrames();
    private volatile boolean running = true;
    private boolean stopped;
    private int[] announced = new int[0];
    private final LocalNode localNode = new LocalNode();

    /**
     * What one {@link #sync} changed: VIPs that came up (announced) and went away, whether the nftables table was
     * rewritten; and what of the packet-engine services this engine cannot carry yet
     * ({@link OwnedServices#notCarried}).
     */
    public record SyncResult(List<String> vipsUp, List<String> vipsDown, boolean rulesChanged, List<String> notCarried) {
    }

    /** Counters summed over the workers (approximate while they run: each is read without a lock). */
    public record Counters(long received, long forwarded, long forwardedDr, long forwardedNat, long forwardedTun,
                           long natReplies, long arpReplies, long arpRequests, long learned, long passed, long dropped,
                           long noNeighbour, long noRoute) {
    }

    private PacketEngine(LoadBalancer lb, EngineConfig config, Clock clock, List<AfPacketIo> sockets,
                         List<AfPacketIo> announcers, List<Link> links, int gateway) {
        this.lb = lb;
        this.config = config;
        this.clock = clock;
        this.sockets = sockets;
        this.announcers = announcers;
        this.links = List.copyOf(links);
        this.gateway = gateway;
        this.control = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon().name("jvs-packet-control").unstarted(r));
        // Created now, by the starting thread, so it shares that thread's network namespace.
        control.prestartAllCoreThreads();
    }

    /** {@link #start(LoadBalancer, EngineConfig, Clock)} with the system clock. */
    public static PacketEngine start(LoadBalancer lb, EngineConfig config) {
        return start(lb, config, Clock.SYSTEM);
    }

    /**
     * Starts the engine for {@code lb}'s packet-engine services in the calling thread's network namespace.
     *
     * @throws PacketIoException     a socket could not be opened (no CAP_NET_RAW, no such interface)
     * @throws IllegalStateException an interface is down or not Ethernet, or nft refused the rules
     */
    public static PacketEngine start(LoadBalancer lb, EngineConfig config, Clock clock) {
        return start(lb, config, clock, new int[0]);
    }

    /**
     * As {@link #start(LoadBalancer, EngineConfig, Clock)}, with the VIPs in {@code held} held back from the
     * start (a director whose VRRP instances begin as backup must not announce their VIPs); see {@link #hold}.
     */
    public static PacketEngine start(LoadBalancer lb, EngineConfig config, Clock clock, int[] held) {
        List<EngineConfig.Interface> ifs = config.interfaces();
        int n = ifs.size();
        int w = config.workersPerInterface();
        List<AfPacketIo> opened = new ArrayList<>();
        // [link][worker][link]: each worker receives on its link and sends on every link.
        AfPacketIo[][][] ios = new AfPacketIo[n][w][n];
        List<AfPacketIo> announcers = new ArrayList<>();
        int engineId = ENGINES.incrementAndGet();
        try {
            for (int i = 0; i < n; i++) {
                int group = (int) ((ProcessHandle.current().pid() * 31 + engineId * 17 + i) & 0xFFFF);
                // A receive buffer of its own (the default ~200 KB holds a few hundred small frames): a worker that
                // loses the CPU for a few milliseconds under a flood should find the frames still queued.
                // Offload metadata both ways: frames from veths with default offloads carry unfinished checksums and
                // TSO super-frames, which only the kernel, told about them, can finish on the way out.
                AfPacketIo.Options base = new AfPacketIo.Options(RECEIVE_BUFFER_BYTES, 0).withOffloadMetadata(true);
                AfPacketIo.Options options = w > 1 ? base.withFanoutGroup(group) : base;
                for (int k = 0; k < w; k++) {
                    ios[i][k][i] = track(opened, AfPacketIo.open(ifs.get(i).name(), options));
                    for (int j = 0; j < n; j++) {
                        if (j != i) {
                            ios[i][k][j] = track(opened, AfPacketIo.openTransmitOnly(ifs.get(j).name(), base));
                        }
                    }
                }
                announcers.add(track(opened, AfPacketIo.openTransmitOnly(ifs.get(i).name())));
            }
        } catch (RuntimeException e) {
            opened.forEach(AfPacketIo::close);
            throw e;
        }
        PacketEngine engine;
        try {
            List<Link> links = new ArrayList<>();
            for (EngineConfig.Interface i : ifs) {
                links.add(Link.read(i.name(), i.role(), config.neighbourCapacity()));
            }
            int gateway = config.gateway() != 0 ? config.gateway() : Addresses.defaultGateway();
            engine = new PacketEngine(lb, config, clock, opened, announcers, links, gateway);
            engine.owned.hold(held);
            engine.owned.marks(config.marks());
        } catch (RuntimeException e) {
            opened.forEach(AfPacketIo::close);
            throw e;
        }
        try {
            engine.begin(ios);
            return engine;
        } catch (RuntimeException e) {
            engine.stop(Duration.ofSeconds(5));
            throw e;
        }
    }

    private static AfPacketIo track(List<AfPacketIo> opened, AfPacketIo io) {
        opened.add(io);
        return io;
    }

    private void begin(AfPacketIo[][][] ios) {
        Link[] linkArray = links.toArray(Link[]::new);
        if (gateway != 0 && PacketWorker.connectedLink(linkArray, gateway) < 0) {
            LOG.log(Level.WARNING, "packet engine: gateway " + Addresses.ipv4(gateway)
                    + " is on no engine interface's subnet; replies to clients off the connected subnets will be dropped");
        }
        for (int i = 0; i < links.size(); i++) {
            List<AfPacketIo> mine = new ArrayList<>();
            for (AfPacketIo[] worker : ios[i]) {
                mine.add(worker[i]);
            }
            receivers.add(mine);
        }
        onControl(() -> {
            OwnedServices.Snapshot s = owned.update(lb);
            filter(s);
            if (config.nftTable() != null) {
                NftRules.install(config.nftTable(), links, s);
            }
            return null;
        });
        for (int i = 0; i < links.size(); i++) {
            for (int k = 0; k < ios[i].length; k++) {
                PacketWorker worker = new PacketWorker(lb, linkArray, i, owned, gateway, clock, ios[i][k],
                        config.batchSize(), config.frameSize());
                worker.localNode(localNode);
                workers.add(worker);
                Thread t = Thread.ofPlatform().daemon().name("jvs-packet-" + links.get(i).name() + "-" + k)
                        .unstarted(() -> loop(worker));
                threads.add(t);
            }
        }
        threads.forEach(Thread::start);
        onControl(() -> {
            announce(owned.current().vipList());
            prime();
            return null;
        });
        control.scheduleWithFixedDelay(this::upkeep, UPKEEP_SECONDS, UPKEEP_SECONDS, TimeUnit.SECONDS);
        LOG.log(Level.INFO, "packet engine: " + threads.size() + " workers on " + links
                + (gateway != 0 ? ", gateway " + Addresses.ipv4(gateway) : ", no gateway")
                + (config.nftTable() != null ? ", nftables table netdev " + config.nftTable() : ""));
    }

    private void loop(PacketWorker worker) {
        int timeout = config.pollMillis();
        long failures = 0;
        while (running) {
            try {
                worker.poll(timeout);
            } catch (RuntimeException e) {
                // A send the kernel refuses (a frame over the MTU, an interface gone down) must not end the
                // worker: log the first few, then every 1000th, and carry on.
                failures++;
                if (failures <= 5 || failures % 1000 == 0) {
                    LOG.log(Level.WARNING, Thread.currentThread().getName() + ": " + e.getMessage() + " (" + failures + " so far)");
                }
            }
        }
    }

    /**
     * Control thread: gives every receive socket a filter for what its link's workers need ({@link SocketFilter#forEngine}):
     * ARP, and IPv4 to the link's MAC for a VIP (links facing clients) or from a VS/NAT real server (links facing
     * servers). The filter only spares copies; a socket that refuses it keeps receiving everything, logged.
     */
    private void filter(OwnedServices.Snapshot s) {
        for (int i = 0; i < links.size(); i++) {
            Link l = links.get(i);
            SocketFilter f = SocketFilter.forEngine(l.mac(), l.role().facesClients() ? s.vipList() : new int[0],
                    l.role().facesServers() ? s.natSourceAddresses() : new int[0]);
            for (AfPacketIo io : receivers.get(i)) {
                try {
                    io.attachFilter(f);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "packet engine: no socket filter on " + l.name() + " (workers see every frame): " + e.getMessage());
                }
            }
        }
    }

    /** Control thread: sends a gratuitous ARP for each of {@code vips} on every link facing clients. */
    private void announce(int[] vips) {
        if (vips.length == 0) {
            return;
        }
        for (int i = 0; i < links.size(); i++) {
            Link l = links.get(i);
            if (!l.role().facesClients()) {
                continue;
            }
            for (int from = 0; from < vips.length; from += announceBatch.capacity()) {
                announceBatch.clear();
                for (int v = from; v < Math.min(vips.length, from + announceBatch.capacity()); v++) {
                    arpFrames.gratuitous(announceBatch, l.mac(), vips[v]);
                }
                try {
                    announcers.get(i).send(announceBatch);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "packet engine: gratuitous ARP on " + l.name() + ": " + e.getMessage());
                }
            }
        }
        int[] all = Arrays.copyOf(announced, announced.length + vips.length);
        System.arraycopy(vips, 0, all, announced.length, vips.length);
        Arrays.sort(all);
        announced = Arrays.stream(all).distinct().toArray();
    }

    /**
     * Control thread: asks, once, for the MACs of the real servers and the gateway the engine does not know yet,
     * so that the first connection to a server does not lose its SYN to the resolution. The neighbour table's
     * rate limit applies as for the workers' own requests.
     */
    private void prime() {
        Link[] linkArray = links.toArray(Link[]::new);
        java.util.Set<Integer> hops = new java.util.TreeSet<>();
        for (org.jvs.core.Service s : lb.services()) {
            if (s.spec().engine() != org.jvs.core.model.Engine.PACKET) {
                continue;
            }
            for (org.jvs.core.Dest d : s.dests()) {
                if (!d.address().v6()) {
                    int rip = d.address().v4Int();
                    hops.add(PacketWorker.connectedLink(linkArray, rip) >= 0 ? rip : gateway);
                }
            }
        }
        long now = clock.millis();
        for (int hop : hops) {
            int k = PacketWorker.connectedLink(linkArray, hop);
            if (k < 0 || linkArray[k].neighbours().resolve(hop, now) != NeighbourTable.MISS_PROBE) {
                continue;
            }
            Link l = linkArray[k];
            announceBatch.clear();
            arpFrames.request(announceBatch, l.mac(), l.address(), hop, -1);
            try {
                announcers.get(k).send(announceBatch);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "packet engine: ARP request for " + Addresses.ipv4(hop) + " on " + l.name() + ": " + e.getMessage());
            }
        }
    }

    private void upkeep() {
        long now = clock.millis();
        for (Link l : links) {
            l.neighbours().compact(now);
        }
        // Retired VS/NAT servers leave the owned set only when housekeeping has found them idle, which no
        // configuration change announces: look again here.
        try {
            OwnedServices.Snapshot before = owned.current();
            publish(before, owned.update(lb));
        } catch (RuntimeException e) {
            // An exception would end this scheduled task for good; the next round tries again.
            LOG.log(Level.WARNING, "packet engine: upkeep: " + e.getMessage());
        }
    }

    /** Control thread: socket filters first (a new VIP's frames must reach the workers before the kernel stops
     * seeing them), then the nftables table; nothing when the snapshot did not change. Whether it changed. */
    private boolean publish(OwnedServices.Snapshot before, OwnedServices.Snapshot after) {
        if (after == before) {
            return false;
        }
        filter(after);
        if (config.nftTable() != null) {
            NftRules.install(config.nftTable(), links, after);
        }
        return true;
    }

    /**
     * Follows the balancer's services (control thread of the director, after every change): publishes the new
     * set of owned services to the workers, rewrites the nftables table when it changed, and announces VIPs that
     * came up with a gratuitous ARP.
     */
    public synchronized SyncResult sync() {
        if (stopped) {
            throw new IllegalStateException("packet engine is stopped");
        }
        return onControl(() -> {
            OwnedServices.Snapshot before = owned.current();
            OwnedServices.Snapshot after = owned.update(lb);
            boolean changed = publish(before, after);
            localNode.update(lb.services(), links);
            int[] vips = after.vipList();
            int[] fresh = Arrays.stream(vips).filter(v -> Arrays.binarySearch(announced, v) < 0).toArray();
            List<String> down = Arrays.stream(announced).filter(v -> !after.isVip(v)).mapToObj(Addresses::ipv4).toList();
            announced = Arrays.stream(announced).filter(after::isVip).toArray();
            announce(fresh);
            prime();
            return new SyncResult(Arrays.stream(fresh).mapToObj(Addresses::ipv4).toList(), down, changed,
                    OwnedServices.notCarried(lb.services(), owned.markRules()));
        });
    }

    /**
     * Stops the workers (each notices within its poll timeout; joined for at most {@code bound}), closes the
     * sockets and deletes the nftables table. Idempotent. A worker that does not end in time keeps its sockets
     * (closing them under it would be unsafe) and is reported.
     */
    public synchronized void stop(Duration bound) {
        if (stopped) {
            return;
        }
        stopped = true;
        running = false;
        long deadline = System.nanoTime() + bound.toNanos();
        boolean allJoined = true;
        for (Thread t : threads) {
            try {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                t.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                allJoined = false;
                LOG.log(Level.ERROR, "packet engine: worker " + t.getName() + " did not stop within " + bound.toMillis() + " ms");
            }
        }
        if (allJoined) {
            sockets.forEach(AfPacketIo::close);
        }
        if (config.nftTable() != null) {
            try {
                onControl(() -> NftRules.remove(config.nftTable()));
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "packet engine: could not delete nftables table " + config.nftTable() + ": " + e.getMessage());
            }
        }
        if (allJoined) {
            try {
                onControl(() -> {
                    localNode.close();
                    return null;
                });
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "packet engine: could not remove " + LocalNode.DEVICE + ": " + e.getMessage());
            }
        }
        control.shutdownNow();
        LOG.log(Level.INFO, "packet engine stopped: " + counters());
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    /** Runs {@code task} on the control thread and waits for it (bounded); its exceptions are rethrown. */
    private <T> T onControl(Callable<T> task) {
        try {
            return control.submit(task).get(CONTROL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("packet engine control task did not finish in " + CONTROL_TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public boolean isRunning() {
        return running;
    }

    public List<Link> links() {
        return links;
    }

    /** The IPv4 next hop for clients off the connected subnets (0 when none). */
    public int gateway() {
        return gateway;
    }

    public EngineConfig config() {
        return config;
    }

    /**
     * VRRP's word on the VIPs: {@code held} are the VIPs this director is backup for (not answered for, not
     * announced); every other VIP of the engine's services is answered for, and one that was held and is not any
     * more is announced with a gratuitous ARP at once, as a new master's VIPs must be.
     */
    public SyncResult hold(int[] held) {
        owned.hold(held);
        return sync();
    }

    /** Replaces the firewall-mark classifier; the next {@link #sync} publishes it to the workers. */
    public void marks(List<MarkRule> rules) {
        owned.marks(rules);
    }

    /** The services, VIPs and NAT sources the workers currently treat as the engine's. */
    public OwnedServices.Snapshot owned() {
        return owned.current();
    }

    /** Worker threads' names, in start order. */
    public List<String> workerNames() {
        return threads.stream().map(Thread::getName).toList();
    }

    /** The workers' receive sockets (for measurements that swap their filter). */
    List<AfPacketIo> receiveSockets() {
        return receivers.stream().flatMap(List::stream).toList();
    }

    public Counters counters() {
        long rx = 0, fwd = 0, dr = 0, nat = 0, tun = 0, rep = 0, arpRep = 0, arpReq = 0, learned = 0, passed = 0, dropped = 0, nn = 0, nr = 0;
        for (PacketWorker w : workers) {
            rx += w.received();
            fwd += w.forwarded();
            dr += w.forwardedDr();
            nat += w.forwardedNat();
            tun += w.forwardedTun();
            rep += w.natReplies();
            arpRep += w.arpReplies();
            arpReq += w.arpRequests();
            learned += w.learned();
            passed += w.passed();
            dropped += w.dropped();
            nn += w.noNeighbour();
            nr += w.noRoute();
        }
        return new Counters(rx, fwd, dr, nat, tun, rep, arpRep, arpReq, learned, passed, dropped, nn, nr);
    }
}
