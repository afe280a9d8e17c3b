package org.jvs.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jvs.core.Decision;
import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.sched.Flow;

/**
 * The UDP side of one service: the VIP socket, and a session per client address and port, each with a
 * socket of its own towards the real server (so replies are told apart by the socket they arrive on).
 * Replies leave from the VIP socket, so the client sees the address it sent to.
 *
 * <p>Everything runs on the VIP channel's event loop (sessions register there too): the session map and
 * the scratch {@link Flow}/{@link Decision} need no lock.
 *
 * <p>Ordinary services: a session is connected to the server the core chose for its first datagram; every
 * datagram goes through {@code inbound} (counts and refreshes the entry) and every reply through
 * {@code outbound}. One-packet scheduling ({@code -o}): the core schedules each datagram alone and keeps no
 * entry, so the session's socket is unconnected and each datagram goes to the server chosen for it;
 * replies from any of them are relayed (the core has no entry to count them on).
 */
final class UdpListener extends ChannelInboundHandlerAdapter implements SocketEngine.Listener {
    private static final System.Logger LOG = System.getLogger(UdpListener.class.getName());
    /** Datagrams held per session while its socket is being set up; more are dropped. */
    private static final int MAX_EARLY = 64;

    private final SocketEngine engine;
    private final LoadBalancer lb;
    private final ServiceKey.Virtual key;
    private final Map<InetSocketAddress, Session> sessions = new HashMap<>();
    private final Map<Dest, InetSocketAddress> destAddrs = new IdentityHashMap<>();
    private final Flow scratch = new Flow();
    private final Decision d = new Decision();
    private volatile Channel vip;
    private volatile boolean accepting = true;

    UdpListener(SocketEngine engine, ServiceKey.Virtual key) {
        this.engine = engine;
        this.lb = engine.lb();
        this.key = key;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        vip = ctx.channel();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket p = (DatagramPacket) msg;
        try {
            fromClient(p);
        } finally {
            p.release();
        }
    }

    private void fromClient(DatagramPacket p) {
        InetSocketAddress sender = p.sender();
        ByteBuf content = p.content();
        Session s = sessions.get(sender);
        Flow f;
        if (s != null) {
            f = s.flow;
        } else {
            if (!accepting) {
                return;
            }
            IpAddr cip = IpAddr.of(sender.getAddress());
            if (cip.v6() != key.v6()) {
                engine.counters.udpDropped.increment();
                return;
            }
            f = scratch.set(17, cip, sender.getPort(), key.address(), key.port());
        }
        lb.inbound(f, 0, content.readableBytes(), d);
        if (d.verdict != Decision.ACCEPT) {
            engine.counters.udpDropped.increment();
            return;
        }
        boolean onePacket = d.conn < 0;
        if (s != null && (s.onePacket != onePacket || (!onePacket && s.dest != d.dest))) {
            // The core forgot the old entry (it expired) and chose again: follow it.
            s.close();
            s = null;
        }
        if (s == null) {
            if (!accepting) {
                return;
            }
            s = new Session(sender, f, onePacket, d.dest);
            sessions.put(sender, s);
            engine.udpSessions.incrementAndGet();
            s.open();
        }
        s.send(content, d.dest);
    }

    private InetSocketAddress addressOf(Dest dest) {
        InetSocketAddress a = destAddrs.get(dest);
        if (a == null) {
            a = new InetSocketAddress(dest.address().toInetAddress(), dest.port() != 0 ? dest.port() : key.port());
            if (destAddrs.size() > 1024) {
                destAddrs.clear();
            }
            destAddrs.put(dest, a);
        }
        return a;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP errors surface here on some platforms; a UDP socket lives on.
        LOG.log(System.Logger.Level.DEBUG, "udp {0}: {1}", key, cause.toString());
    }

    @Override
    public void closeListening() {
        accepting = false;
    }

    @Override
    public void close() {
        accepting = false;
        Channel ch = vip;
        if (ch == null) {
            return;
        }
        ch.eventLoop().submit(() -> {
            for (Session s : new ArrayList<>(sessions.values())) {
                s.close();
            }
        }).awaitUninterruptibly(2, TimeUnit.SECONDS);
        ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    /** One client's session. */
    private final class Session extends ChannelInboundHandlerAdapter {
        final InetSocketAddress client;
        final Flow flow = new Flow();
        final Flow reply = new Flow();
        final boolean onePacket;
        final Dest dest;
        Channel channel;
        boolean ready;
        boolean closed;
        ArrayDeque<Object> early;
        long lastActivity = System.nanoTime();
        ScheduledFuture<?> idleTimer;

        Session(InetSocketAddress client, Flow f, boolean onePacket, Dest dest) {
            this.client = client;
            this.flow.set(17, f.src(), f.srcPort, f.dst(), f.dstPort);
            this.onePacket = onePacket;
            this.dest = dest;
            IpAddr c = f.src();
            IpAddr from = dest.address().v6() == c.v6() ? dest.address() : c.v6() ? IpAddr.v6(0, 0) : IpAddr.v4(0);
            this.reply.set(17, from, dest.port() != 0 ? dest.port() : key.port(), c, f.srcPort);
        }

        void open() {
            Channel v = vip;
            boolean v6 = onePacket ? key.v6() : dest.address().v6();
            Bootstrap b = new Bootstrap()
                    .group(v.eventLoop())
                    .channelFactory(engine.transport().datagramChannel(v6))
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, engine.waterMark())
                    .handler(this);
            ChannelFuture f = onePacket ? b.bind(new InetSocketAddress(v6 ? "::" : "0.0.0.0", 0)) : b.connect(addressOf(dest));
            channel = f.channel();
            f.addListener((ChannelFuture done) -> {
                if (closed) {
                    return;
                }
                if (!done.isSuccess()) {
                    LOG.log(System.Logger.Level.DEBUG, "udp {0}: session to {1} failed: {2}", key, dest.label(), done.cause());
                    close();
                    return;
                }
                ready = true;
                if (early != null) {
                    for (Object m : early) {
                        channel.write(m, channel.voidPromise());
                    }
                    channel.flush();
                    early = null;
                }
                scheduleIdle(idleTimeoutNanos());
            });
        }

        void send(ByteBuf content, Dest to) {
            lastActivity = System.nanoTime();
            Object m = onePacket ? new DatagramPacket(content.retain(), addressOf(to)) : content.retain();
            if (!ready) {
                if (early == null) {
                    early = new ArrayDeque<>();
                }
                if (early.size() < MAX_EARLY) {
                    early.add(m);
                } else {
                    release(m);
                    engine.counters.udpDropped.increment();
                }
                return;
            }
            if (!channel.isWritable()) {
                release(m);
                engine.counters.udpDropped.increment();
                return;
            }
            channel.writeAndFlush(m, channel.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            try {
                if (closed) {
                    return;
                }
                lastActivity = System.nanoTime();
                ByteBuf content = p.content();
                if (!onePacket) {
                    lb.outbound(reply, 0, content.readableBytes(), d);
                    if (d.verdict != Decision.ACCEPT) {
                        engine.counters.udpDropped.increment();
                        return;
                    }
                }
                Channel v = vip;
                if (v == null || !v.isWritable()) {
                    engine.counters.udpDropped.increment();
                    return;
                }
                v.writeAndFlush(new DatagramPacket(content.retain(), client), v.voidPromise());
            } finally {
                p.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // e.g. ICMP port unreachable reported on a connected socket: the datagram is lost, as in UDP.
            LOG.log(System.Logger.Level.DEBUG, "udp {0} -> {1}: {2}", client, dest.label(), cause.toString());
        }

        private long idleTimeoutNanos() {
            return TimeUnit.SECONDS.toNanos(Math.max(1, lb.timeouts().udp()));
        }

        private void scheduleIdle(long delay) {
            idleTimer = channel.eventLoop().schedule(this::checkIdle, delay, TimeUnit.NANOSECONDS);
        }

        private void checkIdle() {
            if (closed) {
                return;
            }
            long timeout = idleTimeoutNanos();
            long idle = System.nanoTime() - lastActivity;
            if (idle >= timeout) {
                close();
            } else {
                scheduleIdle(timeout - idle);
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (idleTimer != null) {
                idleTimer.cancel(false);
            }
            if (early != null) {
                early.forEach(Session::release);
                early = null;
            }
            if (sessions.get(client) == this) {
                sessions.remove(client);
            }
            engine.udpSessions.decrementAndGet();
            channel.close();
        }

        private static void release(Object m) {
            io.netty.util.ReferenceCountUtil.release(m);
        }
    }
}
