package org.jvs.director;

import java.util.HashMap;
import java.util.Map;
import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.Service;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ServiceKey;

/**
 * The one place that decides a real server's effective weight (the weight schedulers use), because three
 * parties have a say and must not overwrite each other:
 * <ul>
 *   <li>the administrator's configured weight: 0 means "quiesced", and nobody else may lift it;</li>
 *   <li>dynamic feedback (thesis 4.2), which replaces the configured weight by a computed one;</li>
 *   <li>health checks, which say how much of that weight the server may have now: 0 when down
 *       (inhibit_on_failure), 1 when up, a fraction while a recovered server warms up (slow start).</li>
 * </ul>
 * {@code effective = configured == 0 ? 0 : round((feedback, else configured) × health)}, at least 1 when the
 * health factor is above 0 (a server that is up always takes some traffic).
 *
 * <p>Runs on control threads only (checks, monitors, reloads); it is synchronized and never touched per
 * packet. A reload resets every edited dest's weight to its configured value, so the director calls
 * {@link #reapply()} after each configuration change.
 */
public final class WeightArbiter {
    private record Key(ServiceKey service, IpAddr address, int port) {}

    private static final class Say {
        double health = 1.0;
        int feedback = -1;
    }

    private final LoadBalancer lb;
    private final Map<Key, Say> says = new HashMap<>();

    public WeightArbiter(LoadBalancer lb) {
        this.lb = lb;
    }

    /** Health's share: 0 (down), 1 (up), or in between during slow start. Returns the effective weight set. */
    public synchronized int health(ServiceKey service, IpAddr address, int port, double factor) {
        if (!(factor >= 0.0 && factor <= 1.0)) {
            throw new IllegalArgumentException("health factor " + factor + " outside 0..1");
        }
        say(service, address, port).health = factor;
        return apply(service, address, port);
    }

    /** Dynamic feedback's weight, replacing the configured one; -1 gives the configured weight back. */
    public synchronized int feedback(ServiceKey service, IpAddr address, int port, int weight) {
        if (weight < -1 || weight > org.jvs.core.model.DestSpec.MAX_WEIGHT) {
            throw new IllegalArgumentException("feedback weight " + weight + " out of range");
        }
        say(service, address, port).feedback = weight;
        return apply(service, address, port);
    }

    /** The health factor last said for a dest (1 when nobody said anything). */
    public synchronized double healthFactor(ServiceKey service, IpAddr address, int port) {
        Say s = says.get(new Key(service, address, port));
        return s == null ? 1.0 : s.health;
    }

    /** The feedback weight last said for a dest, or -1. */
    public synchronized int feedbackWeight(ServiceKey service, IpAddr address, int port) {
        Say s = says.get(new Key(service, address, port));
        return s == null ? -1 : s.feedback;
    }

    /**
     * After a configuration change: forgets dests that no longer exist and sets every other one's effective
     * weight again from the (possibly new) configured weight.
     */
    public synchronized void reapply() {
        says.keySet().removeIf(k -> dest(k.service(), k.address(), k.port()) == null);
        for (Key k : says.keySet()) {
            apply(k.service(), k.address(), k.port());
        }
    }

    /** Forgets what was said about a dest (it was removed by a checker or the administrator). */
    public synchronized void forget(ServiceKey service, IpAddr address, int port) {
        says.remove(new Key(service, address, port));
    }

    /** The weight this arbiter computes for a configured weight, a feedback weight (-1: none) and a health factor. */
    public static int combine(int configured, int feedback, double health) {
        if (configured == 0 || health <= 0.0) {
            return 0;
        }
        int base = feedback >= 0 ? feedback : configured;
        if (base == 0) {
            return 0;
        }
        return (int) Math.max(1, Math.round(base * health));
    }

    private Say say(ServiceKey service, IpAddr address, int port) {
        return says.computeIfAbsent(new Key(service, address, port), k -> new Say());
    }

    private int apply(ServiceKey service, IpAddr address, int port) {
        Dest d = dest(service, address, port);
        if (d == null) {
            return -1;
        }
        Say s = says.get(new Key(service, address, port));
        int w = combine(d.spec().weight(), s.feedback, s.health);
        if (w != d.weight()) {
            lb.setEffectiveWeight(service, address, port, w);
        }
        return w;
    }

    private Dest dest(ServiceKey service, IpAddr address, int port) {
        Service s = lb.service(service);
        return s == null ? null : s.dest(address, port);
    }
}
