package org.jvs.vrrp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.jvs.core.time.Clock;
import org.jvs.vrrp.io.NetInterface;
import org.jvs.vrrp.io.NetNamespace;
import org.jvs.vrrp.io.Poller;
import org.jvs.vrrp.io.VrrpSocket;

/**
 * The VRRP daemon: every configured instance on one protocol thread (raw sockets, timers, state machines,
 * virtual addresses), tracking scripts on a small pool of their own, notify hooks on a thread of their own.
 *
 * <pre>
 * VrrpDaemon d = new VrrpDaemon(config);          // KernelVipHandler: addresses on the kernel, gratuitous ARP
 * d.addTransitionListener(t -> ...);
 * d.start();                                      // opens everything; throws if a socket cannot be opened
 * d.setTrackedService("web", true);
 * d.apply(newConfig);                             // reload: unchanged instances keep their state
 * d.status();
 * d.close();                                      // priority-0 adverts, addresses down, notify_stop
 * </pre>
 *
 * <p>Sockets, interface lookups, scripts and notify commands all live in the network namespace of the thread
 * that called {@link #start()} (the daemon's threads join it), so a test may start a daemon from a
 * {@code Host.call} body and use it from anywhere.
 */
public final class VrrpDaemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.jvs.vrrp");
    private static final long LINK_CHECK_NANOS = 200_000_000L;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    /**
     * @param vipHandler    what to do with virtual addresses ({@link KernelVipHandler} by default)
     * @param clock         time (system by default)
     * @param notifyTimeout bound of each notify command (keepalived's script_timeout is similar); 10 s default
     */
    public record Options(VipHandler vipHandler, Clock clock, Duration notifyTimeout) {
        public Options {
            vipHandler = Objects.requireNonNullElseGet(vipHandler, KernelVipHandler::new);
            clock = Objects.requireNonNullElse(clock, Clock.SYSTEM);
            notifyTimeout = Objects.requireNonNullElse(notifyTimeout, Duration.ofSeconds(10));
        }

        public static Options defaults() {
            return new Options(null, null, null);
        }

        public Options withVipHandler(VipHandler h) {
            return new Options(h, clock, notifyTimeout);
        }

        public Options withNotifyTimeout(Duration d) {
            return new Options(vipHandler, clock, d);
        }
    }

    private final Options options;
    private final Clock clock;
    private final VipHandler vips;
    private final List<TransitionListener> listeners = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final Map<String, Boolean> services = new ConcurrentHashMap<>();
    private volatile VrrpConfig config;
    private volatile Thread thread;
    private volatile boolean stopping;
    private volatile boolean closed;
    private NetNamespace namespace;
    private Poller poller;
    private ExecutorService notifier;
    private ScheduledExecutorService scripts;

    // --- protocol-thread state ----------------------------------------------------------------------------
    private final Map<String, Link> links = new LinkedHashMap<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, SyncGroup> groups = new HashMap<>();
    private final Map<String, ScriptState> scriptStates = new HashMap<>();
    private final Map<String, NetInterface> tracked = new HashMap<>();
    private final VrrpPacket rxPacket = new VrrpPacket();
    private final Arena txArena = Arena.ofShared();
    private final MemorySegment txBuffer = txArena.allocate(2048, 8);
    private long nextLinkCheck;
    private long vipErrors;

    /** One interface: its socket and the instances on it. */
    private static final class Link {
        final VrrpSocket socket;
        final List<Node> nodes = new ArrayList<>();
        int primary;
        boolean up;

        Link(VrrpSocket s) {
            this.socket = s;
        }
    }

    /** One instance and what the daemon keeps for it. */
    private final class Node implements VrrpInstance.Output {
        final VrrpInstance vrrp;
        Link link;
        boolean started;
        boolean vipsUp;
        int sourceAddress;
        boolean sendFailing;
        long sendErrors;

        Node(VrrpConfig.Instance c) {
            this.vrrp = new VrrpInstance(c, clock, this);
        }

        @Override
        public void sendAdvert(VrrpInstance in, int priority) {
            VrrpConfig.Instance c = in.config();
            int[] addrs = c.virtualIpaddress().stream().mapToInt(VrrpConfig.VirtualAddress::address).toArray();
            int src = sourceAddress;
            if (src == 0 || !link.up) {
                return;
            }
            byte[] auth = c.authentication() == null ? null : c.authentication().data();
            int authType = c.authentication() == null ? VrrpPacket.AUTH_NONE : VrrpPacket.AUTH_PASS;
            List<Integer> dsts = c.unicast() ? c.unicastPeer().stream().map(Ipv4::parse).toList()
                    : List.of(VrrpPacket.MULTICAST_GROUP);
            for (int dst : dsts) {
                int len = VrrpPacket.write(txBuffer, 0, c.version(), c.virtualRouterId(), priority,
                        c.advertIntCentis(), addrs, authType, auth, src, dst);
                try {
                    link.socket.send(src, dst, txBuffer, 0, len);
                    if (sendFailing) {
                        sendFailing = false;
                        LOG.info("(" + c.name() + ") adverts are being sent again");
                    }
                } catch (RuntimeException e) {
                    sendErrors++;
                    if (!sendFailing) {
                        sendFailing = true;
                        LOG.warning("(" + c.name() + ") " + e.getMessage()
                                + (e.getMessage().contains("EPERM") ? " (a local firewall rule dropping VRRP output?)" : "")
                                + "; further failures counted, not logged");
                    }
                }
            }
        }

        @Override
        public void sendGratuitousArp(VrrpInstance in, int repeat) {
            if (in.config().virtualIpaddress().isEmpty()) {
                return;
            }
            try {
                vips.announce(in.config(), in.config().virtualIpaddress(), repeat);
            } catch (RuntimeException e) {
                vipErrors++;
                LOG.log(Level.SEVERE, "(" + in.name() + ") gratuitous ARP: " + e.getMessage());
            }
        }

        @Override
        public void transition(VrrpInstance in, VrrpState from, VrrpState to, String reason) {
            VrrpConfig.Instance c = in.config();
            LOG.info("(" + c.name() + ") Entering " + to + " STATE (from " + from + ": " + reason + "), priority "
                    + in.effectivePriority());
            if (to == VrrpState.MASTER) {
                vipsUp = true;
                try {
                    vips.up(c, c.virtualIpaddress());
                } catch (RuntimeException e) {
                    vipErrors++;
                    LOG.log(Level.SEVERE, "(" + c.name() + ") virtual addresses up: " + e.getMessage());
                }
            } else if (from == VrrpState.MASTER || from == VrrpState.INIT || vipsUp) {
                vipsUp = false;
                try {
                    vips.down(c, c.virtualIpaddress());
                } catch (RuntimeException e) {
                    vipErrors++;
                    LOG.log(Level.SEVERE, "(" + c.name() + ") virtual addresses down: " + e.getMessage());
                }
            }
            SyncGroup g = in.group();
            TransitionListener.Transition t = new TransitionListener.Transition(c.name(),
                    g == null ? null : g.name(), from, to, in.effectivePriority(), reason, Instant.now());
            for (TransitionListener l : listeners) {
                try {
                    l.transition(t);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "transition listener: " + e, e);
                }
            }
            notifyHooks("INSTANCE", c.name(), to, in.effectivePriority(), c.notifyMaster(), c.notifyBackup(),
                    c.notifyFault(), c.notifyStop(), c.notifyScript());
        }
    }

    /** A vrrp_script's keepalived-style result counter. */
    private static final class ScriptState {
        final VrrpConfig.Script script;
        int result;
        boolean up;
        boolean reported;
        ScheduledFuture<?> task;

        ScriptState(VrrpConfig.Script s) {
            this.script = s;
            this.result = s.rise() - 1;
        }

        /** Applies one run; true if up/down changed. */
        boolean apply(boolean success) {
            boolean was = up;
            boolean first = !reported;
            reported = true;
            int full = script.rise() + script.fall() - 1;
            if (success) {
                if (result < full) {
                    result++;
                }
                if (!up && result >= script.rise()) {
                    up = true;
                    result = full;
                }
            } else {
                if (up) {
                    result--;
                    if (result < script.rise()) {
                        up = false;
                        result = 0;
                    }
                } else {
                    result = 0;
                }
            }
            return first || was != up;
        }
    }

    public VrrpDaemon(VrrpConfig config) {
        this(config, Options.defaults());
    }

    public VrrpDaemon(VrrpConfig config, Options options) {
        this.config = Objects.requireNonNull(config);
        this.options = Objects.requireNonNull(options);
        this.clock = options.clock();
        this.vips = options.vipHandler();
    }

    public void addTransitionListener(TransitionListener l) {
        listeners.add(Objects.requireNonNull(l));
    }

    public void removeTransitionListener(TransitionListener l) {
        listeners.remove(l);
    }

    public VrrpConfig config() {
        return config;
    }

    // --- lifecycle ------------------------------------------------------------------------------------------

    /**
     * Opens the sockets (raw VRRP socket per interface, rtnetlink, gratuitous ARP) on the protocol thread in the
     * caller's network namespace and starts every instance. Throws (and leaves nothing running) if any of that
     * fails: e.g. {@code VrrpIoException} "VRRP raw socket: Operation not permitted (EPERM): VRRP needs
     * CAP_NET_RAW; run as root or grant the capability", or a missing interface.
     */
    public synchronized void start() {
        if (thread != null || closed) {
            throw new IllegalStateException(closed ? "VRRP daemon closed" : "VRRP daemon already started");
        }
        namespace = NetNamespace.current();
        poller = new Poller();
        AtomicInteger n = new AtomicInteger();
        notifier = Executors.newSingleThreadExecutor(factory("vrrp-notify", n));
        scripts = Executors.newScheduledThreadPool(2, factory("vrrp-script", n));
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name("vrrp").daemon(true).unstarted(() -> run(started));
        thread = t;
        t.start();
        try {
            started.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            shutdownExecutors();
            thread = null;
            closed = true;
            throw rethrow(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("VRRP daemon did not start within " + COMMAND_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting VRRP", e);
        }
    }

    private ThreadFactory factory(String name, AtomicInteger n) {
        NetNamespace ns = namespace;
        return r -> Thread.ofPlatform().name(name + "-" + n.incrementAndGet()).daemon(true).unstarted(() -> {
            ns.enter();
            r.run();
        });
    }

    private static RuntimeException rethrow(Throwable c) {
        return c instanceof RuntimeException r ? r : c instanceof Error e ? new RuntimeException(e)
                : new IllegalStateException(c);
    }

    private void run(CompletableFuture<Void> started) {
        try {
            namespace.enter();
            vips.open(config);
            openIo(config);
            build(config);
        } catch (Throwable e) {
            closeIo();
            try {
                vips.close();
            } catch (RuntimeException ignored) {
                // already failing
            }
            started.completeExceptionally(e);
            return;
        }
        started.complete(null);
        startInstances();
        loop();
    }

    private void loop() {
        while (!stopping) {
            try {
                Runnable c;
                while ((c = commands.poll()) != null) {
                    c.run();
                }
                if (stopping) {
                    break;
                }
                long now = clock.nanos();
                if (now >= nextLinkCheck) {
                    nextLinkCheck = now + LINK_CHECK_NANOS;
                    checkLinks();
                }
                for (Node node : nodes.values()) {
                    if (node.started && node.vrrp.nextDeadline() <= clock.nanos()) {
                        node.vrrp.tick();
                    }
                }
                long next = nextLinkCheck;
                for (Node node : nodes.values()) {
                    next = Math.min(next, node.vrrp.nextDeadline());
                }
                long wait = next - clock.nanos();
                int ms = wait <= 0 ? 0 : (int) Math.min(1000, (wait + 999_999) / 1_000_000);
                if (commands.isEmpty()) {
                    poller.await(ms);
                }
                for (Link l : links.values()) {
                    receive(l);
                }
            } catch (Throwable e) {
                LOG.log(Level.SEVERE, "VRRP protocol thread: " + e, e);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        Runnable c;
        while ((c = commands.poll()) != null) {
            c.run();
        }
    }

    /** Stops every instance (priority-0 adverts from masters, addresses down, notify_stop), closes everything. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Thread t = thread;
        if (t == null) {
            return;
        }
        try {
            onThread(() -> {
                for (Node n : nodes.values()) {
                    n.vrrp.stop();
                }
                for (ScriptState s : scriptStates.values()) {
                    if (s.task != null) {
                        s.task.cancel(true);
                    }
                }
                stopping = true;
                return null;
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "stopping VRRP: " + e.getMessage(), e);
            stopping = true;
            poller.wakeUp();
        }
        try {
            t.join(COMMAND_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        notifier.shutdown();
        try {
            notifier.awaitTermination(options.notifyTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdownExecutors();
        closeIo();
        try {
            vips.close();
        } catch (RuntimeException e) {
            LOG.warning("closing virtual address handler: " + e.getMessage());
        }
        poller.close();
        namespace.close();
    }

    private void shutdownExecutors() {
        if (scripts != null) {
            scripts.shutdownNow();
        }
        if (notifier != null) {
            notifier.shutdownNow();
        }
    }

    private void closeIo() {
        for (Link l : links.values()) {
            l.socket.close();
        }
        links.clear();
        tracked.values().forEach(NetInterface::close);
        tracked.clear();
    }

    /** Runs {@code body} on the protocol thread and waits for its result. */
    private <T> T onThread(Supplier<T> body) {
        if (Thread.currentThread() == thread) {
            return body.get();
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        commands.add(() -> {
            try {
                f.complete(body.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        poller.wakeUp();
        try {
            return f.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("VRRP protocol thread did not answer within " + COMMAND_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void checkRunning() {
        if (thread == null || closed) {
            throw new IllegalStateException("VRRP daemon is not running");
        }
    }

    // --- opening and reload ---------------------------------------------------------------------------------

    /** Opens what {@code c} needs and is not open yet; on failure closes what it opened and throws. */
    private void openIo(VrrpConfig c) {
        List<Link> opened = new ArrayList<>();
        List<NetInterface> openedTracked = new ArrayList<>();
        Map<String, Link> newLinks = new HashMap<>();
        try {
            for (VrrpConfig.Instance i : c.instances()) {
                if (!links.containsKey(i.interfaceName()) && !newLinks.containsKey(i.interfaceName())) {
                    Link l = new Link(VrrpSocket.open(i.interfaceName()));
                    opened.add(l);
                    newLinks.put(i.interfaceName(), l);
                }
                for (VrrpConfig.Track t : i.trackInterface()) {
                    if (!tracked.containsKey(t.name()) && openedTracked.stream().noneMatch(x -> x.name().equals(t.name()))) {
                        try {
                            openedTracked.add(NetInterface.open(t.name()));
                        } catch (RuntimeException e) {
                            throw new VrrpConfigException("vrrp_instance " + i.name() + ": track_interface "
                                    + t.name() + ": " + e.getMessage());
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            opened.forEach(l -> l.socket.close());
            openedTracked.forEach(NetInterface::close);
            throw e;
        }
        links.putAll(newLinks);
        for (NetInterface n : openedTracked) {
            tracked.put(n.name(), n);
        }
        int[] fds = links.values().stream().mapToInt(l -> l.socket.fd()).toArray();
        poller.watch(fds);
    }

    /** Creates nodes, groups and scripts for {@code c} (first start: everything is new). */
    private void build(VrrpConfig c) {
        for (VrrpConfig.Script s : c.scripts()) {
            scriptStates.computeIfAbsent(s.name(), k -> startScript(s));
        }
        for (VrrpConfig.Instance i : c.instances()) {
            Node n = new Node(i);
            n.link = links.get(i.interfaceName());
            n.link.nodes.add(n);
            nodes.put(i.name(), n);
        }
        links.values().forEach(this::refreshLink);
        buildGroups(c);
    }

    private void buildGroups(VrrpConfig c) {
        for (SyncGroup g : groups.values()) {
            for (VrrpInstance m : g.members()) {
                g.remove(m);
            }
        }
        groups.clear();
        for (VrrpConfig.SyncGroup gc : c.syncGroups()) {
            List<VrrpInstance> members = gc.group().stream().map(m -> nodes.get(m).vrrp).toList();
            groups.put(gc.name(), new SyncGroup(gc.name(), members, this::groupState));
        }
    }

    private void groupState(SyncGroup g, VrrpState s) {
        VrrpConfig.SyncGroup gc = config.syncGroups().stream().filter(x -> x.name().equals(g.name())).findFirst()
                .orElse(null);
        LOG.info("VRRP_Group(" + g.name() + ") Syncing instances to " + s + " state");
        if (gc != null) {
            notifyHooks("GROUP", gc.name(), s, 0, gc.notifyMaster(), gc.notifyBackup(), gc.notifyFault(),
                    gc.notifyStop(), gc.notifyScript());
        }
    }

    private ScriptState startScript(VrrpConfig.Script s) {
        ScriptState st = new ScriptState(s);
        List<String> argv = ScriptRunner.split(s.script());
        st.task = scripts.scheduleWithFixedDelay(() -> {
            ScriptRunner.Result r = ScriptRunner.run(argv, s.timeout());
            commands.add(() -> scriptResult(st, r));
            poller.wakeUp();
        }, 0, s.interval().toNanos(), TimeUnit.NANOSECONDS);
        return st;
    }

    private void scriptResult(ScriptState st, ScriptRunner.Result r) {
        if (scriptStates.get(st.script.name()) != st) {
            return; // replaced by a reload
        }
        boolean wasUp = st.up;
        boolean changed = st.apply(r.success());
        if (changed && (wasUp != st.up || st.up)) {
            LOG.info("VRRP_Script(" + st.script.name() + ") " + (st.up ? "succeeded" : "failed"
                    + (r.error() != null ? " (" + r.error() + ")" : " (exit status " + r.exitCode() + ")")));
        } else if (changed) {
            LOG.info("VRRP_Script(" + st.script.name() + ") failed"
                    + (r.error() != null ? " (" + r.error() + ")" : " (exit status " + r.exitCode() + ")"));
        }
        if (changed) {
            updateAllTracking();
            startInstances();
        }
    }

    private void startInstances() {
        for (Node n : nodes.values()) {
            if (n.started) {
                continue;
            }
            boolean ready = n.vrrp.config().trackScript().stream()
                    .allMatch(t -> scriptStates.get(t.name()) != null && scriptStates.get(t.name()).reported);
            if (!ready) {
                continue;
            }
            updateTracking(n);
            n.started = true;
            n.vrrp.start();
        }
    }

    /**
     * Applies a new configuration without needless transitions: an instance with the same name, interface,
     * VRID and version keeps its state (a new priority or interval shows in its next advert, new virtual
     * addresses are brought up or down if it is master); a removed instance stops as on shutdown; a new one
     * starts. Opens sockets for new interfaces first: if that fails nothing has changed and this throws.
     */
    public void apply(VrrpConfig next) {
        Objects.requireNonNull(next);
        checkRunning();
        onThread(() -> {
            applyOnThread(next);
            return null;
        });
    }

    private void applyOnThread(VrrpConfig next) {
        VrrpConfig old = config;
        openIo(next);
        config = next;
        // scripts: keep unchanged ones, restart changed, stop removed
        for (VrrpConfig.Script s : old.scripts()) {
            VrrpConfig.Script ns = next.script(s.name());
            if (ns == null || !ns.equals(s)) {
                ScriptState st = scriptStates.remove(s.name());
                if (st != null && st.task != null) {
                    st.task.cancel(true);
                }
            }
        }
        for (VrrpConfig.Script s : next.scripts()) {
            scriptStates.computeIfAbsent(s.name(), k -> startScript(s));
        }
        // instances
        Set<String> keep = new HashSet<>();
        for (VrrpConfig.Instance i : next.instances()) {
            Node n = nodes.get(i.name());
            VrrpConfig.Instance was = n == null ? null : n.vrrp.config();
            if (was != null && was.interfaceName().equals(i.interfaceName())
                    && was.virtualRouterId() == i.virtualRouterId() && was.version() == i.version()) {
                keep.add(i.name());
                if (!was.equals(i)) {
                    LOG.info("(" + i.name() + ") configuration changed, state " + n.vrrp.state() + " kept");
                    if (n.vrrp.state() == VrrpState.MASTER && !was.virtualIpaddress().equals(i.virtualIpaddress())) {
                        List<VrrpConfig.VirtualAddress> gone = new ArrayList<>(was.virtualIpaddress());
                        gone.removeAll(i.virtualIpaddress());
                        List<VrrpConfig.VirtualAddress> added = new ArrayList<>(i.virtualIpaddress());
                        added.removeAll(was.virtualIpaddress());
                        try {
                            vips.down(was, gone);
                            vips.up(i, added);
                            if (!added.isEmpty()) {
                                vips.announce(i, added, i.garpMasterRepeat());
                            }
                        } catch (RuntimeException e) {
                            vipErrors++;
                            LOG.severe("(" + i.name() + ") virtual addresses: " + e.getMessage());
                        }
                    }
                    n.vrrp.reconfigure(i);
                }
            }
        }
        for (Node n : new ArrayList<>(nodes.values())) {
            if (!keep.contains(n.vrrp.name())) {
                LOG.info("(" + n.vrrp.name() + ") removed by reload");
                n.vrrp.stop();
                n.link.nodes.remove(n);
                nodes.remove(n.vrrp.name());
            }
        }
        for (VrrpConfig.Instance i : next.instances()) {
            if (!nodes.containsKey(i.name())) {
                Node n = new Node(i);
                n.link = links.get(i.interfaceName());
                n.link.nodes.add(n);
                nodes.put(i.name(), n);
            }
        }
        links.values().forEach(this::refreshLink);
        buildGroups(next);
        updateAllTracking();
        startInstances();
    }

    // --- receiving ----------------------------------------------------------------------------------------

    private void receive(Link l) {
        VrrpSocket s = l.socket;
        for (int k = 0; k < 256; k++) {
            int len = s.receive();
            if (len < 0) {
                return;
            }
            dispatch(l, s.buffer(), len, s.source());
        }
    }

    private void dispatch(Link l, MemorySegment buf, int len, int source) {
        if (len < 20) {
            return;
        }
        int ihl = (Byte.toUnsignedInt(buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)) & 0x0F) * 4;
        int ttl = Byte.toUnsignedInt(buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 8));
        int total = Short.toUnsignedInt(buf.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED
                .withOrder(java.nio.ByteOrder.BIG_ENDIAN), 2));
        int dst = buf.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 16);
        if (ihl < 20 || len < ihl + 2) {
            return;
        }
        VrrpPacket p = rxPacket.wrap(buf, ihl, len - ihl);
        int vrid = p.virtualRouterId();
        Node target = null;
        for (Node n : l.nodes) {
            if (n.vrrp.config().virtualRouterId() == vrid) {
                if (target == null || n.vrrp.config().version() == p.version()) {
                    target = n;
                }
            }
        }
        if (target == null) {
            for (Node n : l.nodes) {
                n.vrrp.countDrop(DropReason.UNKNOWN_VRID);
            }
            return;
        }
        if (source == l.primary || source == target.sourceAddress) {
            return; // our own packet (unicast to a peer list that includes us)
        }
        DropReason r = total != len ? DropReason.LENGTH_MISMATCH : p.check(source, dst);
        if (r != null) {
            target.vrrp.countDrop(r);
            return;
        }
        if (!target.started || target.vrrp.validate(p, ttl, dst) != null) {
            return;
        }
        target.vrrp.receive(p.priority(), source, p.advertIntervalCentis());
    }

    // --- tracking -------------------------------------------------------------------------------------------

    private void refreshLink(Link l) {
        NetInterface ni = l.socket.netInterface();
        l.up = ni.linkUp();
        int p = ni.primaryAddress();
        if (p != l.primary) {
            l.primary = p;
        }
        for (Node n : l.nodes) {
            String src = n.vrrp.config().unicastSrcIp();
            n.sourceAddress = src != null ? Ipv4.parse(src) : l.primary;
            n.vrrp.primaryAddress(n.sourceAddress);
        }
    }

    private void checkLinks() {
        for (Link l : links.values()) {
            refreshLink(l);
        }
        updateAllTracking();
    }

    private void updateAllTracking() {
        for (Node n : nodes.values()) {
            updateTracking(n);
        }
    }

    private void updateTracking(Node n) {
        VrrpConfig.Instance c = n.vrrp.config();
        List<String> faults = new ArrayList<>();
        int delta = 0;
        if (!n.link.up) {
            faults.add("interface " + c.interfaceName() + " is down");
        } else if (n.sourceAddress == 0) {
            faults.add("interface " + c.interfaceName() + " has no IPv4 address");
        }
        for (VrrpConfig.Track t : c.trackInterface()) {
            NetInterface ni = tracked.get(t.name());
            boolean up = ni != null && ni.linkUp();
            delta += weigh(t, t.weight() == null ? 0 : t.weight(), up, "track_interface " + t.name(), faults);
        }
        for (VrrpConfig.Track t : c.trackScript()) {
            ScriptState st = scriptStates.get(t.name());
            int w = t.weight() != null ? t.weight() : st == null ? 0 : st.script.weight();
            delta += weigh(t, w, st != null && st.up, "track_script " + t.name(), faults);
        }
        for (VrrpConfig.Track t : c.trackService()) {
            boolean up = services.getOrDefault(t.name(), false);
            delta += weigh(t, t.weight() == null ? 0 : t.weight(), up, "track_service " + t.name(), faults);
        }
        int before = n.vrrp.effectivePriority();
        n.vrrp.priorityDelta(delta);
        if (n.vrrp.effectivePriority() != before && n.started) {
            LOG.info("(" + c.name() + ") priority " + before + " -> " + n.vrrp.effectivePriority()
                    + " (tracking weights " + delta + ")");
        }
        n.vrrp.fault(!faults.isEmpty(), String.join(", ", faults));
    }

    private static int weigh(VrrpConfig.Track t, int weight, boolean up, String what, List<String> faults) {
        if (weight == 0) {
            if (!up) {
                faults.add(what + " is down");
            }
            return 0;
        }
        if (weight > 0) {
            return up ? weight : 0;
        }
        return up ? 0 : weight;
    }

    /**
     * Sets an externally tracked service (keepalived has no such thing: the director feeds its own health
     * here). Instances list it in {@code track_service}; one never set counts as down.
     */
    public void setTrackedService(String name, boolean up) {
        Boolean was = services.put(Objects.requireNonNull(name), up);
        if (was == null || was != up) {
            LOG.info("track_service " + name + " " + (up ? "up" : "down"));
            if (thread != null && !closed) {
                commands.add(this::updateAllTracking);
                poller.wakeUp();
            }
        }
    }

    // --- notify -----------------------------------------------------------------------------------------------

    private void notifyHooks(String kind, String name, VrrpState to, int priority, String master, String backup,
                             String fault, String stop, String generic) {
        String specific = switch (to) {
            case MASTER -> master;
            case BACKUP -> backup;
            case FAULT -> fault;
            case STOP -> stop;
            default -> null;
        };
        List<List<String>> runs = new ArrayList<>();
        if (specific != null) {
            runs.add(ScriptRunner.split(specific));
        }
        if (generic != null && to != VrrpState.INIT) {
            List<String> argv = new ArrayList<>(ScriptRunner.split(generic));
            argv.addAll(List.of(kind, name, to.name(), Integer.toString(priority)));
            runs.add(argv);
        }
        if (runs.isEmpty() || notifier == null || notifier.isShutdown()) {
            return;
        }
        Duration timeout = options.notifyTimeout();
        try {
            notifier.execute(() -> {
                for (List<String> argv : runs) {
                    ScriptRunner.Result r = ScriptRunner.run(argv, timeout);
                    if (!r.success()) {
                        LOG.warning("notify " + String.join(" ", argv) + ": "
                                + (r.error() != null ? r.error() : "exit status " + r.exitCode()));
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.warning("notify for " + name + " " + to + " not run: daemon closing");
        }
    }

    // --- status ---------------------------------------------------------------------------------------------

    /** A snapshot of every instance, in configuration order. */
    public List<InstanceStatus> status() {
        if (thread == null || !thread.isAlive()) {
            return snapshot();
        }
        return onThread(this::snapshot);
    }

    public InstanceStatus status(String instance) {
        return status().stream().filter(s -> s.name().equals(instance)).findFirst().orElse(null);
    }

    /** Failures of the virtual-address handler (add, remove, gratuitous ARP) so far. */
    public long vipErrors() {
        return vipErrors;
    }

    private List<InstanceStatus> snapshot() {
        List<InstanceStatus> out = new ArrayList<>();
        for (Node n : nodes.values()) {
            VrrpInstance v = n.vrrp;
            VrrpConfig.Instance c = v.config();
            int m = v.masterAddress();
            out.add(new InstanceStatus(c.name(), v.state(), v.effectivePriority(), c.priority(),
                    Duration.ofNanos(v.masterAdverIntervalNanos()), m == 0 ? null : Ipv4.format(m),
                    c.virtualIpaddress().stream().map(VrrpConfig.VirtualAddress::toString).toList(),
                    v.group() == null ? null : v.group().name(), v.counters()));
        }
        return out;
    }
}
