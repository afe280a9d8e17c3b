package org.jvs.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ProxyProtocol;
import org.jvs.proxy.ProxyHeader;
import org.jvs.proxy.http.sched.L7Request;
import org.jvs.proxy.http.sched.L7Server;

/**
 * One client connection. Requests are taken one at a time: the head is parsed, a server chosen, the head
 * and body forwarded, the response relayed; only then is the next (possibly already pipelined) request
 * parsed, so responses come back in request order while each request may go to a different server. Reads
 * are explicit (auto-read off) so a slow side stops the other: back-pressure without buffering bodies.
 */
final class ClientSession extends ChannelInboundHandlerAdapter {

    private static final byte[] CLOSE_LINE = "Connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE_LINE = "Connection: keep-alive\r\n".getBytes(StandardCharsets.US_ASCII);

    /** TUNNEL: after a 101 to an Upgrade or a 2xx to a CONNECT, bytes pass both ways unparsed until a close. */
    private enum State { HEAD, QUEUED, CONNECTING, BODY, WAIT, TUNNEL, CLOSED }

    private final HttpEngine engine;
    private final RequestParser parser;
    private final RequestHead head;
    private final ChunkedBody requestChunks;
    private final ResponseParser responseParser;
    private final ResponseHead response = new ResponseHead();
    private final ChunkedBody responseChunks;
    private final L7Request request = new L7Request();

    private ChannelHandlerContext ctx;
    private ByteBuf in;
    private ByteBuf rin;
    private State state = State.HEAD;
    private long sourceHash;

    private L7Server server;
    /** The roster {@link #server} was picked from. */
    private Roster roster;
    private int units;
    private ServerConnection conn;
    private long bodyRemaining;
    private boolean responseStarted;
    private boolean responseBody;
    private boolean clientKeepAlive;
    private boolean retried;
    /** The current request may become a tunnel (an Upgrade the service tunnels, or a CONNECT it allows). */
    private boolean tunnelRequest;
    private long deadline;
    /** When the current request's head was parsed, and when it went to its server (response times). */
    private long dispatched;
    private long sent;
    private boolean admitted;
    private byte[] clientAddressLine;
    /**
     * An idle connection to a server that takes PROXY headers: it told that server this client's address,
     * so it serves only this client's next requests to the same server (never the loop's pool).
     */
    private ServerConnection privateConn;
    /** Where this session is in its loop's list of sessions (the engine's O(1) removal), -1 when not. */
    int loopIndex = -1;

    ClientSession(HttpEngine engine) {
        this.engine = engine;
        HttpLimits limits = engine.config.limits();
        this.parser = new RequestParser(limits);
        this.head = new RequestHead(limits);
        this.requestChunks = new ChunkedBody(limits.maxHeadBytes());
        this.responseParser = new ResponseParser(limits);
        this.responseChunks = new ChunkedBody(32768);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        in = ctx.alloc().directBuffer(4096);
        rin = ctx.alloc().directBuffer(4096);
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            sourceHash = a.getAddress().hashCode() * 0x9E3779B97F4A7C15L;
            if (engine.config.clientAddress() != HttpServiceConfig.ClientAddress.NONE) {
                // built once per connection, and only when asked for: a new connection is the costly path
                String ip = a.getAddress().getHostAddress();
                int pct = ip.indexOf('%');
                ip = pct >= 0 ? ip.substring(0, pct) : ip;
                boolean v6 = a.getAddress() instanceof java.net.Inet6Address;
                clientAddressLine = (engine.config.clientAddress() == HttpServiceConfig.ClientAddress.X_FORWARDED_FOR
                        ? "X-Forwarded-For: " + ip : "Forwarded: for=" + (v6 ? "\"[" + ip + "]\"" : ip)).concat("\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
            }
        }
        engine.register(this, ctx.channel().eventLoop());
        deadline = System.nanoTime() + engine.config.timeouts().httpRequest().toNanos();
        ctx.read();
    }

    // ---- client side ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf b = (ByteBuf) msg;
        if (state == State.CLOSED) {
            b.release();
            return;
        }
        if (state == State.TUNNEL) {
            Channel sc = conn.ctx.channel();
            deadline = System.nanoTime() + engine.config.timeouts().tunnel().toNanos();
            sc.writeAndFlush(b); // the buffer goes as it is: a tunnel copies nothing
            if (sc.isWritable()) {
                ctx.read();
            }
            return;
        }
        if (in.readableBytes() == 0 && state == State.HEAD && head.start < 0) {
            in.clear();
        }
        in.writeBytes(b);
        b.release();
        if (state == State.HEAD && head.start < 0) {
            // first byte of a new request: http-request runs from here (http-keep-alive ran until now)
            deadline = System.nanoTime() + engine.config.timeouts().httpRequest().toNanos();
        }
        process();
    }

    private void process() {
        while (state != State.CLOSED) {
            if (state == State.HEAD) {
                int r = parser.parse(in, head);
                if (r == RequestParser.NEED_MORE) {
                    ctx.read();
                    return;
                }
                if (r == RequestParser.REJECT) {
                    engine.stats.refused.increment();
                    fail(head.status);
                    return;
                }
                dispatch();
                continue;
            }
            if (state == State.BODY) {
                if (!forwardBody()) {
                    return;
                }
                continue;
            }
            return;
        }
    }

    private void dispatch() {
        engine.stats.requests.increment();
        dispatched = System.nanoTime();
        HttpServiceConfig.Tunnels tunnels = engine.config.tunnels();
        if (head.method == Method.CONNECT && !tunnels.connect() || head.upgradeIndex >= 0 && head.method != Method.GET) {
            engine.stats.refused.increment();
            fail(501);
            return;
        }
        tunnelRequest = head.method == Method.CONNECT
                || tunnels.upgrade() && head.upgradeIndex >= 0 && head.version == 11 && !head.hasBody();
        request.set(head, sourceHash);
        units = request.units();
        if (!engine.admit(units)) {
            // the servers carry Σ high: wait, in arrival order, for a request to finish (or the queue timeout)
            state = State.QUEUED;
            deadline = System.nanoTime() + engine.config.timeouts().queue().toNanos();
            engine.loopState.get().queued.addLast(this);
            return;
        }
        admitted = true;
        schedule();
    }

    /** Called by the loop when admission may have room; false when this request must go on waiting. */
    boolean retryAdmission() {
        if (state != State.QUEUED) {
            return true;
        }
        if (!engine.admit(units)) {
            engine.loopState.get().queued.addFirst(this);
            return false;
        }
        admitted = true;
        schedule();
        process();
        return true;
    }

    private void schedule() {
        Roster r = engine.roster;
        L7Server s = r.scheduler.pick(request);
        if (s == null) {
            fail(503);
            return;
        }
        server = s;
        roster = r;
        s.begin(units);
        r.stats[s.index()].requests.increment();
        org.jvs.core.Dest d = s.dest();
        if (d != null) {
            d.stats().connection(); // a request is the http engine's "connection" in jvsadm -L --stats
            d.service().stats().connection();
        }
        clientKeepAlive = head.keepAlive();
        retried = false;
        useConnection();
    }

    /**
     * A pooled connection to the chosen server if one is idle on this loop (for a PROXY server: this client's
     * own idle one), else a new one.
     */
    private void useConnection() {
        useConnection(true);
    }

    /**
     * {@code pooled} false: a new connection whatever the pool holds. A retry after a reused connection died
     * under the request asks for that: the server most likely closed or restarted, and its other idle
     * connections are as dead as the first, though their close may not have been read yet.
     */
    private void useConnection(boolean pooled) {
        ProxyProtocol pp = roster.proxy[server.index()];
        if (pp != ProxyProtocol.NONE) {
            ServerConnection p = takePrivate();
            if (pooled && p != null && p.roster == roster && p.server == server.index() && p.ctx.channel().isActive()) {
                reuse(p);
                return;
            }
            if (p != null) {
                p.ctx.close();
            }
        }
        ArrayDeque<Channel> idle = pp != ProxyProtocol.NONE || !pooled ? null : engine.loopState.get().idle(roster, engine.roster, server.index());
        Channel ch;
        while (idle != null && (ch = idle.pollFirst()) != null) {
            roster.stats[server.index()].pooled.decrement();
            if (ch.isActive()) {
                reuse((ServerConnection) ch.pipeline().first());
                return;
            }
        }
        state = State.CONNECTING;
        deadline = System.nanoTime() + engine.config.timeouts().connect().toNanos();
        ServerConnection c = new ServerConnection(roster, server.index());
        c.session = this;
        engine.stats.connectionsOpened.increment();
        roster.stats[server.index()].connectionsOpened.increment();
        ChannelFuture f = engine.connect(ctx.channel().eventLoop(), roster, server.index(), c);
        f.addListener((ChannelFutureListener) fut -> {
            if (state != State.CONNECTING || c.session != this) {
                fut.channel().close();
                return;
            }
            if (!fut.isSuccess()) {
                c.session = null;
                finishServer();
                fail(503);
                return;
            }
            fut.channel().config().setAutoRead(true);
            attach(c);
            if (pp != ProxyProtocol.NONE && ctx.channel().remoteAddress() instanceof InetSocketAddress ca
                    && ctx.channel().localAddress() instanceof InetSocketAddress la) {
                // before the first request: the server reads the client's address from it (HAProxy's send-proxy)
                IpAddr client = IpAddr.of(ca.getAddress());
                IpAddr local = IpAddr.of(la.getAddress());
                if (client.v6() == local.v6()) {
                    fut.channel().write(ProxyHeader.encode(ctx.alloc(), pp, client, ca.getPort(), local, la.getPort()));
                }
            }
            sendHead();
            process();
        });
    }

    /** The request goes on an idle connection, pooled or this client's own. */
    private void reuse(ServerConnection c) {
        engine.stats.connectionsReused.increment();
        roster.stats[server.index()].connectionsReused.increment();
        attach(c);
        sendHead();
    }

    private void attach(ServerConnection c) {
        conn = c;
        c.session = this;
        response.reset();
        responseStarted = false;
        responseBody = false;
        rin.clear();
    }

    private void sendHead() {
        ByteBuf out = ctx.alloc().directBuffer(head.headLength() + 32);
        head.writeForwarded(out, head.version == 10, clientAddressLine, tunnelRequest && head.method != Method.CONNECT);
        in.readerIndex(head.start + head.headLength());
        Channel sc = conn.ctx.channel();
        sent = System.nanoTime();
        deadline = sent + engine.config.timeouts().server().toNanos();
        if (head.chunked) {
            requestChunks.reset();
            bodyRemaining = -1;
            state = State.BODY;
            sc.write(out);
        } else if (head.contentLength > 0) {
            bodyRemaining = head.contentLength;
            state = State.BODY;
            sc.write(out);
        } else {
            state = State.WAIT;
            sc.writeAndFlush(out);
        }
    }

    /** Forwards what has arrived of the request body; false when it must wait for more or for the server. */
    private boolean forwardBody() {
        Channel sc = conn.ctx.channel();
        int n;
        if (bodyRemaining >= 0) {
            n = (int) Math.min(bodyRemaining, in.readableBytes());
            bodyRemaining -= n;
        } else {
            n = requestChunks.scan(in);
            if (n == ChunkedBody.REJECT) {
                engine.stats.refused.increment();
                conn.session = null;
                sc.close();
                finishServer();
                fail(400);
                return false;
            }
        }
        if (n > 0) {
            sc.write(ctx.alloc().directBuffer(n).writeBytes(in, n));
        }
        boolean done = bodyRemaining == 0 || bodyRemaining < 0 && requestChunks.done();
        sc.flush();
        if (done) {
            state = State.WAIT;
            return true;
        }
        deadline = System.nanoTime() + engine.config.timeouts().client().toNanos();
        if (sc.isWritable()) {
            ctx.read();
        }
        return false;
    }

    void serverWritabilityChanged() {
        if ((state == State.BODY || state == State.TUNNEL) && conn.ctx.channel().isWritable()) {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (conn != null && conn.ctx != null) {
            conn.ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }
    }

    // ---- server side ----

    void serverRead(ByteBuf b) {
        if (state == State.CLOSED) {
            b.release();
            return;
        }
        if (state == State.TUNNEL) {
            deadline = System.nanoTime() + engine.config.timeouts().tunnel().toNanos();
            ctx.writeAndFlush(b); // back-pressure: the client's writability turns the server's auto-read off
            return;
        }
        if (responseBody && !response.chunked && rin.readableBytes() == 0 && conn != null) {
            relayBodyAsItComes(b);
            return;
        }
        if (rin.readableBytes() == 0 && !responseBody && response.start < 0) {
            rin.clear();
        }
        rin.writeBytes(b);
        b.release();
        deadline = System.nanoTime() + engine.config.timeouts().server().toNanos();
        processResponse();
    }

    private void processResponse() {
        while (state != State.CLOSED && conn != null) {
            if (!responseBody) {
                int r = responseParser.parse(rin, response);
                if (r == ResponseParser.NEED_MORE) {
                    return;
                }
                if (r == ResponseParser.REJECT) {
                    dropServer();
                    if (responseStarted) {
                        close();
                    } else {
                        fail(502);
                    }
                    return;
                }
                responseStarted = true;
                if (tunnelRequest && (head.method == Method.CONNECT ? response.status / 100 == 2 : response.status == 101)) {
                    startTunnel();
                    return;
                }
                if (response.status == 101) {
                    // switching protocols unasked would leave the switch unable to frame what follows
                    dropServer();
                    fail(502);
                    return;
                }
                boolean interim = response.status < 200;
                if (response.closeDelimited(head.method)) {
                    // a body that ends with the server's close cannot leave the client connection reusable
                    clientKeepAlive = false;
                }
                ByteBuf out = ctx.alloc().directBuffer(response.headLength() + 32);
                response.writeForClient(out, interim ? null : !clientKeepAlive ? CLOSE_LINE
                        : head.version == 10 ? KEEP_ALIVE_LINE : null);
                rin.readerIndex(response.start + response.headLength());
                if (!interim) {
                    countStatus(conn);
                }
                if (interim) {
                    ctx.writeAndFlush(out);
                    response.reset();
                    continue;
                }
                ctx.write(out);
                if (response.bodyless(head.method)) {
                    responseDone();
                    return;
                }
                responseBody = true;
                if (response.chunked) {
                    responseChunks.reset();
                    bodyRemaining = -1;
                } else {
                    bodyRemaining = response.contentLength; // -1 when close-delimited
                }
            }
            relayResponseBody();
            return;
        }
    }

    /**
     * A length- or close-delimited body read with nothing left over from the head: the read buffer itself
     * goes to the client (a slice of it, no copy). Anything after the body's end is kept, and makes the
     * server connection unfit for the pool.
     */
    private void relayBodyAsItComes(ByteBuf b) {
        deadline = System.nanoTime() + engine.config.timeouts().server().toNanos();
        int n = bodyRemaining >= 0 ? (int) Math.min(bodyRemaining, b.readableBytes()) : b.readableBytes();
        if (bodyRemaining >= 0) {
            bodyRemaining -= n;
        }
        if (n > 0) {
            ctx.write(b.readRetainedSlice(n));
        }
        if (b.isReadable()) {
            rin.clear();
            rin.writeBytes(b);
        }
        b.release();
        if (bodyRemaining == 0) {
            responseDone();
        } else {
            ctx.flush();
        }
    }

    /** Relays what has arrived of the response body; at its end the next request starts. */
    private void relayResponseBody() {
        int n;
        boolean done;
        if (response.chunked) {
            n = responseChunks.scan(rin);
            if (n == ChunkedBody.REJECT) {
                dropServer();
                close();
                return;
            }
            done = responseChunks.done();
        } else if (bodyRemaining >= 0) {
            n = (int) Math.min(bodyRemaining, rin.readableBytes());
            bodyRemaining -= n;
            done = bodyRemaining == 0;
        } else {
            n = rin.readableBytes();
            done = false;
        }
        if (n > 0) {
            ctx.write(ctx.alloc().directBuffer(n).writeBytes(rin, n));
        }
        if (done) {
            responseDone(); // it flushes, after the counters: a client that has the last byte sees them counted
        } else {
            ctx.flush();
        }
    }

    /**
     * The server switched protocols (101) or accepted a CONNECT (2xx): its head goes to the client (with
     * {@code Connection: upgrade} for a 101), then whatever either side sent early, and from now on bytes pass
     * unparsed both ways. The request's load and admission units are given back (a websocket may live for
     * hours); the server connection is never pooled again.
     */
    private void startTunnel() {
        ServerConnection c = conn;
        ByteBuf out = ctx.alloc().directBuffer(response.headLength() + 32);
        response.writeForClient(out, head.method == Method.CONNECT ? null : RequestHead.CONNECTION_UPGRADE);
        rin.readerIndex(response.start + response.headLength());
        engine.stats.tunnels.increment();
        countStatus(c);
        long now = recordTimes(c);
        ctx.write(out);
        if (rin.readableBytes() > 0) {
            ctx.write(ctx.alloc().directBuffer(rin.readableBytes()).writeBytes(rin));
        }
        ctx.flush();
        rin.clear();
        Channel sc = c.ctx.channel();
        if (in.readableBytes() > 0) { // sendHead left the reader index after the head
            sc.writeAndFlush(ctx.alloc().directBuffer(in.readableBytes()).writeBytes(in));
        }
        in.clear();
        finishServer();
        state = State.TUNNEL;
        deadline = now + engine.config.timeouts().tunnel().toNanos();
        if (sc.isWritable()) {
            ctx.read();
        }
    }

    /** The final response's status, for the service and for the server that gave it. */
    private void countStatus(ServerConnection c) {
        engine.stats.status(response.status);
        HttpStats.status(c.roster.stats[c.server].statusClass, response.status);
    }

    /** The response times: the service's from the parsed head, the server's from the request sent; returns now. */
    private long recordTimes(ServerConnection c) {
        long now = System.nanoTime();
        engine.stats.responseTime.record(now - dispatched);
        c.roster.stats[c.server].responseTime.record(now - sent);
        return now;
    }

    /** The response is complete: the server connection goes back to the pool, the next request starts. */
    private void responseDone() {
        boolean serverReusable = response.serverKeepAlive() && !response.closeDelimited(head.method)
                && rin.readableBytes() == 0 && (state == State.WAIT);
        ServerConnection c = conn;
        conn = null;
        c.session = null;
        recordTimes(c);
        boolean proxied = c.roster.proxy[c.server] != ProxyProtocol.NONE;
        ArrayDeque<Channel> pool = serverReusable && !proxied ? engine.loopState.get().idle(c.roster, engine.roster, c.server) : null;
        if (proxied && serverReusable && clientKeepAlive && c.roster == engine.roster) {
            c.reused = true;
            c.roster.stats[c.server].pooled.increment();
            privateConn = c;
        } else if (pool != null) {
            c.reused = true;
            c.roster.stats[c.server].pooled.increment();
            pool.addLast(c.ctx.channel());
        } else {
            c.ctx.close();
        }
        finishServer();
        ctx.flush();
        if (!clientKeepAlive || state != State.WAIT) {
            close();
            return;
        }
        head.reset();
        responseBody = false;
        state = State.HEAD;
        if (in.readableBytes() == 0) {
            in.clear();
            deadline = System.nanoTime() + engine.config.timeouts().httpKeepAlive().toNanos();
        } else {
            in.discardReadBytes();
            deadline = System.nanoTime() + engine.config.timeouts().httpRequest().toNanos();
        }
        if (ctx.channel().isWritable()) {
            process();
        } else {
            ctx.read();
        }
    }

    void serverClosed(ServerConnection c) {
        if (c != conn || state == State.CLOSED) {
            return;
        }
        conn = null;
        if (state == State.TUNNEL) {
            close();
            return;
        }
        if (responseBody && !response.chunked && bodyRemaining < 0) {
            // close-delimited body: the close is its end
            ctx.flush();
            finishServer();
            close();
            return;
        }
        if (!responseStarted && c.reused && !retried && head.method.idempotent() && !head.hasBody()
                && (state == State.WAIT)) {
            // the server closed an idle pooled connection as we reused it: send the request once more
            retried = true;
            engine.stats.retries.increment();
            in.readerIndex(head.start);
            useConnection(false);
            return;
        }
        finishServer();
        if (responseStarted) {
            close();
        } else {
            fail(502);
        }
    }

    private void dropServer() {
        if (conn != null) {
            conn.session = null;
            conn.ctx.close();
            conn = null;
        }
        finishServer();
    }

    /** The request is over for its server: its load and its admission units are given back. */
    private void finishServer() {
        if (server != null) {
            server.end(units);
            server = null;
            roster = null;
        }
        if (admitted) {
            admitted = false;
            engine.release(units);
        }
    }

    // ---- endings ----

    /** Answers with the switch's own status and closes: nothing of this request reaches a server. */
    private void fail(int status) {
        engine.stats.status(status);
        finishServer();
        state = State.CLOSED;
        ctx.writeAndFlush(ErrorResponses.of(status)).addListener(ChannelFutureListener.CLOSE);
    }

    private void close() {
        state = State.CLOSED;
        ctx.flush();
        ctx.close();
    }

    /** The engine is closing: the connection ends now, whatever it was doing. */
    void abort() {
        dropServer();
        closePrivate();
        close();
    }

    private ServerConnection takePrivate() {
        ServerConnection p = privateConn;
        if (p != null) {
            privateConn = null;
            p.roster.stats[p.server].pooled.decrement();
        }
        return p;
    }

    private void closePrivate() {
        ServerConnection p = takePrivate();
        if (p != null) {
            p.ctx.close();
        }
    }

    void checkTimeout(long now) {
        if (state == State.CLOSED || now - deadline < 0) {
            return;
        }
        switch (state) {
            case HEAD -> {
                if (head.start >= 0 || in.readableBytes() > 0) {
                    fail(408);
                } else {
                    close();
                }
            }
            case QUEUED -> {
                engine.loopState.get().queued.remove(this);
                fail(503);
            }
            case CONNECTING -> {
                fail(503);
            }
            case BODY -> {
                dropServer();
                fail(408);
            }
            case TUNNEL -> {
                dropServer();
                close();
            }
            case WAIT -> {
                dropServer();
                if (responseStarted) {
                    close();
                } else {
                    fail(504);
                }
            }
            default -> {
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state == State.QUEUED) {
            engine.loopState.get().queued.remove(this);
        }
        state = State.CLOSED;
        engine.unregister(this);
        dropServer();
        closePrivate();
        in.release();
        rin.release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
