package org.jvs.health;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/** Short human reasons for the ways a probe fails; the same words in every checker. */
final class Reasons {
    private Reasons() {
    }

    static String timeout(Duration d) {
        long ms = d.toMillis();
        return "timeout after " + (ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms");
    }

    /** A failed I/O step, e.g. {@code of("connect", e, timeout)} → "connect refused". */
    static String of(String step, IOException e, Duration timeout) {
        return switch (e) {
            case ConnectException c when String.valueOf(c.getMessage()).toLowerCase().contains("refused") -> step + " refused";
            case SocketTimeoutException t -> step + " " + timeout(timeout);
            case NoRouteToHostException n -> step + ": no route to host";
            case PortUnreachableException p -> "port unreachable (ICMP)";
            case UnknownHostException u -> step + ": unknown host";
            case SSLException s -> "TLS: " + brief(s.getMessage());
            default -> step + ": " + brief(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        };
    }

    /** At most 120 characters of a message, on one line. */
    static String brief(String s) {
        String t = s == null ? "" : s.replaceAll("\\s+", " ").strip();
        return t.length() <= 120 ? t : t.substring(0, 117) + "...";
    }
}
