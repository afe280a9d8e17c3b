package org.jvs.director.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * An HTTPS listener for the director's operator ports (the control API, the console): a blocking server
 * socket, one virtual thread per connection, a bound on connections served at once, a read timeout, and a
 * deadline on each exchange so a client that trickles holds nothing for long.
 *
 * <p>Each accepted connection is wrapped with the TLS context current at that moment, so {@link #tls(ApiTls)}
 * (a reload with a new certificate) changes what new connections are shown and drops none of those open.
 */
public final class TlsListener implements AutoCloseable {
    /** What to do with one connection once its handshake is done; I/O errors end it quietly. */
    @FunctionalInterface
    public interface Connection {
        void serve(SSLSocket socket, InputStream in, OutputStream out, Deadline deadline) throws IOException;
    }

    /**
     * When the connection is cut whatever it is doing: armed at accept; a stream that outlives one exchange
     * (server-sent events) re-arms it around each write.
     */
    public static final class Deadline {
        private final Socket socket;
        private final ScheduledExecutorService timer;
        private ScheduledFuture<?> pending;

        private Deadline(Socket socket, ScheduledExecutorService timer) {
            this.socket = socket;
            this.timer = timer;
        }

        /** Cut the connection {@code millis} from now (replacing the deadline before). */
        public synchronized void in(long millis) {
            cancel();
            try {
                pending = timer.schedule(this::cut, millis, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                cut(); // the listener is closing: so is this connection
            }
        }

        private void cut() {
            try {
                socket.close(); // unblocks any read or write of the exchange
            } catch (IOException ignored) {
                // closed already
            }
        }

        public synchronized void cancel() {
            if (pending != null) {
                pending.cancel(false);
                pending = null;
            }
        }
    }

    private final ServerSocket server;
    private final String name;
    private final Connection handler;
    private final int readTimeoutMs;
    private final long deadlineMs;
    private final Semaphore slots;
    private final ScheduledExecutorService timer;
    private volatile ApiTls tls;
    private volatile boolean closed;

    private TlsListener(ServerSocket server, String name, ApiTls tls, int maxConnections, int readTimeoutMs, long deadlineMs,
            Connection handler) {
        this.server = server;
        this.name = name;
        this.tls = tls;
        this.handler = handler;
        this.readTimeoutMs = readTimeoutMs;
        this.deadlineMs = deadlineMs;
        this.slots = new Semaphore(maxConnections);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name(name + "-deadline").unstarted(r));
        Thread.ofPlatform().daemon().name(name).start(this::acceptLoop);
    }

    /** Binds {@code address}; the IOException names the section ({@code what}) and the address when that fails. */
    public static TlsListener start(String what, InetSocketAddress address, ApiTls tls, int maxConnections, int readTimeoutMs,
            long deadlineMs, Connection handler) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
            s.bind(address, 128);
        } catch (IOException e) {
            s.close();
            throw new IOException(what + ": cannot listen on " + address + ": " + e.getMessage(), e);
        }
        return new TlsListener(s, "jvs-" + what + "-https", tls, maxConnections, readTimeoutMs, deadlineMs, handler);
    }

    public int port() {
        return server.getLocalPort();
    }

    public ApiTls tls() {
        return tls;
    }

    /** New connections get {@code next}; open ones keep what they were given. */
    public void tls(ApiTls next) {
        tls = next;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    System.getLogger("org.jvs.director").log(System.Logger.Level.WARNING, name + " accept failed: " + e.getMessage());
                    try {
                        Thread.sleep(100); // out of descriptors, say: do not spin
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                try {
                    c.setSoLinger(true, 0);
                    c.close();
                } catch (IOException ignored) {
                    // it is gone either way
                }
                continue;
            }
            ApiTls now = tls;
            Thread.ofVirtual().name(name + "-conn").start(() -> {
                try {
                    serve(c, now);
                } finally {
                    slots.release();
                }
            });
        }
    }

    private void serve(Socket plain, ApiTls with) {
        Deadline deadline = new Deadline(plain, timer);
        deadline.in(deadlineMs);
        try (plain) {
            plain.setSoTimeout(readTimeoutMs);
            plain.setTcpNoDelay(true); // answers go out whole in one write: nothing to gain from Nagle, 40 ms to lose
            SSLSocket s = (SSLSocket) with.context().getSocketFactory()
                    .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                s.setUseClientMode(false);
                s.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                s.startHandshake();
                handler.serve(s, in, out, deadline);
            }
        } catch (SSLException | SocketException e) {
            // a plain-HTTP client, a failed handshake, the deadline, or a client that went away: nothing to tell it
        } catch (IOException e) {
            // a read timeout or a broken connection
        } finally {
            deadline.cancel();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        timer.shutdownNow();
        server.close();
    }
}
