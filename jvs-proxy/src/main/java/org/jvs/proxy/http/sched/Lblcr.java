package org.jvs.proxy.http.sched;

import org.jvs.core.time.Clock;

/**
 * Locality-based least connection with replication (thesis 6.3.5): a target maps to a set of servers and
 * a request goes to the set's least-loaded member; under serious imbalance the least-loaded node overall
 * joins the set, and a set of more than one that has not changed for K (60 s) loses its busiest member.
 * {@link ContentLblcr} is the same walk with the candidates narrowed to a content rule's servers.
 */
public sealed class Lblcr extends TargetMapped permits ContentLblcr {

    public static final long DEFAULT_K_NANOS = 60_000_000_000L;

    private final ServerSet servers;
    private final long kNanos;

    public Lblcr(ServerSet servers, int targets, long kNanos, long expireNanos, Clock clock) {
        super(targets, expireNanos, clock);
        this.servers = servers;
        this.kNanos = kNanos;
    }

    @Override
    public String name() {
        return "lblcr";
    }

    @Override
    public L7Server pick(L7Request request) {
        return pick(request, servers.all());
    }

    /** The walk over {@code candidates} (all servers for LBLCR, a rule's static set for its content form). */
    protected final L7Server pick(L7Request request, long candidates) {
        long key = request.head.targetHash();
        long now = clock.nanos();
        synchronized (table.lock(key)) {
            int slot = table.find(key);
            if (slot < 0) {
                slot = table.insert(key, now, request.head);
            }
            long before = table.set(slot);
            long set = before & candidates;
            L7Server n = servers.leastLoaded(set);
            if (n == null) {
                n = servers.leastLoaded(candidates);
                if (n == null) {
                    table.set(slot, set, now);
                    return null;
                }
                set |= n.bit();
            } else if (servers.imbalanced(n, candidates)) {
                L7Server least = servers.leastLoaded(candidates);
                if (least != null && least != n) {
                    n = least;
                    set |= n.bit();
                }
            }
            if (Long.bitCount(set) > 1 && set == table.set(slot) && now - table.modified(slot) > kNanos) {
                L7Server m = servers.mostLoaded(set, n);
                if (m != null) {
                    set &= ~m.bit();
                    shrinks.increment();
                }
            }
            (before == 0 ? misses : (before & n.bit()) != 0 ? hits : moves).increment();
            table.set(slot, set, now);
            table.touch(slot, now);
            return n;
        }
    }

    /** The servers a target is on now, as bits (0: unknown target); control plane and tests. */
    public long membersOf(long key) {
        synchronized (table.lock(key)) {
            int slot = table.find(key);
            return slot < 0 ? 0 : table.set(slot);
        }
    }
}
