package org.jvs.director.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The console's logged-in sessions, held in memory only (a restart logs everyone out). A session is named by
 * 256 random bits in its cookie, carries its own CSRF token, and ends after {@code idleTimeout} without a
 * request from its user, after {@link #MAX_AGE} whatever, at logout, or when a reload removes or changes its
 * user.
 */
final class Sessions {
    /** However active, a session is this old at most: a stolen cookie does not live for ever. */
    static final Duration MAX_AGE = Duration.ofHours(12);
    /** More sessions than an operator team has browsers: beyond this the oldest go first. */
    static final int MAX_SESSIONS = 256;
    /** One user's sessions at most (browsers, tabs after logins): beyond, that user's least recent goes, nobody else's. */
    static final int MAX_PER_USER = 16;

    /** One login. {@code lastSeenNanos} moves with each request the user makes (live updates do not count). */
    static final class Session {
        final String id;
        final ConsoleUser user;
        final String csrf;
        final long createdNanos;
        volatile long lastSeenNanos;

        private Session(String id, ConsoleUser user, String csrf, long now) {
            this.id = id;
            this.user = user;
            this.csrf = csrf;
            this.createdNanos = now;
            this.lastSeenNanos = now;
        }

        /** Constant-time: a CSRF token is compared as a secret. */
        boolean csrfMatches(String presented) {
            return presented != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.US_ASCII),
                    presented.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final LongSupplier nanos;
    private volatile long idleNanos;

    Sessions(Duration idleTimeout, LongSupplier nanos) {
        this.idleNanos = idleTimeout.toNanos();
        this.nanos = nanos;
    }

    void idleTimeout(Duration d) {
        idleNanos = d.toNanos();
    }

    Duration idleTimeout() {
        return Duration.ofNanos(idleNanos);
    }

    Session create(ConsoleUser user) {
        long now = nanos.getAsLong();
        List<Session> mine = byId.values().stream().filter(s -> s.user.name().equals(user.name())).toList();
        if (mine.size() >= MAX_PER_USER) {
            mine.stream().min(Comparator.comparingLong(s -> s.lastSeenNanos)).ifPresent(s -> byId.remove(s.id));
        }
        if (byId.size() >= MAX_SESSIONS) {
            byId.values().removeIf(s -> !live(s, now));
            while (byId.size() >= MAX_SESSIONS) {
                byId.values().stream().min(Comparator.comparingLong(s -> s.lastSeenNanos)).ifPresent(s -> byId.remove(s.id));
            }
        }
        Session s = new Session(token(), user, token(), now);
        byId.put(s.id, s);
        return s;
    }

    /** The live session named {@code id}, or null; {@code touch} counts this as the user's activity. */
    Session find(String id, boolean touch) {
        if (id == null) {
            return null;
        }
        Session s = byId.get(id);
        long now = nanos.getAsLong();
        if (s == null) {
            return null;
        }
        if (!live(s, now)) {
            byId.remove(id);
            return null;
        }
        if (touch) {
            s.lastSeenNanos = now;
        }
        return s;
    }

    /** Whether {@code s} may still be used (a live-update stream asks this before each event). */
    boolean live(Session s) {
        return byId.get(s.id) == s && live(s, nanos.getAsLong());
    }

    private boolean live(Session s, long now) {
        return now - s.lastSeenNanos < idleNanos && now - s.createdNanos < MAX_AGE.toNanos();
    }

    void remove(Session s) {
        byId.remove(s.id, s);
    }

    /** After a reload: a session lives on only if its user is still there with the same access and password. */
    int retain(List<ConsoleUser> users) {
        int before = byId.size();
        byId.values().removeIf(s -> !users.contains(s.user));
        return before - byId.size();
    }

    int size() {
        return byId.size();
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
