package org.jvs.core;

import java.util.Arrays;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.sched.Scheduler;
import org.jvs.core.stats.Stats;

/**
 * A virtual service at run time: its options, its real servers in list order and its scheduler. The
 * control thread replaces the dest array and scheduler wholesale (copy on write) so that data-plane threads
 * always see a consistent pair without locking.
 */
public final class Service {
    private final int id;
    private final ServiceKey key;
    private volatile ServiceSpec spec;
    private volatile Scheduler scheduler;
    private volatile Dest[] dests = new Dest[0];
    private final Stats stats = new Stats();

    Service(int id, ServiceSpec spec, Scheduler scheduler) {
        this.id = id;
        this.key = spec.key();
        this.spec = spec;
        this.scheduler = scheduler;
    }

    public int id() {
        return id;
    }

    public ServiceKey key() {
        return key;
    }

    public ServiceSpec spec() {
        return spec;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** The real servers in list order; the array must not be modified. */
    public Dest[] dests() {
        return dests;
    }

    public Stats stats() {
        return stats;
    }

    public boolean isPersistent() {
        return spec.persistence() != null;
    }

    /** The dest with this address and port, or null. */
    public Dest dest(org.jvs.core.model.IpAddr address, int port) {
        for (Dest d : dests) {
            if (d.port() == port && d.address().equals(address)) {
                return d;
            }
        }
        return null;
    }

    void replace(ServiceSpec newSpec, Scheduler newScheduler) {
        spec = newSpec;
        if (newScheduler != scheduler) {
            newScheduler.update(dests);
            scheduler = newScheduler;
        }
    }

    void dests(Dest[] newDests) {
        dests = newDests;
        scheduler.update(newDests);
    }

    /** Tells the scheduler that weights or thresholds changed (rebuild hash tables and so on). */
    void refreshScheduler() {
        scheduler.update(dests);
    }

    @Override
    public String toString() {
        return key + " " + spec.scheduler() + " " + Arrays.toString(dests);
    }
}
