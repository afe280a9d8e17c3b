package org.jvs.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jvs.core.LoadBalancer;
import org.jvs.core.Service;
import org.jvs.core.model.Engine;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;

/**
 * The socket engine: carries every service whose {@link org.jvs.core.model.ServiceSpec#engine()} is
 * {@link Engine#SOCKET} as a user-space L4 relay (no root needed, no kernel module), asking the core for
 * every decision: which server a new connection or datagram goes to, whether a connection still exists,
 * and telling it what passes so statistics, states, timeouts and active/inactive counts follow as they
 * would in IPVS. See docs/socket-engine.md.
 *
 * <p>Threads: {@link #start}, {@link #sync} and {@link #stop} are for the control thread (they are
 * synchronized). Relays run on Netty event loops; each TCP relay's two channels share one loop.
 * {@link LoadBalancer#housekeeping()} is not called here: whoever owns the balancer runs it once a second.
 */
public final class SocketEngine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SocketEngine.class.getName());

    /**
     * @param connectTimeout       how long a connect to a real server may take before the next one is tried
     * @param ioThreads            event loops; 0 = one per available processor
     * @param writeBufferLowWater  a side's queue below which reading from the other side resumes (bytes)
     * @param writeBufferHighWater a side's queue above which reading from the other side stops (bytes)
     * @param transport            "epoll" (default, when the platform has it), "io_uring" (when the kernel allows
     *                             it, else epoll) or "nio" (the JDK's, everywhere); the default can be changed
     *                             with the environment variable JVS_TRANSPORT
     * @param freebind             bind VIPs not (yet) on this host (IP_FREEBIND, epoll and io_uring): for a backup
     *                             director that must listen before a failover gives it the VIP
     * @param splice               relay TCP with splice(2) (the bytes stay in the kernel) where the transport is
     *                             epoll; elsewhere the copying relay runs. Default off, or the environment
     *                             variable JVS_SPLICE (1/true/on or 0/false/off)
     */
    public record Options(Duration connectTimeout, int ioThreads, int writeBufferLowWater, int writeBufferHighWater,
                          String transport, boolean freebind, boolean splice) {
        public static final Options DEFAULT = new Options(Duration.ofSeconds(5), 0, 32 * 1024, 64 * 1024,
                System.getenv().getOrDefault("JVS_TRANSPORT", "epoll"), false,
                parseSwitch("JVS_SPLICE", System.getenv().getOrDefault("JVS_SPLICE", "0")));

        /** An on/off setting's value; a clear error naming the setting for anything else. */
        static boolean parseSwitch(String name, String value) {
            return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "1", "true", "on", "yes" -> true;
                case "0", "false", "off", "no", "" -> false;
                default -> throw new IllegalArgumentException(name + " must be 1/true/on or 0/false/off, got '" + value + "'");
            };
        }

        public Options {
            if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connect timeout must be positive, got " + connectTimeout);
            }
            if (ioThreads < 0) {
                throw new IllegalArgumentException("ioThreads must be >= 0, got " + ioThreads);
            }
            if (writeBufferLowWater <= 0 || writeBufferHighWater < writeBufferLowWater) {
                throw new IllegalArgumentException("write buffer water marks must satisfy 0 < low <= high, got "
                        + writeBufferLowWater + ", " + writeBufferHighWater);
            }
            Transport.kind(transport);
        }

        public Options withConnectTimeout(Duration d) {
            return new Options(d, ioThreads, writeBufferLowWater, writeBufferHighWater, transport, freebind, splice);
        }

        public Options withIoThreads(int n) {
            return new Options(connectTimeout, n, writeBufferLowWater, writeBufferHighWater, transport, freebind, splice);
        }

        public Options withWriteBufferWaterMark(int low, int high) {
            return new Options(connectTimeout, ioThreads, low, high, transport, freebind, splice);
        }

        /** true: epoll (or io_uring, if that was the choice); false: the JDK's NIO. */
        public Options withNativeTransport(boolean on) {
            return withTransport(on ? (transport.equals("nio") ? "epoll" : transport) : "nio");
        }

        public Options withTransport(String t) {
            return new Options(connectTimeout, ioThreads, writeBufferLowWater, writeBufferHighWater, t, freebind, splice);
        }

        public Options withFreebind(boolean on) {
            return new Options(connectTimeout, ioThreads, writeBufferLowWater, writeBufferHighWater, transport, on, splice);
        }

        /** Splice TCP relays (epoll only; see {@link SocketEngine#relayMode()}). */
        public Options withSplice(boolean on) {
            return new Options(connectTimeout, ioThreads, writeBufferLowWater, writeBufferHighWater, transport, freebind, on);
        }
    }

    /** What one {@link #sync()} did. */
    public record SyncResult(List<ServiceKey> opened, List<ServiceKey> closed, Map<ServiceKey, String> failed,
                             List<ServiceKey> skipped) {
    }

    /** Engine counters since start (the core has the per-service and per-server ones). */
    public record Counters(long accepted, long rejected, long connectFailures, long retried, long resets,
                           long idleClosed, long expired, long udpDropped, long copiedBytes, long splicedBytes,
                           long sourceLimited) {
    }

    /** Counters the relays bump; LongAdders, so event loops do not contend. */
    static final class Adders {
        final LongAdder accepted = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder connectFailures = new LongAdder();
        final LongAdder retried = new LongAdder();
        final LongAdder resets = new LongAdder();
        final LongAdder idleClosed = new LongAdder();
        final LongAdder expired = new LongAdder();
        final LongAdder udpDropped = new LongAdder();
        final LongAdder copied = new LongAdder(); // TCP bytes relayed through user space
        final LongAdder spliced = new LongAdder(); // TCP bytes relayed by splice(2)
    }

    private final LoadBalancer lb;
    private final Options options;
    private final Transport transport;
    private final WriteBufferWaterMark waterMark;
    private final boolean splicing;
    final Adders counters = new Adders();
    private final Set<TcpRelay> relays = ConcurrentHashMap.newKeySet();
    /** Per TCP service: connections per source address ({@link #limitPerSource}); kept across listener restarts. */
    private final Map<ServiceKey, SourceLimiter> sourceLimits = new ConcurrentHashMap<>();
    private final AtomicLong maxPending = new AtomicLong();
    final AtomicInteger udpSessions = new AtomicInteger();

    // control thread only
    private final Map<ServiceKey, Listener> listeners = new LinkedHashMap<>();
    private final Set<ServiceKey> warned = new HashSet<>();
    private EventLoopGroup group;
    private volatile boolean accepting;

    public SocketEngine(LoadBalancer lb, Options options) {
        this.lb = lb;
        this.options = options;
        this.transport = Transport.choose(options.transport());
        this.waterMark = new WriteBufferWaterMark(options.writeBufferLowWater(), options.writeBufferHighWater());
        // Netty has splice(2) on its epoll channels only (AbstractEpollStreamChannel.spliceTo).
        this.splicing = options.splice() && transport.kind() == Transport.Kind.EPOLL;
    }

    public SocketEngine(LoadBalancer lb) {
        this(lb, Options.DEFAULT);
    }

    // ======================================================================================
    // Control
    // ======================================================================================

    /** Starts the event loops. Listeners open with {@link #sync()}. */
    public synchronized void start() {
        if (group != null) {
            throw new IllegalStateException("socket engine already started");
        }
        int threads = options.ioThreads() > 0 ? options.ioThreads() : Runtime.getRuntime().availableProcessors();
        group = transport.newGroup(threads, "jvs-socket");
        accepting = true;
        LOG.log(System.Logger.Level.INFO, "socket engine started: {0}, {1} event loops, TCP relayed by {2}",
                transport.name(), threads, relayMode());
        if (options.splice() && !splicing) {
            LOG.log(System.Logger.Level.WARNING, "splice asked for but off: the transport is {0}, splice(2) needs epoll; "
                    + "TCP relays copy", transport.name());
        }
    }

    /**
     * Brings the listeners in line with the core's services: opens one for each socket-engine TCP or UDP
     * service that has none (binding its VIP and port), closes those of services that are gone or moved to
     * another engine. Open relays of a closed listener go on until they end. Services a socket cannot
     * serve (firewall mark, port 0, SCTP) are logged once and skipped. A bind that fails is reported and
     * tried again at the next sync.
     */
    public synchronized SyncResult sync() {
        if (group == null || !accepting) {
            throw new IllegalStateException("socket engine not running");
        }
        List<ServiceKey> opened = new ArrayList<>();
        List<ServiceKey> closedKeys = new ArrayList<>();
        Map<ServiceKey, String> failed = new LinkedHashMap<>();
        List<ServiceKey> skipped = new ArrayList<>();
        Set<ServiceKey> wanted = new HashSet<>();
        for (Service s : lb.services()) {
            if (s.spec().engine() != Engine.SOCKET) {
                continue;
            }
            ServiceKey key = s.key();
            String why = unservable(key);
            if (why != null) {
                skipped.add(key);
                if (warned.add(key)) {
                    LOG.log(System.Logger.Level.WARNING, "service {0} skipped by the socket engine: {1}", key, why);
                }
                continue;
            }
            wanted.add(key);
            if (listeners.containsKey(key)) {
                continue;
            }
            try {
                listeners.put(key, open((ServiceKey.Virtual) key));
                opened.add(key);
            } catch (RuntimeException e) {
                String msg = e.getMessage() != null ? e.getMessage() : e.toString();
                failed.put(key, msg);
                LOG.log(System.Logger.Level.WARNING, "service {0}: cannot listen: {1}", key, msg);
            }
        }
        for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.contains(e.getKey())) {
                e.getValue().close();
                it.remove();
                closedKeys.add(e.getKey());
            }
        }
        warned.retainAll(skipped);
        return new SyncResult(opened, closedKeys, failed, skipped);
    }

    private static String unservable(ServiceKey key) {
        return switch (key) {
            case ServiceKey.Fwmark m -> "firewall-mark services need the packet engine (a socket listens on an address and port)";
            case ServiceKey.Virtual v when v.port() == 0 -> "port 0 (all ports) services need the packet engine";
            case ServiceKey.Virtual v when v.protocol() == Protocol.SCTP -> "SCTP is not relayed by the socket engine";
            case ServiceKey.Virtual v -> null;
        };
    }

    /**
     * The most connections one source address may hold open on each TCP service, for connections accepted from
     * now on (a service not in {@code limits}: none). See {@link SourceLimiter}.
     */
    public void limitPerSource(Map<ServiceKey, Integer> limits) {
        limits.forEach((k, n) -> sourceLimits.computeIfAbsent(k, x -> new SourceLimiter()).limit(n));
        sourceLimits.forEach((k, l) -> {
            if (!limits.containsKey(k)) {
                l.limit(0);
            }
        });
    }

    /** The per-source limiter of a TCP service, or null when none was ever set for it. */
    public SourceLimiter sourceLimiter(ServiceKey key) {
        return sourceLimits.get(key);
    }

    private Listener open(ServiceKey.Virtual key) {
        InetSocketAddress at = new InetSocketAddress(key.address().toInetAddress(), key.port());
        long timeout = 5_000;
        if (key.protocol() == Protocol.TCP) {
            SourceLimiter limiter = sourceLimits.computeIfAbsent(key, x -> new SourceLimiter());
            ServerBootstrap sb = new ServerBootstrap()
                    .group(group)
                    .channelFactory(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    // TCP_NODELAY: Netty's channel config already sets it on every new socket (it is
                    // not Android); setting it again is one more setsockopt per connection.
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                    .childOption(ChannelOption.RECVBUF_ALLOCATOR, readSizes())
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (!accepting) {
                                // accepted while stopping: not served, and the client should know at once
                                ch.config().setOption(ChannelOption.SO_LINGER, 0);
                                ch.close();
                                return;
                            }
                            if (!limiter.admit(ch)) {
                                return; // reset; counted by the limiter (Counters.sourceLimited sums them)
                            }
                            counters.accepted.increment();
                            if (splicing) {
                                // before any read: Netty caches the read handle at the first one
                                ch.config().setRecvByteBufAllocator(new SpliceMeter());
                            }
                            TcpRelay r = new TcpRelay(SocketEngine.this, key.address(), key.port(), ch);
                            relays.add(r);
                            ch.pipeline().addLast(r.frontHandler);
                        }
                    });
            if (options.freebind() && transport.freebindOption() != null) {
                sb.option(transport.freebindOption(), true);
            }
            ChannelFuture f = sb.bind(at);
            await(f, timeout, key);
            return new TcpListener(f.channel());
        }
        UdpListener handler = new UdpListener(this, key);
        Bootstrap b = new Bootstrap()
                .group(group)
                .channelFactory(transport.datagramChannel(key.v6()))
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(handler);
        if (options.freebind() && transport.freebindOption() != null) {
            b.option(transport.freebindOption(), true);
        }
        ChannelFuture f = b.bind(at);
        await(f, timeout, key);
        return handler;
    }

    private static void await(ChannelFuture f, long millis, ServiceKey key) {
        if (!f.awaitUninterruptibly(millis)) {
            f.channel().close();
            throw new IllegalStateException("bind of " + key + " did not finish in " + millis + " ms");
        }
        if (!f.isSuccess()) {
            Throwable c = f.cause();
            throw new IllegalStateException("bind " + key + ": " + (c != null ? c.getMessage() : "failed"), c);
        }
    }

    /**
     * Stops accepting, lets open relays finish for up to {@code drain}, then closes what is left (TCP
     * relays with a reset, as their end is not their own) and the event loops.
     */
    public synchronized void stop(Duration drain) {
        if (group == null) {
            return;
        }
        accepting = false;
        for (Listener l : listeners.values()) {
            l.closeListening();
        }
        long deadline = System.nanoTime() + drain.toNanos();
        while (!relays.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (TcpRelay r : relays) {
            r.kill();
        }
        for (Listener l : listeners.values()) {
            l.close();
        }
        listeners.clear();
        warned.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        relays.clear();
        group = null;
        LOG.log(System.Logger.Level.INFO, "socket engine stopped");
    }

    /** {@link #stop} with no drain. */
    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    // ======================================================================================
    // Observation
    // ======================================================================================

    /** "epoll" or "nio". */
    public String transportName() {
        return transport.name();
    }

    /**
     * "splice" when TCP relays splice (asked for with {@link Options#withSplice} and the transport is epoll),
     * else "copy".
     */
    public String relayMode() {
        return splicing ? "splice" : "copy";
    }

    boolean splicing() {
        return splicing;
    }

    /** Services that have a listener now. */
    public synchronized Set<ServiceKey> listening() {
        return Set.copyOf(listeners.keySet());
    }

    /** TCP relays open now (accepted and not yet closed). */
    public int openRelays() {
        return relays.size();
    }

    /** UDP sessions open now. */
    public int udpSessions() {
        return udpSessions.get();
    }

    /** Bytes the engine holds for sockets that have not taken them yet, over all relays (approximate). */
    public long bufferedBytes() {
        long sum = 0;
        for (TcpRelay r : relays) {
            sum += r.pendingBytes();
        }
        return sum;
    }

    /**
     * The most bytes ever queued for one socket since start: at most the high water mark plus one read
     * ({@value #MAX_READ} bytes), however slow the reader.
     */
    public long maxBufferedBytes() {
        return maxPending.get();
    }

    public Counters counters() {
        Adders a = counters;
        return new Counters(a.accepted.sum(), a.rejected.sum(), a.connectFailures.sum(), a.retried.sum(),
                a.resets.sum(), a.idleClosed.sum(), a.expired.sum(), a.udpDropped.sum(), a.copied.sum(), a.spliced.sum(),
                sourceLimits.values().stream().mapToLong(SourceLimiter::refused).sum());
    }

    // ======================================================================================
    // For relays and listeners
    // ======================================================================================

    LoadBalancer lb() {
        return lb;
    }

    Transport transport() {
        return transport;
    }

    WriteBufferWaterMark waterMark() {
        return waterMark;
    }

    /** One read takes at most {@link #MAX_READ} bytes: with the high water mark, the bound on what one socket queues. */
    static final int MAX_READ = 64 * 1024;

    /** Read sizes: the allocator keeps no state of its own (each channel has its handle), so one is shared. */
    private static final AdaptiveRecvByteBufAllocator READ_SIZES = new AdaptiveRecvByteBufAllocator(512, 16 * 1024, MAX_READ);

    static AdaptiveRecvByteBufAllocator readSizes() {
        return READ_SIZES;
    }

    int connectTimeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
    }

    /** The open relays (tests). */
    Set<TcpRelay> relays() {
        return relays;
    }

    void relayClosed(TcpRelay r) {
        relays.remove(r);
    }

    void notePending(long bytes) {
        if (bytes > maxPending.get()) {
            maxPending.accumulateAndGet(bytes, Math::max);
        }
    }

    /** A listening socket of one service. */
    interface Listener {
        /** Stops taking new connections or sessions; what is open goes on. */
        void closeListening();

        /** Closes everything of this service that is still open. */
        void close();
    }

    private record TcpListener(Channel channel) implements Listener {
        @Override
        public void closeListening() {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            closeListening();
        }
    }
}
