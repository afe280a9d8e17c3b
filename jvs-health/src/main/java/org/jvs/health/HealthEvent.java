package org.jvs.health;

import java.time.Instant;
import org.jvs.core.model.ServiceKey;

/**
 * A state change worth telling someone about.
 *
 * @param dest the real server as {@code address:port}, or "-" for a service-wide event
 */
public record HealthEvent(Kind kind, ServiceKey service, String dest, String reason, Instant time) {

    public enum Kind { UP, DOWN, QUORUM_UP, QUORUM_DOWN }

    /** The log line: {@code DOWN tcp 10.0.0.1:80 10.0.0.11:80: connect refused}. */
    public String line() {
        return kind + " " + service + ("-".equals(dest) ? "" : " " + dest) + ": " + reason;
    }

    /** The webhook body. */
    public String json() {
        return "{\"event\":" + quote(kind.name()) + ",\"service\":" + quote(service.toString()) + ",\"dest\":" + quote(dest)
                + ",\"reason\":" + quote(reason) + ",\"time\":" + quote(time.toString()) + "}";
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
