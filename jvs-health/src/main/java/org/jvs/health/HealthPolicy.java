package org.jvs.health;

import java.time.Duration;

/**
 * How a real server's checks are timed and judged; keepalived's names and defaults where it has them.
 *
 * @param delayLoop        time between checks (keepalived: 60 s)
 * @param connectTimeout   bound on one check (5 s; a script's default is delay_loop, keepalived's misc_timeout)
 * @param retry            extra attempts, {@code delayBeforeRetry} apart, before a failed check of an UP server
 *                         counts (1; dns 3; script 0)
 * @param delayBeforeRetry pause before a retry (1 s; http/https 3 s; dns delay_loop)
 * @param warmup           the first check runs after a random delay up to this (default delay_loop; 0 = at once)
 * @param rise             consecutive successful checks that bring a DOWN server up (1)
 * @param fall             consecutive failed checks (each after its retries) that take an UP server down (1)
 * @param inhibitOnFailure a DOWN server stays with weight 0 instead of leaving the service
 * @param alpha            servers start DOWN until their first successful check
 * @param slowStart        a recovered server's weight ramps from a little to all of it over this (0 = off)
 */
public record HealthPolicy(Duration delayLoop, Duration connectTimeout, int retry, Duration delayBeforeRetry, Duration warmup,
                           int rise, int fall, boolean inhibitOnFailure, boolean alpha, Duration slowStart) {

    public static final Duration DEFAULT_DELAY_LOOP = Duration.ofSeconds(60);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    public HealthPolicy {
        positive(delayLoop, "delay_loop");
        positive(connectTimeout, "connect_timeout");
        notNegative(delayBeforeRetry, "delay_before_retry");
        notNegative(warmup, "warmup");
        notNegative(slowStart, "slow_start");
        if (retry < 0) {
            throw new IllegalArgumentException("retry " + retry + " must not be negative");
        }
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be at least 1");
        }
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be more than 0");
        }
    }

    private static void notNegative(Duration d, String name) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }

    /** keepalived's retry default for a checker type. */
    public static int defaultRetry(String type) {
        return switch (type) {
            case "dns" -> 3;
            case "script" -> 0;
            default -> 1;
        };
    }

    /** keepalived's delay_before_retry default for a checker type. */
    public static Duration defaultDelayBeforeRetry(String type, Duration delayLoop) {
        return switch (type) {
            case "http", "https" -> Duration.ofSeconds(3);
            case "dns" -> delayLoop;
            default -> Duration.ofSeconds(1);
        };
    }

    /** The defaults for a checker type with a given delay_loop. */
    public static HealthPolicy defaults(String type, Duration delayLoop) {
        return new HealthPolicy(delayLoop, type.equals("script") ? delayLoop : DEFAULT_CONNECT_TIMEOUT, defaultRetry(type),
                defaultDelayBeforeRetry(type, delayLoop), delayLoop, 1, 1, false, false, Duration.ZERO);
    }
}
