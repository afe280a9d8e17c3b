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

    private final ServerSocket server;
    private final ControlServer.Handler handler;
    private volatile ApiTls tls;
    private volatile TokenStore tokens;
    private volatile boolean closed;

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
            try {
                Socket c = server.accept();
                ApiTls now = tls;
                Thread.ofVirtual().name("jvs-api-conn").start(() -> serve(c, now));
            } catch (IOException e) {
                if (!closed) {
                    System.getLogger("org.jvs.director").log(System.Logger.Level.WARNING, "api accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket plain, ApiTls with) {
        try (plain) {
            plain.setSoTimeout(READ_TIMEOUT_MS);
            SSLSocket s = (SSLSocket) with.context().getSocketFactory()
                    .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                s.setUseClientMode(false);
                s.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                s.startHandshake();
                TokenStore t = tokens;
                ControlServer.exchange(in, out, req -> t.authenticate(req.headers().get("authorization")), handler);
            }
        } catch (SSLException | SocketException e) {
            // a plain-HTTP client, a failed handshake or a client that went away: nothing to tell it
        } catch (IOException e) {
            // a read timeout or a broken connection
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }
}
