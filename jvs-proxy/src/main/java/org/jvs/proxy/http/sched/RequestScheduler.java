package org.jvs.proxy.http.sched;

/**
 * Chooses a real server for one request. {@link #pick} runs on the engine's event loops concurrently;
 * it allocates nothing and holds a lock only for a few array reads. The engine then calls
 * {@link L7Server#begin} with the request's units and {@link L7Server#end} when its response is done.
 */
public interface RequestScheduler {

    /** The name in the YAML and in {@code jvsadm -s}. */
    String name();

    /** The server for this request, or null when none is usable. */
    L7Server pick(L7Request request);

    /** Periodic upkeep (about once a second, not on an event loop): expire idle targets. */
    default void housekeeping() {
    }
}
