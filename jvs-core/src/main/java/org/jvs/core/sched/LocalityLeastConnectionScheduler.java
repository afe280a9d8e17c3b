package org.jvs.core.sched;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jvs.core.Dest;
import org.jvs.core.time.Clock;

/**
 * lblc, locality-based least connection (thesis 6.3.5): requests for one destination address go to one
 * server, so that server's cache holds that destination's objects; the weighted-least-connection choice is
 * made only for a new destination, or when the cached server can no longer serve it well: removed,
 * quiesced, overloaded by its thresholds, or overloaded in the locality sense (more active connections
 * than its weight while another server is less than half busy, see {@link LeastLoad#localityOverloaded}).
 *
 * <p>Cache entries remember their last use; {@link #housekeeping} drops those idle longer than the
 * expiration (default 24 h) and trims the least recently used when the table outgrows its bound.
 */
public final class LocalityLeastConnectionScheduler implements Scheduler {
    static final Duration DEFAULT_EXPIRATION = Duration.ofHours(24);
    /** Soft bound on cached destinations, trimmed by housekeeping (the table itself grows on demand). */
    static final int DEFAULT_MAX_ENTRIES = 16 * 1024;

    private final Clock clock;
    private final long expirationNanos;
    private final LocalityCache cache;
    private volatile Dest[] dests = new Dest[0];

    public LocalityLeastConnectionScheduler(SchedulerContext context) {
        this(context.clock(), DEFAULT_EXPIRATION, DEFAULT_MAX_ENTRIES);
    }

    LocalityLeastConnectionScheduler(Clock clock, Duration expiration) {
        this(clock, expiration, DEFAULT_MAX_ENTRIES);
    }

    LocalityLeastConnectionScheduler(Clock clock, Duration expiration, int maxEntries) {
        this.clock = clock;
        this.expirationNanos = expiration.toNanos();
        this.cache = new LocalityCache(maxEntries);
    }

    @Override
    public String name() {
        return "lblc";
    }

    /**
     * Publishes the new list; when servers left, also forgets the destinations cached on them so that no
     * entry keeps a removed server reachable (or alive for the garbage collector).
     */
    @Override
    public void update(Dest[] newDests) {
        Dest[] old = dests;
        dests = newDests;
        Set<Dest> current = Collections.newSetFromMap(new IdentityHashMap<>());
        Collections.addAll(current, newDests);
        for (Dest d : old) {
            if (!current.contains(d)) {
                cache.removeIf((t, s) -> !current.contains((Dest) t.value(s)));
                return;
            }
        }
    }

    /**
     * The whole decision for one destination happens under its stripe's lock, so two threads scheduling
     * the same new destination agree on one server. The lock covers at most one scan of the server list.
     */
    @Override
    public Dest schedule(Flow flow) {
        Dest[] ds = dests;
        long now = clock.nanos();
        long hi = flow.dstHi;
        long lo = flow.dstLo;
        long h = cache.hash(hi, lo);
        AddrTable t = cache.stripe(h);
        synchronized (t) {
            int s = t.find(h, hi, lo);
            if (s >= 0) {
                Dest cached = (Dest) t.value(s);
                if (keep(cached, ds)) {
                    t.used(s, now);
                    return cached;
                }
            }
            int i = LeastLoad.leastLoaded(ds);
            if (i < 0) {
                return null;
            }
            Dest pick = ds[i];
            if (s >= 0) {
                t.value(s, pick);
                t.used(s, now);
            } else {
                t.insert(h, hi, lo, pick, now, 0); // at the hard bound: scheduled, just not cached
            }
            return pick;
        }
    }

    /** The same decision as {@link #schedule}, without touching the cache. */
    @Override
    public Dest preview(Flow flow) {
        Dest[] ds = dests;
        long h = cache.hash(flow.dstHi, flow.dstLo);
        AddrTable t = cache.stripe(h);
        Dest cached;
        synchronized (t) {
            int s = t.find(h, flow.dstHi, flow.dstLo);
            cached = s >= 0 ? (Dest) t.value(s) : null;
        }
        if (cached != null && keep(cached, ds)) {
            return cached;
        }
        int i = LeastLoad.leastLoaded(ds);
        return i < 0 ? null : ds[i];
    }

    private static boolean keep(Dest d, Dest[] ds) {
        return d.isUsable() && !LeastLoad.localityOverloaded(d, ds);
    }

    @Override
    public void housekeeping() {
        cache.expire(clock.nanos() - expirationNanos);
        cache.trim();
    }

    /** Cached destinations now (tests). */
    int cacheSize() {
        return cache.size();
    }
}
