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
import org.jvs.core.time.Clock;
import org.jvs.proxy.Transport;
import org.jvs.proxy.http.sched.L7Schedulers;
import org.jvs.proxy.http.sched.L7Server;
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

    final HttpServiceConfig config;
    final ServerSet servers;
    final RequestScheduler scheduler;
    final InetSocketAddress[] addresses;
    final Transport transport;
    final HttpStats stats;
    private final EventLoopGroup group;
    /** Request units in flight over all servers, against Σ high when admission control is on. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private Channel listener;

    /** Per event loop: idle pooled connections per server, and the live client sessions. */
    final FastThreadLocal<LoopState> loopState = new FastThreadLocal<>() {
        @Override
        protected LoopState initialValue() {
            return new LoopState(addresses.length);
        }
    };

    static final class LoopState {
        final ArrayDeque<Channel>[] idle;
        final List<ClientSession> sessions = new ArrayList<>();
        /** Sessions whose request waits for admission, oldest first. */
        final ArrayDeque<ClientSession> queued = new ArrayDeque<>();
        boolean sweeping;

        @SuppressWarnings("unchecked")
        LoopState(int servers) {
            idle = new ArrayDeque[servers];
            for (int i = 0; i < servers; i++) {
                idle[i] = new ArrayDeque<>();
            }
        }
    }

    public HttpEngine(HttpServiceConfig config, String transportName, int threads) {
        this.config = config;
        List<L7Server> list = new ArrayList<>();
        addresses = new InetSocketAddress[config.backends().size()];
        for (int i = 0; i < addresses.length; i++) {
            HttpBackend b = config.backends().get(i);
            list.add(new L7Server(i, b.name(), b.weight(), b.low(), b.high()));
            addresses[i] = b.address();
        }
        this.servers = new ServerSet(list);
        this.scheduler = L7Schedulers.create(config.scheduler(), servers, config.options(), Clock.SYSTEM);
        this.transport = Transport.choose(transportName);
        this.stats = new HttpStats(addresses.length);
        this.group = transport.newGroup(threads, "jvs-http");
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
                        ch.pipeline().addLast(new ClientSession(HttpEngine.this));
                    }
                });
        listener = b.bind(config.listen()).sync().channel();
        return (InetSocketAddress) listener.localAddress();
    }

    public ServerSet servers() {
        return servers;
    }

    public RequestScheduler scheduler() {
        return scheduler;
    }

    public HttpStats stats() {
        return stats;
    }

    /** A new connection to server {@code i} on the client's own event loop. */
    io.netty.channel.ChannelFuture connect(EventLoop loop, int i, ServerConnection handler) {
        InetSocketAddress a = addresses[i];
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
        st.sessions.add(s);
        if (!st.sweeping) {
            st.sweeping = true;
            loop.scheduleAtFixedRate(() -> sweep(st), SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    void unregister(ClientSession s) {
        loopState.get().sessions.remove(s);
    }

    /** Takes {@code units} of the admission limit, or says no (always yes when admission is off). */
    boolean admit(int units) {
        if (!config.admission()) {
            return true;
        }
        int limit = servers.admissionLimit();
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
        scheduler.housekeeping();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
