package org.jvs.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.stats.Stats;

/**
 * A real server as one service sees it: its configuration, its live connection counts and its overload
 * flag. Schedulers read it concurrently; the control thread changes configuration through
 * {@link LoadBalancer}; data-plane threads account connections through the {@code conn*} methods.
 *
 * <p>Overload follows IPVS: set when {@code upper != 0 && active + inactive >= upper} as a connection is
 * bound; cleared as one is unbound when {@code lower != 0 && total < lower}, or with no lower threshold when
 * {@code total * 4 < upper * 3} (the hysteresis keeps a server from flapping at the limit).
 */
public final class Dest {
    private final int id;
    private final Service service;
    private final IpAddr address;
    private final int port;
    private volatile DestSpec spec;
    private volatile int weight;
    private volatile int lastWeight;
    private volatile boolean overloaded;
    private volatile boolean available = true;
    // Counters live in the object itself (not in AtomicInteger boxes) so that a least-connection scan over
    // a thousand servers reads one cache line per server instead of chasing three more pointers.
    @SuppressWarnings("unused")
    private volatile int active;
    @SuppressWarnings("unused")
    private volatile int inactive;
    @SuppressWarnings("unused")
    private volatile int persistent;
    private static final VarHandle ACTIVE;
    private static final VarHandle INACTIVE;
    private static final VarHandle PERSISTENT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            ACTIVE = l.findVarHandle(Dest.class, "active", int.class);
            INACTIVE = l.findVarHandle(Dest.class, "inactive", int.class);
            PERSISTENT = l.findVarHandle(Dest.class, "persistent", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private final Stats stats = new Stats();

    /** For the LoadBalancer, and for tests that need a server outside a balancer. */
    public Dest(int id, Service service, DestSpec spec) {
        this.id = id;
        this.service = service;
        this.address = spec.address();
        this.port = spec.port();
        this.spec = spec;
        this.weight = spec.weight();
        this.lastWeight = spec.weight();
    }

    /** Stable small integer naming this dest in connection entries; reused only after the dest is gone. */
    public int id() {
        return id;
    }

    public Service service() {
        return service;
    }

    public IpAddr address() {
        return address;
    }

    public int port() {
        return port;
    }

    public DestSpec spec() {
        return spec;
    }

    public ForwardingMethod method() {
        return spec.method();
    }

    /** The weight schedulers use now. */
    public int weight() {
        return weight;
    }

    /**
     * The last weight above zero this server had (its current weight when above zero): what consistent
     * hashing builds its table from, so quiescing a server to weight 0 does not reshuffle everybody else.
     */
    public int lastWeight() {
        return lastWeight;
    }

    public int upperThreshold() {
        return spec.upperThreshold();
    }

    public int lowerThreshold() {
        return spec.lowerThreshold();
    }

    public boolean isOverloaded() {
        return overloaded;
    }

    /** False once the dest has been removed from its service: it keeps serving its own connections only. */
    public boolean isAvailable() {
        return available;
    }

    /** May this server take a new flow? Weight above 0, not overloaded, still in its service. */
    public boolean isUsable() {
        return weight > 0 && !overloaded && available;
    }

    public int activeConns() {
        return active;
    }

    public int inactiveConns() {
        return inactive;
    }

    public int persistentConns() {
        return persistent;
    }

    /** IPVS' load figure: {@code active * 256 + inactive} (an established connection costs far more). */
    public long overhead() {
        return ((long) active << 8) + inactive;
    }

    public Stats stats() {
        return stats;
    }

    // ---- data plane: connection accounting -------------------------------------------------------

    /** A connection was bound to this server, active (established) or not. */
    public void connBound(boolean isActive) {
        (isActive ? ACTIVE : INACTIVE).getAndAdd(this, 1);
        int upper = spec.upperThreshold();
        if (upper != 0 && active + inactive >= upper) {
            overloaded = true;
        }
    }

    /** A connection bound to this server ended, in the given activity. */
    public void connUnbound(boolean wasActive) {
        (wasActive ? ACTIVE : INACTIVE).getAndAdd(this, -1);
        if (overloaded) {
            clearOverloadIfBelow();
        }
    }

    /** A bound connection moved between inactive and active (e.g. SYN_RECV to ESTABLISHED). */
    public void connActivity(boolean nowActive) {
        if (nowActive) {
            INACTIVE.getAndAdd(this, -1);
            ACTIVE.getAndAdd(this, 1);
        } else {
            ACTIVE.getAndAdd(this, -1);
            INACTIVE.getAndAdd(this, 1);
        }
    }

    public void templateBound() {
        PERSISTENT.getAndAdd(this, 1);
    }

    public void templateUnbound() {
        PERSISTENT.getAndAdd(this, -1);
    }

    private void clearOverloadIfBelow() {
        DestSpec s = spec;
        long total = (long) active + inactive;
        int upper = s.upperThreshold();
        int lower = s.lowerThreshold();
        if (lower != 0) {
            if (total < lower) {
                overloaded = false;
            }
        } else if (upper != 0) {
            if (total * 4 < (long) upper * 3) {
                overloaded = false;
            }
        } else {
            overloaded = false;
        }
    }

    // ---- control plane ---------------------------------------------------------------------------

    /** Applies an edited configuration (same address and port). Weight follows the spec. */
    void apply(DestSpec newSpec) {
        spec = newSpec;
        setWeight(newSpec.weight());
        int upper = newSpec.upperThreshold();
        long total = (long) active + inactive;
        if (upper == 0) {
            overloaded = false;
        } else if (total >= upper) {
            overloaded = true;
        } else if (overloaded) {
            clearOverloadIfBelow();
        }
    }

    /**
     * Sets the weight schedulers use without changing the configured one: for health checks (inhibit on
     * failure) and dynamic feedback. The caller must then refresh the service's scheduler.
     */
    void effectiveWeight(int w) {
        if (w < 0 || w > DestSpec.MAX_WEIGHT) {
            throw new IllegalArgumentException("weight " + w + " out of range");
        }
        setWeight(w);
    }

    private void setWeight(int w) {
        weight = w;
        if (w > 0) {
            lastWeight = w;
        }
    }

    void retire() {
        available = false;
    }

    public String label() {
        return address.withPort(port);
    }

    @Override
    public String toString() {
        return label() + " w=" + weight + " a=" + active + " i=" + inactive + (overloaded ? " overloaded" : "");
    }
}
