package org.jvs.director.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * The control API on HTTPS ({@code api:} in the configuration, docs/api.md): the same routes and JSON as the
 * Unix socket, with named bearer tokens, each read-only or read-write.
 *
 * <p>Each accepted connection is wrapped with the TLS context current at that moment, so {@link #tls} (a
 * reload with a new certificate) changes what new connections are shown and drops none of those open; tokens
 * swap the same way. Control traffic is rare: one virtual thread per connection, blocking I/O, one request per
 * connection, and a read timeout so an idle or slow client holds nothing for long.
 */
public final class HttpsApiServer implements AutoCloseable {
    /** A client that has sent nothing for this long is cut: the API is no place for slowloris. */
    static final int READ_TIMEOUT_MS = 10_000;
    /** A whole exchange (handshake, request, answer) must end within this, however the client trickles. */
    static final long EXCHANGE_DEADLINE_MS = 20_000;
    /** Connections served at once; more are closed at accept (an operator's API needs a handful). */
    static final int MAX_CONNECTIONS = 64;
    /** Bodies of routes other than POST /v1/ipvsadm (JSON settings) are small. */
    static final int MAX_SMALL_BODY = 64 << 10;

    private final ServerSocket server;
    private final ControlServer.Handler handler;
    private volatile ApiTls tls;
    private volatile TokenStore tokens;
    private volatile boolean closed;
    private final java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(MAX_CONNECTIONS);
    private final java.util.concurrent.ScheduledExecutorService deadlines = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("jvs-api-deadline").unstarted(r));

    private HttpsApiServer(ServerSocket server, ApiTls tls, TokenStore tokens, ControlServer.Handler handler) {
        this.server = server;
        this.tls = tls;
        this.tokens = tokens;
        this.handler = handler;
        Thread.ofPlatform().daemon().name("jvs-api-https").start(this::acceptLoop);
    }

    /** Binds {@code address}; an IOException names it when that fails. */
    public static HttpsApiServer start(InetSocketAddress address, ApiTls tls, TokenStore tokens, ControlServer.Handler handler)
            throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
            s.bind(address, 128);
        } catch (IOException e) {
            s.close();
            throw new IOException("api: cannot listen on " + address + ": " + e.getMessage(), e);
        }
        return new HttpsApiServer(s, tls, tokens, handler);
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

    public TokenStore tokens() {
        return tokens;
    }

    /** Requests from now on are checked against {@code next}. */
    public void tokens(TokenStore next) {
        tokens = next;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    System.getLogger("org.jvs.director").log(System.Logger.Level.WARNING, "api accept failed: " + e.getMessage());
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
            Thread.ofVirtual().name("jvs-api-conn").start(() -> {
                try {
                    serve(c, now);
                } finally {
                    slots.release();
                }
            });
        }
    }

    private void serve(Socket plain, ApiTls with) {
        var deadline = deadlines.schedule(() -> {
            try {
                plain.close(); // unblocks any read or write of the exchange
            } catch (IOException ignored) {
                // closed already
            }
        }, EXCHANGE_DEADLINE_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        try (plain) {
            plain.setSoTimeout(READ_TIMEOUT_MS);
            SSLSocket s = (SSLSocket) with.context().getSocketFactory()
                    .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                s.setUseClientMode(false);
                s.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                s.startHandshake();
                // the tokens in force when the request's head has arrived, not when the connection opened
                ControlServer.exchange(in, out, req -> tokens.authenticate(req.headers().get("authorization")), handler, MAX_SMALL_BODY);
            }
        } catch (SSLException | SocketException e) {
            // a plain-HTTP client, a failed handshake, the deadline, or a client that went away: nothing to tell it
        } catch (IOException e) {
            // a read timeout or a broken connection
        } finally {
            deadline.cancel(false);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        deadlines.shutdownNow();
        server.close();
    }
}
