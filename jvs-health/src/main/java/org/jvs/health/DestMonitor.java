package org.jvs.health;

import java.time.Duration;
import java.util.Objects;
import org.jvs.core.model.DestSpec;

/**
 * One real server's health state machine: UP or DOWN, the counters that move it (rise, fall, retries), the
 * last result and the slow-start ramp. Pure: it is told results and the time, and answers what changed and
 * when the next check is due. Mutated only under the {@link HealthEngine}'s lock.
 */
final class DestMonitor {
    /** Slow start moves in steps of this much. */
    static final long RAMP_STEP_NANOS = Duration.ofSeconds(1).toNanos();

    enum Transition { NONE, UP, DOWN }

    DestSpec spec;
    Checker checker;
    HealthPolicy policy;

    boolean up;
    int successes;
    int failures;
    int retriesUsed;
    CheckResult last;
    long lastAt = Long.MIN_VALUE;
    /** How long the last check took, from its start to its result (a wait for a free check slot included); -1 before one. */
    long lastDurationNanos = -1;
    long since;
    double checkFactor = 1.0;
    long rampStart = -1;
    /** Which generation of scheduled tasks is current: bumping it turns older tasks and results into no-ops. */
    long generation;
    HealthTimer.Cancel pending;
    HealthTimer.Cancel rampTask;
    boolean needsStart = true;

    /** What the balancer was last told (null/NaN: nothing yet, or forgotten after a reload). */
    Boolean appliedPresent;
    double appliedFactor = Double.NaN;

    /** The next check's delay, set by {@link #onResult}. */
    long nextDelayNanos;

    DestMonitor(HealthConfig.DestCheck c, long now) {
        this.spec = c.spec();
        this.checker = c.checker();
        this.policy = c.policy();
        this.up = c.checker() == null || !c.policy().alpha();
        this.since = now;
    }

    /** Takes a new configuration; true when the check itself changed (counters restart, state is kept). */
    boolean reconfigure(HealthConfig.DestCheck c) {
        boolean changed = !Objects.equals(checker, c.checker()) || !Objects.equals(policy, c.policy());
        spec = c.spec();
        checker = c.checker();
        policy = c.policy();
        if (changed) {
            successes = 0;
            failures = 0;
            retriesUsed = 0;
            needsStart = true;
            if (checker == null && !up) {
                up = true; // nothing checks it any more: like any unchecked server, it counts as up
            }
        }
        return changed;
    }

    Transition onResult(CheckResult r, long now) {
        last = r;
        lastAt = now;
        nextDelayNanos = policy.delayLoop().toNanos();
        if (r.status() == CheckResult.Status.MAINT) {
            retriesUsed = 0;
            successes = 0;
            failures++;
            checkFactor = 0;
            return up ? down(now) : Transition.NONE;
        }
        if (r.ok()) {
            retriesUsed = 0;
            failures = 0;
            successes++;
            checkFactor = r.factor(spec.weight());
            if (!up && successes >= policy.rise()) {
                up = true;
                since = now;
                rampStart = policy.slowStart().isZero() ? -1 : now;
                return Transition.UP;
            }
            return Transition.NONE;
        }
        if (up && retriesUsed < policy.retry()) {
            retriesUsed++;
            nextDelayNanos = policy.delayBeforeRetry().toNanos();
            return Transition.NONE;
        }
        retriesUsed = 0;
        successes = 0;
        failures++;
        if (up && failures >= policy.fall()) {
            return down(now);
        }
        return Transition.NONE;
    }

    private Transition down(long now) {
        up = false;
        since = now;
        rampStart = -1;
        return Transition.DOWN;
    }

    /** The slow-start share at {@code now}: (steps elapsed + 1) × step / slow_start, capped at 1. */
    double ramp(long now) {
        if (rampStart < 0) {
            return 1.0;
        }
        long total = policy.slowStart().toNanos();
        long elapsed = now - rampStart;
        double f = (double) (elapsed / RAMP_STEP_NANOS + 1) * RAMP_STEP_NANOS / total;
        if (f >= 1.0) {
            rampStart = -1;
            return 1.0;
        }
        return f;
    }

    boolean ramping() {
        return rampStart >= 0;
    }

    /** Present in the service: always, except DOWN without inhibit_on_failure. */
    boolean wantsPresent() {
        return up || policy.inhibitOnFailure();
    }

    /** Health's share of the configured weight, before the service's sorry-server rule. */
    double factor(long now) {
        return up ? checkFactor * ramp(now) : 0.0;
    }

    /** This server's contribution to its service's quorum. */
    int liveWeight() {
        return up ? (int) Math.round(spec.weight() * checkFactor) : 0;
    }

    void cancel() {
        generation++;
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
        if (rampTask != null) {
            rampTask.cancel();
            rampTask = null;
        }
    }
}
