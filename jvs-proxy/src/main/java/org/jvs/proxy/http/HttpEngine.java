package org.jvs.proxy.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvs.proxy.Transport;
import org.jvs.proxy.http.sched.RequestScheduler;
import org.jvs.proxy.http.sched.ServerSet;

/**
 * The layer-7 engine for one {@code engine: http} service: accepts clients on Netty's native transport,
 * and per request parses the head, asks the scheduler for a server, forwards on a pooled keep-alive
 * connection and relays the response. Each event loop owns its clients, their server connections and its
 * pool, so no request crosses threads; a per-loop sweep enforces the timeouts without a timer per request.
 */
public final class HttpEngine implements AutoCloseable {

    private static final long SWEEP_MILLIS = 100;

    volatile HttpServiceConfig config;
    /** The current servers; see {@link Roster} for how a change reaches requests in flight. */
    volatile Roster roster;
    final Transport transport;
    final HttpStats stats;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    /** Request units in flight over all servers, against Σ high when admission control is on. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Channel listener;
    /** TLS termination for connections accepted from now on, or null (plain HTTP). */
    private volatile ServerTls tls;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger sessionCount = new java.util.concurrent.atomic.AtomicInteger();
    /** Connections per client address ({@code max_conn_per_source}); closed at accept over it. */
    private final org.jvs.proxy.SourceLimiter sourceLimiter = new org.jvs.proxy.SourceLimiter();

    /** Per event loop: idle pooled connections per server, and the live client sessions. */
    final FastThreadLocal<LoopState> loopState = new FastThreadLocal<>() {
        @Override
        protected LoopState initialValue() {
            return new LoopState();
        }
    };

    static final class LoopState {
        /** The roster {@link #idle} pools connections for. */
        Roster roster;
        ArrayDeque<Channel>[] idle;
        final List<ClientSession> sessions = new ArrayList<>();
        /** Sessions whose request waits for admission, oldest first. */
        final ArrayDeque<ClientSession> queued = new ArrayDeque<>();
        /** The loop's timeout sweep, cancelled when the engine closes (the loops may outlive it). */
        io.netty.util.concurrent.ScheduledFuture<?> sweep;

        /**
         * The idle connections to server {@code i} of {@code r}, or null when {@code r} is not the current
         * roster (its connections are not pooled). A loop that first sees a new roster closes what it pooled
         * for the old one: those servers may be gone, and the indexes no longer match.
         */
        @SuppressWarnings("unchecked")
        ArrayDeque<Channel> idle(Roster r, Roster current, int i) {
            if (roster != current) {
                closeIdle();
                roster = current;
                idle = new ArrayDeque[current.addresses.length];
                for (int k = 0; k < idle.length; k++) {
                    idle[k] = new ArrayDeque<>();
                }
            }
            return r == current ? idle[i] : null;
        }

        void closeIdle() {
            if (idle != null) {
                for (int k = 0; k < idle.length; k++) {
                    for (Channel ch; (ch = idle[k].pollFirst()) != null; ) {
                        roster.stats[k].pooled.decrement();
                        ch.close();
                    }
                }
            }
        }
    }

    /** A stand-alone engine with event loops of its own (tests, benchmarks). */
    public HttpEngine(HttpServiceConfig config, String transportName, int threads) {
        this(config, Transport.choose(transportName), null, threads);
    }

    /**
     * An engine on the director's event loops ({@code group} is shared and not shut down by {@link #close}),
     * or on loops of its own when {@code group} is null.
     */
    public HttpEngine(HttpServiceConfig config, Transport transport, EventLoopGroup group, int threads) {
        this.config = config;
        this.stats = new HttpStats();
        this.roster = new Roster(config, stats);
        this.transport = transport;
        this.ownsGroup = group == null;
        this.group = group != null ? group : transport.newGroup(threads, "jvs-http");
    }

    /**
     * Takes a new configuration of the same listener: servers, scheduler, limits, timeouts. Requests in flight
     * finish on the servers they were sent to; the scheduler starts afresh (a locality table is rebuilt from
     * the requests that follow), and pooled connections are closed loop by loop as each loop next schedules.
     */
    public void update(HttpServiceConfig next) {
        if (!next.listen().equals(config.listen())) {
            throw new IllegalArgumentException("an update keeps the listener (" + config.listen() + ")");
        }
        Roster r = new Roster(next, stats);
        config = next;
        roster = r;
        stats.retain(next.backends().stream().map(HttpBackend::name).toList());
    }

    /** Binds the listener; returns the bound address (port 0 picks one). */
    public InetSocketAddress start() throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channelFactory(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (!sourceLimiter.admit(ch)) {
                            return; // over its source's limit: reset before a byte is read (counted by the limiter)
                        }
                        ServerTls t = tls;
                        if (t != null) {
                            ch.pipeline().addLast(t.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new ClientSession(HttpEngine.this));
                    }
                });
        if (transport.freebindOption() != null) {
            b.option(transport.freebindOption(), true); // a backup director binds VIPs VRRP has not given it yet
        }
        listener = b.bind(config.listen()).sync().channel();
        return (InetSocketAddress) listener.localAddress();
    }

    /**
     * The most connections one client address may hold open, for connections accepted from now on (0: none).
     * A connection over it is reset at accept, as HAProxy's {@code tcp-request connection reject} does.
     */
    public void limitPerSource(int max) {
        sourceLimiter.limit(max);
    }

    public org.jvs.proxy.SourceLimiter sourceLimiter() {
        return sourceLimiter;
    }

    public ServerSet servers() {
        return roster.servers;
    }

    public RequestScheduler scheduler() {
        return roster.scheduler;
    }


    public HttpStats stats() {
        return stats;
    }

    /**
     * Terminates TLS with {@code t} on connections accepted from now on (null: plain HTTP). Connections already
     * open keep what they were accepted with: a new certificate drops none of them.
     */
    public void tls(ServerTls t) {
        tls = t;
    }

    public ServerTls tls() {
        return tls;
    }

    /** A new connection to server {@code i} on the client's own event loop. */
    io.netty.channel.ChannelFuture connect(EventLoop loop, Roster r, int i, ServerConnection handler) {
        InetSocketAddress a = r.addresses[i];
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channelFactory(() -> transport.newSocketChannel(a.getAddress() instanceof java.net.Inet6Address))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.timeouts().connect().toMillis())
                .handler(handler);
        return b.connect(a);
    }

    /** Registers a session with its loop's sweep, starting the sweep on first use. */
    void register(ClientSession s, EventLoop loop) {
        LoopState st = loopState.get();
        s.loopIndex = st.sessions.size();
        st.sessions.add(s);
        sessionCount.incrementAndGet();
        if (st.sweep == null) {
            st.sweep = loop.scheduleAtFixedRate(() -> sweep(st), SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    void unregister(ClientSession s) {
        // swap-remove by the session's own index: O(1) however many connections the loop holds
        List<ClientSession> list = loopState.get().sessions;
        int i = s.loopIndex;
        if (i >= 0 && i < list.size() && list.get(i) == s) {
            ClientSession last = list.removeLast();
            if (last != s) {
                list.set(i, last);
                last.loopIndex = i;
            }
            s.loopIndex = -1;
            sessionCount.decrementAndGet();
        }
    }

    /** Client connections open now. */
    public int sessions() {
        return sessionCount.get();
    }

    /** Stops accepting: open connections go on until they end (or {@link #close}). */
    public void closeListener() {
        Channel l = listener;
        if (l != null) {
            l.close().syncUninterruptibly();
        }
    }

    /** Takes {@code units} of the admission limit, or says no (always yes when admission is off). */
    boolean admit(int units) {
        if (!config.admission()) {
            return true;
        }
        int limit = roster.servers.admissionLimit();
        while (true) {
            int cur = inFlight.get();
            if (cur + units > limit && cur > 0) {
                return false;
            }
            if (inFlight.compareAndSet(cur, cur + units)) {
                return true;
            }
        }
    }

    /** Gives admitted units back and lets this loop's queued requests try again. */
    void release(int units) {
        if (config.admission()) {
            inFlight.addAndGet(-units);
            retryQueued(loopState.get());
        }
    }

    public int inFlight() {
        return inFlight.get();
    }

    private static void retryQueued(LoopState st) {
        int n = st.queued.size();
        for (int i = 0; i < n; i++) {
            ClientSession s = st.queued.pollFirst();
            if (s == null || !s.retryAdmission()) {
                break;
            }
        }
    }

    private static void sweep(LoopState st) {
        long now = System.nanoTime();
        retryQueued(st);
        for (int i = st.sessions.size() - 1; i >= 0; i--) {
            if (i < st.sessions.size()) {
                st.sessions.get(i).checkTimeout(now);
            }
        }
    }

    /** Runs the scheduler's upkeep; the director calls it about once a second. */
    public void housekeeping() {
        roster.scheduler.housekeeping();
    }

    /** Each loop closes this engine's clients and pooled connections and stops its sweep. */
    private void closeSessions() {
        List<io.netty.util.concurrent.Future<?>> done = new ArrayList<>();
        for (io.netty.util.concurrent.EventExecutor e : group) {
            done.add(e.submit(() -> {
                if (!loopState.isSet()) {
                    return;
                }
                LoopState st = loopState.get();
                if (st.sweep != null) {
                    st.sweep.cancel(false);
                }
                for (ClientSession c : List.copyOf(st.sessions)) {
                    c.abort();
                }
                st.closeIdle();
                loopState.remove();
            }));
        }
        for (io.netty.util.concurrent.Future<?> f : done) {
            f.awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return; // closing twice is harmless (a test's own close, then its tear-down)
        }
        closeListener();
        closeSessions(); // on its own loops too: so the counters of open and pooled connections come back to 0
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
