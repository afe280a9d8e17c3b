package org.jvs.proxy;

import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Locale;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.channels.spi.SelectorProvider;

/**
 * The Netty transport in use: native epoll when the platform has it (and it was not turned off), io_uring
 * when asked for and the kernel allows it, the JDK's NIO otherwise. One place that knows the channel classes of each, so the rest of the engine
 * never does.
 */
public record Transport(Kind kind) {

    public enum Kind { EPOLL, IO_URING, NIO }

    /** Parses a transport name; a clear error for anything else. */
    public static Kind kind(String name) {
        return switch (name == null ? "" : name.strip().toLowerCase(Locale.ROOT)) {
            case "epoll" -> Kind.EPOLL;
            case "io_uring", "iouring", "uring" -> Kind.IO_URING;
            case "nio" -> Kind.NIO;
            default -> throw new IllegalArgumentException("transport must be epoll, io_uring or nio, got '" + name + "'");
        };
    }

    /** The named transport if this machine has it; io_uring falls back to epoll, epoll to NIO. */
    public static Transport choose(String name) {
        Kind wanted = kind(name);
        if (wanted == Kind.IO_URING) {
            if (IoUring.isAvailable()) {
                return new Transport(Kind.IO_URING);
            }
            System.getLogger("org.jvs.proxy").log(System.Logger.Level.WARNING,
                    "io_uring not available (" + IoUring.unavailabilityCause() + "); using epoll");
        }
        return new Transport(wanted != Kind.NIO && Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO);
    }

    /** Epoll if available and asked for, else NIO (the test backends' choice). */
    public static Transport choose(boolean preferNative) {
        return choose(preferNative ? "epoll" : "nio");
    }

    /** IP_FREEBIND (bind a VIP this host does not have yet), or null: the JDK's NIO cannot set it. */
    public ChannelOption<Boolean> freebindOption() {
        return switch (kind) {
            case EPOLL -> EpollChannelOption.IP_FREEBIND;
            case IO_URING -> IoUringChannelOption.IP_FREEBIND;
            case NIO -> null;
        };
    }

    public String name() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    public EventLoopGroup newGroup(int threads, String threadName) {
        IoHandlerFactory f = switch (kind) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true), f);
    }

    public ChannelFactory<? extends ServerChannel> serverChannel() {
        return switch (kind) {
            case EPOLL -> EpollServerSocketChannel::new;
            case IO_URING -> IoUringServerSocketChannel::new;
            case NIO -> NioServerSocketChannel::new;
        };
    }

    /**
     * A client socket of one address family. The no-argument constructors open a dual-stack AF_INET6
     * socket, which costs an IPV6_V6ONLY setsockopt per connection (and reports IPv4 peers as mapped
     * addresses); the family of the server's address is all a relay needs. (Netty's io_uring socket channel
     * has no family constructor: it is dual-stack.)
     */
    public SocketChannel newSocketChannel(boolean v6) {
        SocketProtocolFamily family = v6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        return switch (kind) {
            case EPOLL -> new EpollSocketChannel(family);
            case IO_URING -> new IoUringSocketChannel();
            case NIO -> new NioSocketChannel(SelectorProvider.provider(), family);
        };
    }

    /** A datagram channel of one address family (a dual-stack socket would report mapped addresses). */
    public ChannelFactory<? extends DatagramChannel> datagramChannel(boolean v6) {
        SocketProtocolFamily family = v6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        return switch (kind) {
            case EPOLL -> () -> new EpollDatagramChannel(family);
            case IO_URING -> () -> new IoUringDatagramChannel(family);
            case NIO -> () -> new NioDatagramChannel(family);
        };
    }
}
