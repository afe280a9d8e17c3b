package org.jvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;
import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A balancer on a manual clock, a started socket engine and helpers for loopback clients and backends.
 * Everything opened through it is closed after each test. Netty timers (idle, connect) use real time.
 */
abstract class EngineFixture {
    static final Duration WAIT = Duration.ofSeconds(10);

    final ManualClock clock = new ManualClock(1_000_000_000_000L);
    LoadBalancer lb;
    SocketEngine engine;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

    SocketEngine.Options options() {
        return SocketEngine.Options.DEFAULT.withIoThreads(2).withConnectTimeout(Duration.ofSeconds(2));
    }

    @BeforeEach
    void startEngine() {
        lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(10_000, 1_000), clock);
        engine = new SocketEngine(lb, options());
        engine.start();
    }

    @AfterEach
    void closeAll() throws Exception {
        engine.stop(Duration.ZERO);
        while (!closeables.isEmpty()) {
            try {
                closeables.pop().close();
            } catch (Exception ignored) {
                // closing test debris; the assertions were made already
            }
        }
        lb.close();
    }

    <T extends AutoCloseable> T closeLater(T c) {
        closeables.push(c);
        return c;
    }

    NamedHttpBackend http(String name) {
        return closeLater(NamedHttpBackend.start(name, "127.0.0.1", 0));
    }

    /** A free TCP port on {@code host} (nothing listens on it when this returns). */
    static int freePort(String host) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds a socket-engine TCP service on {@code vip} (a free port), syncs the engine, returns the key. */
    ServiceKey.Virtual tcpService(String vip, ServiceSpec spec) {
        lb.addService(spec);
        assertThat(engine.sync().failed()).isEmpty();
        return (ServiceKey.Virtual) spec.key();
    }

    ServiceKey.Virtual tcpService(String vip, String scheduler) {
        return tcpService(vip, ServiceSpec.of(tcpKey(vip), scheduler));
    }

    static ServiceKey.Virtual tcpKey(String vip) {
        return new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse(vip), freePort(vip));
    }

    Dest addDest(ServiceKey key, int port, int weight) {
        return lb.addDest(key, DestSpec.of(IpAddr.parse("127.0.0.1"), port, ForwardingMethod.NAT).withWeight(weight));
    }

    Dest addDest(ServiceKey key, NamedHttpBackend b, int weight) {
        return addDest(key, b.port(), weight);
    }

    static Socket connect(ServiceKey.Virtual key, String fromAddress) throws IOException {
        Socket s = new Socket();
        if (fromAddress != null) {
            s.bind(new InetSocketAddress(fromAddress, 0));
        }
        s.setSoTimeout(5_000);
        s.connect(new InetSocketAddress(key.address().toInetAddress(), key.port()), 2_000);
        return s;
    }

    /** One HTTP request on a new connection (Connection: close); the body, trimmed. */
    static String get(ServiceKey.Virtual key) throws IOException {
        return get(key, null);
    }

    static String get(ServiceKey.Virtual key, String fromAddress) throws IOException {
        try (Socket s = connect(key, fromAddress)) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: jvs\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String all = new String(readAll(s.getInputStream(), 1 << 20), StandardCharsets.UTF_8);
            int body = all.indexOf("\r\n\r\n");
            assertThat(all).startsWith("HTTP/1.1 200");
            return all.substring(body + 4).trim();
        }
    }

    /** One request on an open keep-alive connection; the body, trimmed. */
    static String keepAliveGet(Socket s) throws IOException {
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: jvs\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after " + head.length() + " bytes of header");
            }
            head.append((char) c);
            if (head.length() > 8192) {
                throw new IOException("header too long");
            }
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8).trim();
    }

    static byte[] readAll(InputStream in, int max) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            b.write(buf, 0, n);
            if (b.size() > max) {
                throw new IOException("more than " + max + " bytes");
            }
        }
        return b.toByteArray();
    }

    /** Polls {@code cond} every 10 ms for at most {@code max}; true if it held. */
    static boolean eventually(BooleanSupplier cond, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (cond.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return cond.getAsBoolean();
    }

    /** A one-connection-at-a-time test server run by {@code handler} on a daemon thread. */
    RawBackend raw(RawBackend.Handler handler) {
        return closeLater(new RawBackend(handler));
    }
}
