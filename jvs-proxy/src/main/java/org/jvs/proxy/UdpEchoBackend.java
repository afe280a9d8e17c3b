package org.jvs.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** A UDP server answering each datagram with its name, a space, and the datagram's payload. */
public final class UdpEchoBackend implements AutoCloseable {
    private final String name;
    private final EventLoopGroup group;
    private final Channel channel;
    private final LongAdder datagrams = new LongAdder();

    private UdpEchoBackend(String name, InetSocketAddress at) {
        this.name = name;
        Transport t = Transport.choose(true);
        this.group = t.newGroup(1, "jvs-udp-" + name);
        byte[] prefix = (name + " ").getBytes(StandardCharsets.UTF_8);
        try {
            this.channel = new Bootstrap()
                    .group(group)
                    .channelFactory(t.datagramChannel(at.getAddress() instanceof java.net.Inet6Address))
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                            datagrams.increment();
                            ByteBuf out = ctx.alloc().buffer(prefix.length + p.content().readableBytes());
                            out.writeBytes(prefix).writeBytes(p.content(), p.content().readerIndex(), p.content().readableBytes());
                            ctx.writeAndFlush(new DatagramPacket(out, p.sender()));
                        }
                    })
                    .bind(at).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("backend " + name + " cannot listen on " + at + ": " + e.getMessage(), e);
        }
    }

    /** Starts a backend on {@code host:port} (port 0: any free port; see {@link #port()}). */
    public static UdpEchoBackend start(String name, String host, int port) {
        return new UdpEchoBackend(name, new InetSocketAddress(host, port));
    }

    public String name() {
        return name;
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public long datagrams() {
        return datagrams.sum();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
