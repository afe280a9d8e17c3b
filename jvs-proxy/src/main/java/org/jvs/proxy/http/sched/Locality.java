package org.jvs.proxy.http.sched;

import java.util.List;

/**
 * What a locality scheduler (lblc, lblcr, content-lblcr) can tell the control plane: how often a request
 * found its target where it was (the locality hit ratio), and the target → server map with its counts
 * ({@code jvsadm -L --l7}). Read off the request path; the counters are the only cost on it.
 */
public interface Locality {

    /**
     * @param hits    requests whose target was already on the server that took them
     * @param misses  requests for a target the table did not know (first sight, or forgotten)
     * @param moves   requests that moved their target to a server it was not on (imbalance, a failed server)
     * @param shrinks LBLCR sets that lost their busiest member after K unchanged
     */
    record Counts(long hits, long misses, long moves, long shrinks) {
        /** hits / all requests scheduled, 0 before the first. */
        public double hitRatio() {
            long all = hits + misses + moves;
            return all == 0 ? 0 : (double) hits / all;
        }
    }

    /**
     * One target of the map.
     *
     * @param path      the URL path (its first {@value TargetTable#NAME_BYTES} bytes; longer ones end in "...")
     * @param servers   the servers it is on, as bits of the service's server list
     * @param requests  requests for it since it entered the table
     * @param idleNanos time since its last request
     * @param sameNanos time since its server set last changed
     */
    record Target(String path, long servers, long requests, long idleNanos, long sameNanos) {
    }

    Counts counts();

    /** Targets in the table now. */
    int targets();

    /** The {@code n} targets with the most requests, busiest first. */
    List<Target> busiest(int n);
}
