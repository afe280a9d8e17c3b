package org.jvs.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A tiny HTTP/1.1 server that answers every request with its own name ({@code name\n}, text/plain, plus
 * an {@code X-Backend} header): the real servers of {@code bin/jvs quickstart} and of the tests, so that a
 * client sees at once which one the director picked. Keep-alive works as HTTP/1.1 says.
 */
public final class NamedHttpBackend implements AutoCloseable {
    private final String name;
    private final EventLoopGroup group;
    private final Channel channel;
    private final LongAdder requests = new LongAdder();
    private final LongAdder connections = new LongAdder();

    private NamedHttpBackend(String name, InetSocketAddress at) {
        this.name = name;
        Transport t = Transport.choose(true);
        this.group = t.newGroup(1, "jvs-http-" + name);
        byte[] body = (name + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            this.channel = new ServerBootstrap()
                    .group(group)
                    .channelFactory(t.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connections.increment();
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler(body));
                        }
                    })
                    .bind(at).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("backend " + name + " cannot listen on " + at + ": " + e.getMessage(), e);
        }
    }

    /** Starts a backend listening on {@code host:port} (port 0: any free port; see {@link #port()}). */
    public static NamedHttpBackend start(String name, String host, int port) {
        return new NamedHttpBackend(name, new InetSocketAddress(host, port));
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    public long requests() {
        return requests.sum();
    }

    public long connections() {
        return connections.sum();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private final class Handler extends SimpleChannelInboundHandler<HttpRequest> {
        private final byte[] body;

        Handler(byte[] body) {
            this.body = body;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpRequest req) {
            requests.increment();
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            ByteBuf content = Unpooled.wrappedBuffer(body);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
            res.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set("X-Backend", name);
            if (keepAlive) {
                if (!req.protocolVersion().isKeepAliveDefault()) {
                    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                ctx.writeAndFlush(res);
            } else {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
