package org.jvs.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.jvs.core.Decision;
import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.conn.TcpState;
import org.jvs.core.conn.TcpStateMachine;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ProxyProtocol;
import org.jvs.core.sched.Flow;

/**
 * One relayed TCP connection: the client's channel (front), the real server's (back), and what the core
 * knows of them. Everything here runs on the front channel's event loop (the back channel is registered
 * on the same loop), so no field needs a lock; the engine only reads a few of them for metrics.
 *
 * <p>Life: accept, {@code inbound(SYN)} schedules; connect (bounded time; on failure {@code retry} picks
 * the next server, at most once per server); connected: {@code inbound(ACK)} makes the entry ESTABLISHED;
 * PROXY header if the server wants one; then both directions relay with reads only while the other side is
 * writable. EOF on one side is passed on as shutdownOutput of the other after what is queued; both EOFs
 * close. A reset (or any error) on one side aborts the other with SO_LINGER 0.
 */
final class TcpRelay {
    private static final System.Logger LOG = System.getLogger(TcpRelay.class.getName());
    private static final int FIN_ACK = TcpStateMachine.FIN | TcpStateMachine.ACK;

    private final SocketEngine engine;
    private final LoadBalancer lb;
    private final IpAddr vip;
    private final int vport;
    final Channel front;
    volatile Channel back;

    // The core's view of this connection; per relay, so the data path allocates nothing.
    private final Flow flow = new Flow();
    private final Flow reply = new Flow();
    private final Decision d = new Decision();
    private IpAddr client;
    private int clientPort;
    private Dest dest;
    private int attempts;
    private int maxAttempts;
    private InetSocketAddress connectTo;

    private boolean connected;
    private boolean frontEof;
    private boolean backEof;
    private boolean frontOutShut;
    private boolean backOutShut;
    private boolean frontEofCloses; // half-closure turned off: Netty closes the channel on its EOF
    private boolean backEofCloses;
    private volatile boolean closed;
    private long lastActivity;
    private ArrayDeque<ByteBuf> early;
    private ScheduledFuture<?> idleTimer;
    // Set once relaying starts, when the engine splices; null while copying.
    private Spliced clientToServer;
    private Spliced serverToClient;

    final FrontHandler frontHandler = new FrontHandler();
    private final BackHandler backHandler = new BackHandler();
    private final ChannelFutureListener onRegistered = this::registered;
    private final ChannelFutureListener onConnect = this::connected;
    private final Runnable idleCheck = this::checkIdle;

    TcpRelay(SocketEngine engine, IpAddr vip, int vport, Channel front) {
        this.engine = engine;
        this.lb = engine.lb();
        this.vip = vip;
        this.vport = vport;
        this.front = front;
    }

    // ---- opening -------------------------------------------------------------------------------------

    private void start() {
        InetSocketAddress ra = (InetSocketAddress) front.remoteAddress();
        if (ra == null) {
            teardown(true);
            return;
        }
        client = IpAddr.of(ra.getAddress());
        clientPort = ra.getPort();
        if (client.v6() != vip.v6()) {
            LOG.log(System.Logger.Level.WARNING, "client {0} of another address family than VIP {1}: closed", client, vip);
            teardown(true);
            return;
        }
        flow.set(6, client, clientPort, vip, vport);
        lb.inbound(flow, TcpStateMachine.SYN, 0, d);
        if (d.verdict != Decision.ACCEPT) {
            engine.counters.rejected.increment();
            LOG.log(System.Logger.Level.DEBUG, "{0}: {1}, closed", flow, Decision.name(d.verdict));
            teardown(true);
            return;
        }
        maxAttempts = Math.max(1, d.dest.service().dests().length);
        connect(d.dest);
    }

    private void connect(Dest target) {
        dest = target;
        attempts++;
        int port = target.port() != 0 ? target.port() : vport;
        connectTo = new InetSocketAddress(target.address().toInetAddress(), port);
        // The channel is made and configured here rather than by a Bootstrap: a Bootstrap per connection
        // allocates its option maps and defers the connect to a task that runs only after the whole batch
        // of I/O events. TCP_NODELAY is not set: Netty's channel config sets it on every new socket.
        SocketChannel ch = engine.transport().newSocketChannel(target.address().v6());
        SocketChannelConfig c = ch.config();
        c.setAutoRead(false);
        c.setAllowHalfClosure(true);
        c.setWriteBufferWaterMark(engine.waterMark());
        c.setRecvByteBufAllocator(engine.splicing() ? new SpliceMeter() : SocketEngine.readSizes());
        c.setConnectTimeoutMillis(engine.connectTimeoutMillis());
        ch.pipeline().addLast(backHandler);
        front.eventLoop().register(ch).addListener(onRegistered);
    }

    private void registered(ChannelFuture f) {
        if (closed || !f.isSuccess()) {
            connected(f); // closes it, or counts the failure as a failed attempt
            return;
        }
        f.channel().connect(connectTo).addListener(onConnect);
    }

    private void connected(ChannelFuture f) {
        if (closed) {
            f.channel().close();
            return;
        }
        if (!f.isSuccess()) {
            engine.counters.connectFailures.increment();
            Dest failed = dest;
            LOG.log(System.Logger.Level.DEBUG, "{0}: connect to {1} failed: {2}", flow, failed.label(), f.cause());
            if (attempts >= maxAttempts) {
                // Every server refused: the entry will never carry anything, so it should not sit out its
                // SYN_RECV timeout counted against the last server tried.
                lb.forget(flow);
                teardown(true);
                return;
            }
            lb.retry(flow, failed, TcpStateMachine.SYN, d);
            if (d.verdict != Decision.ACCEPT) {
                lb.forget(flow);
                teardown(true);
                return;
            }
            engine.counters.retried.increment();
            connect(d.dest);
            return;
        }
        back = f.channel();
        lb.inbound(flow, TcpStateMachine.ACK, 0, d);
        if (d.verdict != Decision.ACCEPT) {
            teardown(true);
            return;
        }
        connected = true;
        // The reply tuple the core stored: real server address and port to the client (a server of the
        // other family, reached through a tunnel, is stored as the zero address).
        IpAddr from = dest.address().v6() == client.v6() ? dest.address() : client.v6() ? IpAddr.v6(0, 0) : IpAddr.v4(0);
        reply.set(6, from, dest.port() != 0 ? dest.port() : vport, client, clientPort);
        ProxyProtocol pp = dest.spec().proxyProtocol();
        if (pp != ProxyProtocol.NONE) {
            InetSocketAddress local = (InetSocketAddress) front.localAddress();
            IpAddr server = local != null ? IpAddr.of(local.getAddress()) : vip;
            if (server.v6() != client.v6()) {
                server = vip;
            }
            back.writeAndFlush(ProxyHeader.encode(back.alloc(), pp, client, clientPort, server,
                    local != null ? local.getPort() : vport), back.voidPromise());
        }
        lastActivity = System.nanoTime();
        scheduleIdle(idleTimeoutNanos());
        if (early != null) {
            ArrayDeque<ByteBuf> held = early;
            early = null;
            for (ByteBuf buf; (buf = held.poll()) != null; ) {
                if (!forward(buf)) { // it released buf: the relay is closed
                    held.forEach(ByteBuf::release);
                    return;
                }
            }
        }
        if (engine.splicing() && splicable()) {
            if (!frontEof) {
                clientToServer = new Spliced(front, back, true);
            }
            serverToClient = new Spliced(back, front, false);
        }
        if (frontEof) {
            clientClosed();
        } else if (clientToServer != null) {
            clientToServer.start();
        } else if (back.isWritable()) {
            front.read();
        }
        if (serverToClient != null) {
            serverToClient.start();
        } else {
            back.read();
        }
    }

    /** splice(2) between the two channels needs Netty's epoll stream channels on one event loop. */
    private boolean splicable() {
        if (front instanceof AbstractEpollStreamChannel && back instanceof AbstractEpollStreamChannel
                && front.eventLoop() == back.eventLoop()) {
            return true;
        }
        LOG.log(System.Logger.Level.DEBUG, "{0}: not spliced (channels {1}, {2}): copying", flow,
                front.getClass().getSimpleName(), back.getClass().getSimpleName());
        return false;
    }

    // ---- relaying ------------------------------------------------------------------------------------

    private void fromClient(ByteBuf buf) {
        if (closed) {
            buf.release();
            return;
        }
        if (!connected) {
            // Netty reads a closing client (EPOLLRDHUP) even before we ask: hold it for the server. The
            // client cannot have sent more than its window, so this is bounded by the socket buffer.
            if (early == null) {
                early = new ArrayDeque<>();
            }
            early.add(buf);
            return;
        }
        if (forward(buf) && !frontEof && back.isWritable()) {
            front.read();
        }
    }

    /** Client bytes to the server, counted by the core; false if the core no longer knows the connection. */
    private boolean forward(ByteBuf buf) {
        if (closed) { // a write just failed and tore the relay down
            buf.release();
            return false;
        }
        lastActivity = System.nanoTime();
        lb.inbound(flow, TcpStateMachine.ACK, buf.readableBytes(), d);
        if (d.verdict != Decision.ACCEPT) {
            // The core no longer has the connection (expired idle, or its server was dropped).
            buf.release();
            engine.counters.expired.increment();
            teardown(true);
            return false;
        }
        engine.counters.copied.add(buf.readableBytes());
        Channel b = back;
        b.writeAndFlush(buf, b.voidPromise());
        engine.notePending(pending(b));
        return true;
    }

    private void fromServer(ByteBuf buf) {
        if (closed) {
            buf.release();
            return;
        }
        lastActivity = System.nanoTime();
        lb.outbound(reply, TcpStateMachine.ACK, buf.readableBytes(), d);
        if (d.verdict != Decision.ACCEPT) {
            buf.release();
            engine.counters.expired.increment();
            teardown(true);
            return;
        }
        engine.counters.copied.add(buf.readableBytes());
        front.writeAndFlush(buf, front.voidPromise());
        engine.notePending(pending(front));
        if (front.isWritable()) {
            back.read();
        }
    }

    private void frontWritable() {
        if (!closed && connected && !backEof && front.isWritable()) {
            if (serverToClient != null) {
                serverToClient.writable();
            } else {
                back.read();
            }
        }
    }

    private void backWritable() {
        if (!closed && connected && !frontEof && back.isWritable()) {
            if (clientToServer != null) {
                clientToServer.writable();
            } else {
                front.read();
            }
        }
    }

    private void clientEof() {
        if (closed || frontEof) {
            return;
        }
        frontEof = true;
        if (connected) {
            clientClosed();
        }
        // else: passed on once connected
    }

    private void clientClosed() {
        lb.inbound(flow, FIN_ACK, 0, d);
        shutdownAfterPending(back, true);
    }

    private void serverEof() {
        if (closed || backEof) {
            return;
        }
        backEof = true;
        lb.outbound(reply, FIN_ACK, 0, d);
        shutdownAfterPending(front, false);
    }

    /** Sends FIN on {@code ch} once everything queued before it is written. */
    private void shutdownAfterPending(Channel ch, boolean isBack) {
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture w) -> {
            if (closed) {
                return;
            }
            if (!w.isSuccess()) {
                reset(ch, w.cause());
                return;
            }
            if (frontEof && backEof && (isBack ? frontOutShut : backOutShut)) {
                // Both directions are over and all is written: close sends the FIN, so shutdownOutput
                // first would be one more system call for nothing. Both inputs were read to their EOF, so
                // nothing unread is left that would make close send a reset instead.
                teardown(false);
                return;
            }
            ((DuplexChannel) ch).shutdownOutput().addListener((ChannelFuture s) -> {
                if (isBack) {
                    backOutShut = true;
                } else {
                    frontOutShut = true;
                }
                if (frontEof && backEof && frontOutShut && backOutShut) {
                    teardown(false);
                } else if (s.isSuccess() && !closed && !(isBack ? backEof : frontEof)) {
                    // Only ch's EOF is still to come, and it ends the relay. With half-closure on, Netty
                    // answers it with shutdown(SHUT_RD) (which fails, ENOTCONN, once both FINs have
                    // crossed) and, on epoll, an epoll_ctl to drop EPOLLIN, just before we close anyway.
                    // Off, Netty closes the channel on that EOF instead: channelInactive, taken as the EOF.
                    // A reset still comes first as exceptionCaught (the read fails), so it is not mistaken.
                    // Not when splicing: Netty's splice takes EPOLLRDHUP as the end of input at once, and
                    // would then close the channel with bytes still unread (Spliced.finSeen).
                    if (serverToClient != null) {
                        return;
                    }
                    if (isBack) {
                        backEofCloses = true;
                    } else {
                        frontEofCloses = true;
                    }
                    ((DuplexChannelConfig) ch.config()).setAllowHalfClosure(false);
                }
            });
        });
    }

    /** One side was reset (or failed): tell the core, abort the other side. */
    private void reset(Channel side, Throwable cause) {
        if (closed) {
            return;
        }
        if (side == front) {
            lb.inbound(flow, TcpStateMachine.RST, 0, d);
        } else if (connected) {
            lb.outbound(reply, TcpStateMachine.RST, 0, d);
        }
        if (cause != null && !(cause instanceof IOException)) {
            LOG.log(System.Logger.Level.WARNING, "relay " + flow + " failed", cause);
        }
        engine.counters.resets.increment();
        teardown(true);
    }

    // ---- idle and closing ----------------------------------------------------------------------------

    private long idleTimeoutNanos() {
        int state = frontEof || backEof ? TcpState.FIN_WAIT.ordinal() : TcpState.ESTABLISHED.ordinal();
        return TimeUnit.SECONDS.toNanos(Math.max(1, lb.timeouts().tcp(state)));
    }

    private void scheduleIdle(long delayNanos) {
        idleTimer = front.eventLoop().schedule(idleCheck, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        if (closed) {
            return;
        }
        long timeout = idleTimeoutNanos();
        long idle = System.nanoTime() - lastActivity;
        if (idle >= timeout) {
            engine.counters.idleClosed.increment();
            lb.inbound(flow, TcpStateMachine.RST, 0, d);
            teardown(false);
            return;
        }
        scheduleIdle(timeout - idle);
    }

    /** From any thread: ends the relay now (engine stop). */
    void kill() {
        front.eventLoop().execute(() -> {
            if (!closed) {
                lb.inbound(flow, TcpStateMachine.RST, 0, d);
                teardown(true);
            }
        });
    }

    private void teardown(boolean abort) {
        if (closed) {
            return;
        }
        closed = true;
        if (idleTimer != null) {
            idleTimer.cancel(false);
        }
        if (early != null) {
            early.forEach(ByteBuf::release);
            early = null;
        }
        close(front, abort);
        Channel b = back;
        if (b != null) {
            close(b, abort);
        }
        engine.relayClosed(this);
    }

    private static void close(Channel ch, boolean abort) {
        if (abort && ch.isOpen()) {
            try {
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException ignored) {
                // the socket may already be gone; close anyway
            }
        }
        ch.close();
    }

    boolean isClosed() {
        return closed;
    }

    /** Bytes queued in the engine for {@code ch}, not yet taken by its socket. */
    static long pending(Channel ch) {
        ChannelOutboundBuffer ob = ch.unsafe().outboundBuffer();
        return ob == null ? 0 : ob.totalPendingWriteBytes();
    }

    long pendingBytes() {
        Channel b = back;
        return pending(front) + (b == null ? 0 : pending(b));
    }

    // ---- splicing ------------------------------------------------------------------------------------

    /**
     * One direction relayed with splice(2): Netty moves {@code src}'s bytes into a pipe and from it into
     * {@code dst}, never into user space. One open-ended splice request per direction; with auto-read off
     * each {@code src.read()} is one round of at most {@link SocketEngine#MAX_READ} bytes, after which Netty
     * clears EPOLLIN and fires channelReadComplete: the round's bytes (from the {@link SpliceMeter}) go to
     * the core as one read, and the next round is asked for only once {@code dst} took everything out of
     * the pipe, so the pipe (at most one round) is all the engine holds, however slow the reader.
     *
     * <p>The end: Netty's splice takes EPOLLRDHUP (the peer's FIN has arrived) as the end of input after
     * one round, whatever is still queued in the socket ahead of the FIN, and reads no more. So on that
     * event the rest is read here, straight from the socket with plain reads (queued after the pipe's
     * bytes, so in order) until the real end of stream, and only then is the FIN passed on.
     */
    private final class Spliced implements ChannelFutureListener {
        private final AbstractEpollStreamChannel src;
        private final Channel dst;
        private final boolean fromClient;
        private final SpliceMeter meter;
        private final ChannelFutureListener pipeDrained = f -> rearm();
        private final Runnable readAgain = this::readAgain;
        private boolean fin; // src's FIN has arrived: reading the rest without splice
        private boolean done; // src read to its end

        Spliced(Channel src, Channel dst, boolean fromClient) {
            this.src = (AbstractEpollStreamChannel) src;
            this.dst = dst;
            this.fromClient = fromClient;
            this.meter = (SpliceMeter) src.config().getRecvByteBufAllocator();
        }

        void start() {
            meter.take(); // what was read before (copied) is not this direction's to count again
            src.spliceTo((AbstractEpollStreamChannel) dst, Integer.MAX_VALUE, src.newPromise()).addListener(this);
            src.read();
        }

        /** The splice request failed: a reset or error on either socket (or the relay closed them). */
        @Override
        public void operationComplete(ChannelFuture f) {
            if (!f.isSuccess() && !closed) {
                reset(fromClient ? front : back, f.cause());
            }
        }

        /** A round of splicing is over. */
        void roundDone() {
            if (closed || fin) {
                return;
            }
            if (count(spliced())) {
                rearm();
            }
        }

        /** Reads again once the pipe is empty (dst's queue holds what is still in it). */
        private void rearm() {
            if (closed || fin) {
                return;
            }
            ChannelOutboundBuffer ob = dst.unsafe().outboundBuffer();
            if (ob != null && !ob.isEmpty()) {
                // dst is slow: learn when it has taken the pipe's bytes (a promise, only in this case)
                dst.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(pipeDrained);
            } else {
                // Not src.read() here: this runs inside Netty's read handling of src, which clears EPOLLIN
                // when it ends if a splice is pending and auto-read is off; the next round would never come.
                src.eventLoop().execute(readAgain);
            }
        }

        private void readAgain() {
            if (!closed && !fin) {
                src.read();
            }
        }

        private long spliced() {
            long n = meter.take();
            engine.counters.spliced.add(n);
            return n;
        }

        /** The core counts n relayed bytes as one read; false if it no longer knows the connection. */
        private boolean count(long n) {
            if (n == 0) {
                return true;
            }
            lastActivity = System.nanoTime();
            if (fromClient) {
                lb.inbound(flow, TcpStateMachine.ACK, (int) n, d);
            } else {
                lb.outbound(reply, TcpStateMachine.ACK, (int) n, d);
            }
            if (d.verdict != Decision.ACCEPT) {
                engine.counters.expired.increment();
                teardown(true);
                return false;
            }
            return true;
        }

        /** Netty saw src's FIN and stopped reading it: what is queued before the FIN is read here. */
        void finSeen() {
            if (closed || fin) {
                return;
            }
            fin = true;
            if (count(spliced())) {
                drain();
            }
        }

        void writable() {
            if (fin && !done) {
                drain();
            }
        }

        /**
         * Plain reads of what is left, while dst takes it (else resumed by dst's writability). The FIN is in,
         * so a read never waits: it returns bytes or the end of the stream.
         */
        private void drain() {
            while (!closed && !done && dst.isWritable()) {
                ByteBuf buf = src.alloc().directBuffer(SocketEngine.MAX_READ);
                int n;
                try {
                    ByteBuffer nio = buf.internalNioBuffer(0, buf.writableBytes());
                    n = src.fd().read(nio, nio.position(), nio.limit());
                } catch (IOException e) {
                    buf.release();
                    reset(fromClient ? front : back, e);
                    return;
                }
                if (n <= 0) { // -1: end of stream (0, "try again", cannot follow a FIN and the SHUT_RD Netty did)
                    buf.release();
                    done = true;
                    if (fromClient) {
                        clientEof();
                    } else {
                        serverEof();
                    }
                    return;
                }
                buf.writerIndex(n);
                if (!count(n)) {
                    buf.release();
                    return;
                }
                engine.counters.copied.add(n);
                dst.writeAndFlush(buf, dst.voidPromise());
                engine.notePending(pending(dst));
            }
        }
    }

    // ---- handlers ------------------------------------------------------------------------------------

    final class FrontHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            start();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            fromClient((ByteBuf) msg);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            frontWritable();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (clientToServer != null) {
                clientToServer.roundDone();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                if (clientToServer != null) {
                    clientToServer.finSeen();
                } else {
                    clientEof();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (frontEofCloses) {
                clientEof(); // Netty closed it on its EOF, half-closure being off (shutdownAfterPending)
                return;
            }
            reset(front, null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            reset(front, cause);
        }
    }

    /** Shared by the channels of successive connect attempts; events of a stale attempt are ignored. */
    @ChannelHandler.Sharable
    final class BackHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (ctx.channel() != back) {
                ((ByteBuf) msg).release();
                return;
            }
            fromServer((ByteBuf) msg);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel() == back) {
                backWritable();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (serverToClient != null && ctx.channel() == back) {
                serverToClient.roundDone();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && ctx.channel() == back) {
                if (serverToClient != null) {
                    serverToClient.finSeen();
                } else {
                    serverEof();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == back) {
                if (backEofCloses) {
                    serverEof(); // see FrontHandler
                    return;
                }
                reset(back, null);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ctx.channel() == back) {
                reset(back, cause);
            } else {
                ctx.close();
            }
        }
    }
}
