package org.jvs.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jvs.core.LoadBalancer;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.proxy.SocketEngine;

/**
 * Bulk throughput through the socket engine, on loopback: a client thread writes {@code size} bytes to the
 * VIP, a server thread reads them. Reports wall time and the CPU time the relay's event-loop threads
 * spent per GiB, for the engine's copying relay (epoll and NIO), its splice relay (epoll, opt-in), and for a
 * bare splice(2) relay built on
 * Netty's {@code EpollSocketChannel.spliceTo} (no core calls, no accounting: the best splice can do).
 *
 * <pre>java -cp jvs-bench/target/jvs-bench.jar org.jvs.bench.RelayThroughput [MiB per run] [runs]</pre>
 */
public final class RelayThroughput {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private RelayThroughput() {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long size = mib << 20;
        System.out.printf(Locale.ROOT, "%-12s %8s %10s %14s%n", "relay", "MiB", "MiB/s", "relay CPU s/GiB");
        for (int r = 0; r < runs; r++) {
            SocketEngine.Options o = SocketEngine.Options.DEFAULT.withIoThreads(1).withSplice(false);
            report("copy-epoll", size, engineRun(size, o.withTransport("epoll")));
            report("copy-nio", size, engineRun(size, o.withTransport("nio")));
            report("splice-jvs", size, engineRun(size, o.withTransport("epoll").withSplice(true)));
            report("splice-bare", size, spliceRun(size));
        }
    }

    private record Result(long nanos, long relayCpuNanos) {
    }

    private static void report(String name, long size, Result r) {
        double mibs = (size / 1048576.0) / (r.nanos / 1e9);
        double cpuPerGib = (r.relayCpuNanos / 1e9) / (size / 1073741824.0);
        System.out.printf(Locale.ROOT, "%-12s %8d %10.0f %14.3f%n", name, size >> 20, mibs, cpuPerGib);
    }

    private static Result engineRun(long size, SocketEngine.Options options) throws Exception {
        try (ServerSocket sink = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            LoadBalancer lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(10_000, 1_000),
                    org.jvs.core.time.Clock.SYSTEM);
            SocketEngine engine = new SocketEngine(lb, options);
            try {
                engine.start();
                int vport = freePort();
                ServiceKey.Virtual vs = new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("127.0.0.1"), vport);
                lb.addService(ServiceSpec.of(vs, "rr"));
                lb.addDest(vs, DestSpec.of(IpAddr.parse("127.0.0.1"), sink.getLocalPort(), ForwardingMethod.NAT));
                engine.sync();
                return transfer(sink, vport, size, "jvs-socket");
            } finally {
                engine.stop(Duration.ZERO);
                lb.close();
            }
        }
    }

    // The bare relay of the first measurement (history): spliceTo with no accounting and no half-close.
    @SuppressWarnings("deprecation")
    private static Result spliceRun(long size) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("splice", true), EpollIoHandler.newFactory());
        try (ServerSocket sink = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            InetSocketAddress backend = new InetSocketAddress(InetAddress.getLoopbackAddress(), sink.getLocalPort());
            int vport = freePort();
            Channel listener = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childOption(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel front) {
                            front.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelActive(ChannelHandlerContext ctx) {
                                    ChannelFuture cf = new Bootstrap().group(front.eventLoop()).channel(EpollSocketChannel.class)
                                            .option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED)
                                            .option(ChannelOption.AUTO_READ, false)
                                            .handler(new ChannelInboundHandlerAdapter())
                                            .connect(backend);
                                    cf.addListener((ChannelFuture f) -> {
                                        AbstractEpollStreamChannel a = (AbstractEpollStreamChannel) front;
                                        AbstractEpollStreamChannel b = (AbstractEpollStreamChannel) f.channel();
                                        a.spliceTo(b, Integer.MAX_VALUE);
                                        b.spliceTo(a, Integer.MAX_VALUE);
                                        a.config().setAutoRead(true);
                                        b.config().setAutoRead(true);
                                    });
                                }
                            });
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), vport)).sync().channel();
            try {
                return transfer(sink, vport, size, "splice");
            } finally {
                listener.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Client writes {@code size} bytes through the relay on {@code vport}; the sink reads them all. */
    private static Result transfer(ServerSocket sink, int vport, long size, String relayThreads) throws Exception {
        AtomicLong received = new AtomicLong();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (Socket s = sink.accept(); InputStream in = s.getInputStream()) {
                byte[] buf = new byte[256 * 1024];
                int n;
                // Counts to the size, not to EOF: the bare splice relay does not pass half-closes on.
                while (received.get() < size && (n = in.read(buf)) >= 0) {
                    received.addAndGet(n);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long cpu0 = cpu(relayThreads);
        long t0 = System.nanoTime();
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), vport); OutputStream out = c.getOutputStream()) {
            byte[] chunk = new byte[256 * 1024];
            for (long sent = 0; sent < size; sent += chunk.length) {
                out.write(chunk);
            }
            reader.join(120_000);
        }
        long t1 = System.nanoTime();
        if (received.get() != size) {
            throw new IllegalStateException("received " + received.get() + " of " + size);
        }
        return new Result(t1 - t0, cpu(relayThreads) - cpu0);
    }

    private static long cpu(String prefix) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                long c = THREADS.getThreadCpuTime(t.threadId());
                if (c > 0) {
                    sum += c;
                }
            }
        }
        return sum;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
