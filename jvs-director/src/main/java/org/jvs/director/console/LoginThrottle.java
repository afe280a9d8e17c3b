package org.jvs.director.console;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows password guessing at the console's login. Attempts are counted per source address and per user name
 * (so neither many names from one address nor one name from many addresses goes fast); the first
 * {@link #FREE_FAILURES} cost nothing, then each further attempt must wait twice as long as the one before,
 * from 1 s up to {@link #MAX_DELAY_MS}. An attempt is counted when it is let through, before its password is
 * checked, so parallel logins cannot all slip through before the first failure is recorded; a success clears
 * its address and name. A count forgets itself after {@link #FORGET_MS} without attempts.
 */
final class LoginThrottle {
    static final int FREE_FAILURES = 5;
    static final long MAX_DELAY_MS = 15 * 60_000L;
    static final long FORGET_MS = 60 * 60_000L;
    /** Addresses and names remembered at most; beyond, those that slow nobody are forgotten first. */
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

    /** Logins are rare: one lock makes the check and the count one step. */
    private final Map<String, Failures> failures = new HashMap<>();
    private final LongSupplier millis;

    LoginThrottle(LongSupplier millis) {
        this.millis = millis;
    }

    /**
     * Whether {@code address} may try {@code user} now: 0, and the attempt is counted (as a failure until
     * {@link #succeeded} says otherwise); or the milliseconds to wait, and nothing is counted.
     */
    synchronized long attempt(String address, String user) {
        long now = millis.getAsLong();
        long wait = Math.max(notBefore("a:" + address, now), notBefore("u:" + user, now)) - now;
        if (wait > 0) {
            return wait;
        }
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
        return 0;
    }

    private long notBefore(String key, long now) {
        Failures f = failures.get(key);
        if (f == null) {
            return 0;
        }
        if (now - f.lastMillis() > FORGET_MS) {
            failures.remove(key);
            return 0;
        }
        return f.notBeforeMillis();
    }

    synchronized void succeeded(String address, String user) {
        failures.remove("a:" + address);
        failures.remove("u:" + user);
    }
}
