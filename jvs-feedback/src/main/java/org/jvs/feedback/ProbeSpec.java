package org.jvs.feedback;

import java.time.Duration;
import org.jvs.core.model.ConfigException;

/**
 * The request whose time is RESPONSE (thesis 4.2.3: "send GET / to each server and record the response
 * time"). {@code port} 0 means the real server's own port.
 */
public sealed interface ProbeSpec {
    int port();

    Duration timeout();

    /** Time to complete a TCP handshake. */
    record Tcp(int port, Duration timeout) implements ProbeSpec {
        public Tcp {
            check(port, timeout);
        }
    }

    /** Time to fetch {@code path} over HTTP/1.0 and read the whole answer. */
    record Http(int port, String path, String hostHeader, Duration timeout) implements ProbeSpec {
        public Http {
            check(port, timeout);
            if (path == null || !path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ')) {
                throw new ConfigException("probe path must start with / and contain no spaces, got '" + path + "'");
            }
        }
    }

    ProbeSpec DEFAULT = new Tcp(0, Duration.ofSeconds(1));

    private static void check(int port, Duration timeout) {
        if (port < 0 || port > 65535) {
            throw new ConfigException("probe port " + port + " out of range 0..65535 (0: the real server's port)");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new ConfigException("probe timeout must be between 1ms and 10s, got " + timeout);
        }
    }
}
