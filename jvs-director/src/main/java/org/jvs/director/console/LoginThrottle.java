package org.jvs.director.console;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Slows password guessing at the console's login. Failures are counted per source address and per user name
 * (so neither many names from one address nor one name from many addresses goes fast); the first
 * {@link #FREE_FAILURES} cost nothing, then each further attempt must wait twice as long as the one before,
 * from 1 s up to {@link #MAX_DELAY_MS}. A success clears its address and name; a count forgets itself after
 * {@link #FORGET_MS} without failures.
 */
final class LoginThrottle {
    static final int FREE_FAILURES = 5;
    static final long MAX_DELAY_MS = 15 * 60_000L;
    static final long FORGET_MS = 60 * 60_000L;
    /** Addresses and names remembered at most; beyond, the ones whose last failure is oldest are forgotten. */
    static final int MAX_ENTRIES = 10_000;

    private record Failures(int count, long lastMillis) {
        long notBeforeMillis() {
            if (count < FREE_FAILURES) {
                return 0;
            }
            long delay = Math.min(MAX_DELAY_MS, 1000L << Math.min(20, count - FREE_FAILURES));
            return lastMillis + delay;
        }
    }

    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final LongSupplier millis;

    LoginThrottle(LongSupplier millis) {
        this.millis = millis;
    }

    /** Milliseconds until {@code address} may try {@code user} again; 0 now. */
    long waitMillis(String address, String user) {
        long now = millis.getAsLong();
        long until = Math.max(notBefore("a:" + address, now), notBefore("u:" + user, now));
        return Math.max(0, until - now);
    }

    private long notBefore(String key, long now) {
        Failures f = failures.get(key);
        if (f == null) {
            return 0;
        }
        if (now - f.lastMillis() > FORGET_MS) {
            failures.remove(key, f);
            return 0;
        }
        return f.notBeforeMillis();
    }

    void failed(String address, String user) {
        long now = millis.getAsLong();
        if (failures.size() >= MAX_ENTRIES) {
            // a flood of names: forget first what slows nobody yet, so the flood cannot wash out a throttle
            failures.values().removeIf(f -> now - f.lastMillis() > FORGET_MS || f.count() < FREE_FAILURES);
            if (failures.size() >= MAX_ENTRIES) {
                failures.values().removeIf(f -> f.notBeforeMillis() <= now);
            }
        }
        for (String key : new String[] {"a:" + address, "u:" + user}) {
            failures.merge(key, new Failures(1, now), (a, b) -> new Failures(a.count() + 1, now));
        }
    }

    void succeeded(String address, String user) {
        failures.remove("a:" + address);
        failures.remove("u:" + user);
    }
}
