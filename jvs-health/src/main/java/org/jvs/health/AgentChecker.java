package org.jvs.health;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * HAProxy's agent-check protocol, so agents written for HAProxy work unchanged: connect to the agent's
 * port, optionally send {@code send}, read one line. The line holds words separated by blanks or commas,
 * anything after {@code #} being a comment: {@code 75%} (share of the configured weight), {@code weight:N}
 * (an absolute weight) or {@code weight:N%}, {@code ready}/{@code up}, {@code drain} (no new connections),
 * {@code maint} (down at once), {@code down}/{@code fail}/{@code stopped}, {@code maxconn:N} (accepted and
 * ignored). A line JVS cannot read is a failed check naming what was wrong.
 */
public record AgentChecker(String send, int port) implements Checker {

    public AgentChecker {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("an agent check needs the agent's 'port'");
        }
    }

    @Override
    public CheckResult check(InetSocketAddress target, Duration timeout) {
        Probes.Deadline d = Probes.Deadline.after(timeout);
        String step = "connect";
        try (Socket s = new Socket()) {
            s.connect(target, Probes.millis(timeout));
            if (send != null && !send.isEmpty()) {
                s.getOutputStream().write(send.getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
            }
            step = "read";
            String line = Probes.readLine(s, new BufferedInputStream(s.getInputStream()), d, 1024);
            if (line == null) {
                return CheckResult.down("agent closed the connection without a reply");
            }
            return parse(line);
        } catch (IOException e) {
            return CheckResult.down(Reasons.of(step, e, timeout));
        }
    }

    /** Reads one agent reply line. */
    static CheckResult parse(String line) {
        int hash = line.indexOf('#');
        String words = (hash >= 0 ? line.substring(0, hash) : line).strip();
        String comment = hash >= 0 ? line.substring(hash + 1).strip() : "";
        if (words.isEmpty()) {
            return CheckResult.down("agent: empty reply" + (comment.isEmpty() ? "" : " (" + Reasons.brief(comment) + ")"));
        }
        CheckResult.Status status = CheckResult.Status.UP;
        int percent = -1;
        int weight = -1;
        for (String raw : words.split("[\\s,]+")) {
            String w = raw.toLowerCase(Locale.ROOT);
            if (w.isEmpty()) {
                continue;
            }
            try {
                if (w.endsWith("%") && !w.startsWith("weight:")) {
                    percent = percent(w);
                } else if (w.startsWith("weight:")) {
                    String v = w.substring("weight:".length());
                    if (v.endsWith("%")) {
                        percent = percent(v);
                    } else {
                        weight = Integer.parseInt(v);
                        if (weight < 0 || weight > 65535) {
                            return malformed(line, "weight " + weight + " out of range 0..65535");
                        }
                    }
                } else if (w.startsWith("maxconn:")) {
                    Integer.parseInt(w.substring("maxconn:".length()));
                } else {
                    CheckResult.Status said = switch (w) {
                        case "ready", "up" -> CheckResult.Status.UP;
                        case "drain" -> CheckResult.Status.DRAIN;
                        case "maint" -> CheckResult.Status.MAINT;
                        case "down", "fail", "failed", "stopped" -> CheckResult.Status.DOWN;
                        default -> null;
                    };
                    if (said == null) {
                        return malformed(line, "unknown word '" + Reasons.brief(raw) + "'");
                    }
                    status = stronger(status, said);
                }
            } catch (NumberFormatException e) {
                return malformed(line, "bad number in '" + Reasons.brief(raw) + "'");
            }
        }
        String reason = "agent: " + Reasons.brief(words) + (comment.isEmpty() ? "" : " (" + Reasons.brief(comment) + ")");
        return new CheckResult(status, reason, weight, percent);
    }

    private static int percent(String w) {
        int p = Integer.parseInt(w.substring(0, w.length() - 1));
        if (p < 0) {
            throw new NumberFormatException();
        }
        return p;
    }

    /** maint beats down beats drain beats up: the most cautious word wins. */
    private static CheckResult.Status stronger(CheckResult.Status a, CheckResult.Status b) {
        return rank(a) >= rank(b) ? a : b;
    }

    private static int rank(CheckResult.Status s) {
        return switch (s) {
            case UP -> 0;
            case DRAIN -> 1;
            case DOWN -> 2;
            case MAINT -> 3;
        };
    }

    private static CheckResult malformed(String line, String what) {
        return CheckResult.down("agent: malformed reply '" + Reasons.brief(line) + "': " + what);
    }

    @Override
    public String type() {
        return "agent";
    }
}
