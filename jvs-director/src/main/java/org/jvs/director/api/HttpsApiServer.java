package org.jvs.director.api;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The control API on HTTPS ({@code api:} in the configuration, docs/api.md): the same routes and JSON as the
 * Unix socket, with named bearer tokens, each read-only or read-write.
 *
 * <p>Certificates swap as {@link TlsListener} says; tokens swap the same way, checked when a request's head
 * has arrived. Control traffic is rare: one request per connection, and short limits (below).
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

    private final TlsListener listener;
    private volatile TokenStore tokens;

    private HttpsApiServer(InetSocketAddress address, ApiTls tls, TokenStore tokens, ControlServer.Handler handler) throws IOException {
        this.tokens = tokens;
        // the tokens in force when the request's head has arrived, not when the connection opened
        this.listener = TlsListener.start("api", address, tls, MAX_CONNECTIONS, READ_TIMEOUT_MS, EXCHANGE_DEADLINE_MS,
                (s, in, out, deadline) -> ControlServer.exchange(in, out,
                        req -> this.tokens.authenticate(req.headers().get("authorization")), handler, MAX_SMALL_BODY));
    }

    /** Binds {@code address}; an IOException names it when that fails. */
    public static HttpsApiServer start(InetSocketAddress address, ApiTls tls, TokenStore tokens, ControlServer.Handler handler)
            throws IOException {
        return new HttpsApiServer(address, tls, tokens, handler);
    }

    public int port() {
        return listener.port();
    }

    public ApiTls tls() {
        return listener.tls();
    }

    /** New connections get {@code next}; open ones keep what they were given. */
    public void tls(ApiTls next) {
        listener.tls(next);
    }

    public TokenStore tokens() {
        return tokens;
    }

    /** Requests from now on are checked against {@code next}. */
    public void tokens(TokenStore next) {
        tokens = next;
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
