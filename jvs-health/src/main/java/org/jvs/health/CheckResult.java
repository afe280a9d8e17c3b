package org.jvs.health;

/**
 * What one check found, with a short reason meant for an administrator ("connect refused",
 * "timeout after 3 s", "status 503 not in [200-299]").
 *
 * @param status  UP, DOWN, DRAIN (up, but no new connections) or MAINT (down at once, without counting
 *                failures: an agent said the server is in maintenance)
 * @param weight  an absolute weight the server asked for (script exit code 2..255, agent {@code weight:N}
 *                without %), or -1
 * @param percent a share of the configured weight the server asked for (agent {@code 75%}), or -1
 */
public record CheckResult(Status status, String reason, int weight, int percent) {

    public enum Status { UP, DOWN, DRAIN, MAINT }

    public CheckResult {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a check result needs a reason");
        }
    }

    public static CheckResult up(String reason) {
        return new CheckResult(Status.UP, reason, -1, -1);
    }

    public static CheckResult down(String reason) {
        return new CheckResult(Status.DOWN, reason, -1, -1);
    }

    public boolean ok() {
        return status == Status.UP || status == Status.DRAIN;
    }

    /**
     * The share of the configured weight this result allows, 0..1. The health factor can only lower a
     * weight (the WeightArbiter's rule), so a requested weight above the configured one counts as 1.
     */
    public double factor(int configuredWeight) {
        if (status == Status.DRAIN || status == Status.DOWN || status == Status.MAINT) {
            return 0.0;
        }
        if (percent >= 0) {
            return Math.min(1.0, percent / 100.0);
        }
        if (weight >= 0) {
            return configuredWeight <= 0 ? 0.0 : Math.min(1.0, (double) weight / configuredWeight);
        }
        return 1.0;
    }

    @Override
    public String toString() {
        return status + ": " + reason;
    }
}
