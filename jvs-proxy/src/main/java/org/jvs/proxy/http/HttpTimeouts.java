package org.jvs.proxy.http;

import java.time.Duration;

/**
 * The engine's timeouts, named as HAProxy names them. Defaults: the values HAProxy's own example
 * configuration uses (connect 5 s, client and server 50 s), http-request and http-keep-alive 10 s, queue 5 s,
 * and tunnel (idle time of a websocket or CONNECT tunnel, either way) 1 h, the value HAProxy's manual
 * suggests for websockets.
 */
public record HttpTimeouts(Duration httpRequest, Duration httpKeepAlive, Duration client, Duration server,
                           Duration connect, Duration queue, Duration tunnel) {

    public static final Duration DEFAULT_TUNNEL = Duration.ofHours(1);
    public static final HttpTimeouts DEFAULT = new HttpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10),
            Duration.ofSeconds(50), Duration.ofSeconds(50), Duration.ofSeconds(5), Duration.ofSeconds(5), DEFAULT_TUNNEL);

    public HttpTimeouts(Duration httpRequest, Duration httpKeepAlive, Duration client, Duration server, Duration connect, Duration queue) {
        this(httpRequest, httpKeepAlive, client, server, connect, queue, DEFAULT_TUNNEL);
    }

    public HttpTimeouts {
        for (Duration d : new Duration[] {httpRequest, httpKeepAlive, client, server, connect, queue, tunnel}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("HTTP timeouts must be positive");
            }
        }
    }
}
