package org.jvs.core.sched;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jvs.core.Dest;
import org.jvs.core.time.Clock;

/**
 * lblcr, locality-based least connection with replication (thesis 6.3.5): like lblc, but a destination maps
 * to a server <em>set</em>, so a hot destination can be served by several caches. A flow goes to the least
 * loaded usable member; when that one is missing or overloaded in the locality sense the weighted least
 * connection server of the whole service joins the set and takes the flow; and a set of several members
 * that has not changed for the set expiration (default 24 h) loses its most loaded member, so replication
 * shrinks again once the rush is over.
 *
 * <p>Sets are immutable {@code Dest[]} arrays replaced on change (copy on write): a change happens only on
 * overload or expiry, and new entries reuse the per-server one-member arrays built in {@link #update}, so
 * the common path allocates nothing. Each entry's second long is the time its set last changed.
 */
public final class LocalityLeastConnectionReplicationScheduler implements Scheduler {
    static final Duration DEFAULT_EXPIRATION = Duration.ofHours(24);
    static final Duration DEFAULT_SET_EXPIRATION = Duration.ofHours(24);
    static final int DEFAULT_MAX_ENTRIES = 16 * 1024;

    /** The servers and, at the same index, the one-member set holding each. */
    private record Pool(Dest[] dests, Dest[][] singletons) {
    }

    private final Clock clock;
    private final long expirationNanos;
    private final long setExpirationNanos;
    private final LocalityCache cache;
    private volatile Pool pool = new Pool(new Dest[0], new Dest[0][]);

    public LocalityLeastConnectionReplicationScheduler(SchedulerContext context) {
        this(context.clock(), DEFAULT_EXPIRATION, DEFAULT_SET_EXPIRATION, DEFAULT_MAX_ENTRIES);
    }

    LocalityLeastConnectionReplicationScheduler(Clock clock, Duration expiration, Duration setExpiration) {
        this(clock, expiration, setExpiration, DEFAULT_MAX_ENTRIES);
    }

    LocalityLeastConnectionReplicationScheduler(Clock clock, Duration expiration, Duration setExpiration, int maxEntries) {
        this.clock = clock;
        this.expirationNanos = expiration.toNanos();
        this.setExpirationNanos = setExpiration.toNanos();
        this.cache = new LocalityCache(maxEntries);
    }

    @Override
    public String name() {
        return "lblcr";
    }

    /**
     * Publishes the new list; when servers left, also takes them out of every set (an emptied set's entry
     * goes). That is administration, not a load decision, so it does not count as a set change.
     */
    @Override
    public void update(Dest[] newDests) {
        Dest[][] singletons = new Dest[newDests.length][];
        for (int i = 0; i < newDests.length; i++) {
            singletons[i] = new Dest[] {newDests[i]};
        }
        Dest[] old = pool.dests();
        pool = new Pool(newDests, singletons);
        Set<Dest> current = Collections.newSetFromMap(new IdentityHashMap<>());
        Collections.addAll(current, newDests);
        for (Dest d : old) {
            if (!current.contains(d)) {
                cache.removeIf((t, s) -> {
                    Dest[] set = (Dest[]) t.value(s);
                    Dest[] kept = Arrays.stream(set).filter(current::contains).toArray(Dest[]::new);
                    if (kept.length == 0) {
                        return true;
                    }
                    if (kept.length != set.length) {
                        t.value(s, kept);
                    }
                    return false;
                });
                return;
            }
        }
    }

    /** The decision for one destination, set changes included, happens under its stripe's lock. */
    @Override
    public Dest schedule(Flow flow) {
        Pool p = pool;
        Dest[] ds = p.dests();
        long now = clock.nanos();
        long hi = flow.dstHi;
        long lo = flow.dstLo;
        long h = cache.hash(hi, lo);
        AddrTable t = cache.stripe(h);
        synchronized (t) {
            int s = t.find(h, hi, lo);
            if (s < 0) {
                int i = LeastLoad.leastLoaded(ds);
                if (i < 0) {
                    return null;
                }
                t.insert(h, hi, lo, p.singletons()[i], now, now); // at the hard bound: scheduled, not cached
                return ds[i];
            }
            t.used(s, now);
            Dest[] set = (Dest[]) t.value(s);
            int ni = LeastLoad.leastLoaded(set);
            Dest n = ni < 0 ? null : set[ni];
            if (set.length > 1 && now - t.aux(s) > setExpirationNanos) {
                // Never the member just picked: it is the least loaded one.
                set = without(set, LeastLoad.mostLoaded(set, ni));
                t.value(s, set);
                t.aux(s, now);
            }
            if (n == null || LeastLoad.localityOverloaded(n, ds)) {
                int ci = LeastLoad.leastLoaded(ds);
                if (ci < 0) {
                    return n;
                }
                Dest c = ds[ci];
                if (!LeastLoad.contains(set, c)) {
                    t.value(s, with(set, c));
                    t.aux(s, now);
                }
                n = c;
            }
            return n;
        }
    }

    /** The same decision as {@link #schedule} (expiring a member never changes it), touching nothing. */
    @Override
    public Dest preview(Flow flow) {
        Pool p = pool;
        Dest[] ds = p.dests();
        long h = cache.hash(flow.dstHi, flow.dstLo);
        AddrTable t = cache.stripe(h);
        Dest[] set;
        synchronized (t) {
            int s = t.find(h, flow.dstHi, flow.dstLo);
            set = s >= 0 ? (Dest[]) t.value(s) : null;
        }
        if (set != null) {
            int ni = LeastLoad.leastLoaded(set);
            Dest n = ni < 0 ? null : set[ni];
            if (n != null && !LeastLoad.localityOverloaded(n, ds)) {
                return n;
            }
            int ci = LeastLoad.leastLoaded(ds);
            return ci < 0 ? n : ds[ci];
        }
        int i = LeastLoad.leastLoaded(ds);
        return i < 0 ? null : ds[i];
    }

    private static Dest[] with(Dest[] set, Dest d) {
        Dest[] out = Arrays.copyOf(set, set.length + 1);
        out[set.length] = d;
        return out;
    }

    private static Dest[] without(Dest[] set, int index) {
        Dest[] out = new Dest[set.length - 1];
        System.arraycopy(set, 0, out, 0, index);
        System.arraycopy(set, index + 1, out, index, set.length - index - 1);
        return out;
    }

    @Override
    public void housekeeping() {
        cache.expire(clock.nanos() - expirationNanos);
        cache.trim();
    }

    /** The current set for a destination, in set order, or null (tests). */
    Dest[] members(Flow flow) {
        long h = cache.hash(flow.dstHi, flow.dstLo);
        AddrTable t = cache.stripe(h);
        synchronized (t) {
            int s = t.find(h, flow.dstHi, flow.dstLo);
            return s < 0 ? null : ((Dest[]) t.value(s)).clone();
        }
    }

    int cacheSize() {
        return cache.size();
    }
}
