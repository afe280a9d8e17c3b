package org.jvs.health;

import org.jvs.core.model.DestSpec;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ServiceKey;

/**
 * What the engine asks of the director. Every action is idempotent (adding a server that is there, or
 * removing one that is not, does nothing), because a reload may have done it already.
 */
public interface HealthActions {

    /** Runs {@code r} holding the lock that configuration changes hold (the director's). */
    void locked(Runnable r);

    /** Carries out one effect. */
    void apply(Effect e);

    /** One change to the balancer. */
    sealed interface Effect {
        ServiceKey service();
    }

    /** Health's share of a present server's weight (through the WeightArbiter), 0..1. */
    record Factor(ServiceKey service, IpAddr address, int port, double factor) implements Effect {
    }

    /** The server must be in the service (back after a failure, or the sorry server when needed). */
    record Present(ServiceKey service, DestSpec spec) implements Effect {
    }

    /** The server must be out of the service (down without inhibit_on_failure, or a sorry server no longer needed). */
    record Absent(ServiceKey service, DestSpec spec) implements Effect {
    }
}
