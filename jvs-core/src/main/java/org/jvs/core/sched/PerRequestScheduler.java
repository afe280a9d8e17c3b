package org.jvs.core.sched;

import org.jvs.core.Dest;

/**
 * The core's side of an {@code engine: http} service. Such a service has no layer-4 flows to place: the http
 * engine reads each request and picks a server with its own layer-7 scheduler (lblc, lblcr, content, ...),
 * which may not exist at layer 4 at all. The core still owns the service, its servers, weights and counters,
 * so it keeps the layer-7 name for listings and never chooses a server itself.
 */
public final class PerRequestScheduler implements Scheduler {
    private final String name;

    public PerRequestScheduler(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void update(Dest[] dests) {
        // nothing to precompute: the http engine builds its own server set from the service's dests
    }

    /** Never a server: a flow of an http service is the engine's connection, scheduled request by request. */
    @Override
    public Dest schedule(Flow flow) {
        return null;
    }
}
