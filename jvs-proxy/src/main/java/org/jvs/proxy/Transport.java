package org.jvs.proxy;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.channels.spi.SelectorProvider;

/**
 * The Netty transport in use: native epoll when the platform has it (and it was not turned off), the JDK's
 * NIO otherwise. One place that knows the channel classes of each, so the rest of the engine never does.
 */
record Transport(boolean epoll) {

    /** Epoll if asked for and available, else NIO. */
    static Transport choose(boolean preferNative) {
        return new Transport(preferNative && Epoll.isAvailable());
    }

    String name() {
        return epoll ? "epoll" : "nio";
    }

    EventLoopGroup newGroup(int threads, String threadName) {
        IoHandlerFactory f = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true), f);
    }

    ChannelFactory<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel::new : NioServerSocketChannel::new;
    }

    /**
     * A client socket of one address family. The no-argument constructors open a dual-stack AF_INET6
     * socket, which costs an IPV6_V6ONLY setsockopt per connection (and reports IPv4 peers as mapped
     * addresses); the family of the server's address is all a relay needs.
     */
    SocketChannel newSocketChannel(boolean v6) {
        SocketProtocolFamily family = v6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        return epoll ? new EpollSocketChannel(family) : new NioSocketChannel(SelectorProvider.provider(), family);
    }

    /** A datagram channel of one address family (a dual-stack socket would report mapped addresses). */
    ChannelFactory<? extends DatagramChannel> datagramChannel(boolean v6) {
        SocketProtocolFamily family = v6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        return epoll ? () -> new EpollDatagramChannel(family) : () -> new NioDatagramChannel(family);
    }
}
