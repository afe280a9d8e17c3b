package org.jvs.director;

import java.time.Duration;

/**
 * An engine that carries traffic for the director (socket engine, packet engine). The director calls
 * {@link #sync} on its control thread after every configuration change, so the engine can open listeners
 * for new services and close those of removed ones.
 */
public interface DataPlane {
    String name();

    void sync();

    /** Stops taking new connections, lets open ones finish for at most {@code drain}, then closes. */
    void stop(Duration drain);
}
