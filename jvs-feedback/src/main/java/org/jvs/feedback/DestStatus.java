package org.jvs.feedback;

import org.jvs.core.model.IpAddr;

/**
 * What the last round found for one real server: the API and {@code jvsadm --feedback} show it.
 *
 * @param configuredWeight the administrator's DEFAULT_WEIGHT (0: never touched by feedback)
 * @param previousWeight   the feedback weight before the last round
 * @param weight           the weight the feedback last gave (the configured one until it wrote one)
 * @param effectiveWeight  what schedulers use now (feedback × health, see WeightArbiter)
 * @param sample           the raw figures, or null when the collector failed
 * @param metrics          normalised metrics in {@link Metric} order, NaN where missing (null on failure)
 * @param aggregate        AGGREGATE_LOAD, NaN when unknown
 * @param newConnections   new connections in the last interval, -1 on the first round
 * @param responseNanos    probe time, -1 when unknown
 * @param error            why the server counts as unreachable, or null
 * @param ageMillis        milliseconds since this status was computed, at the time it was read
 */
public record DestStatus(IpAddr address, int port, int configuredWeight, int previousWeight, int weight, int effectiveWeight, Sample sample,
                         double[] metrics, double aggregate, long newConnections, long responseNanos, String error,
                         long ageMillis) {
}
