package org.jvs.proxy.http.sched;

import org.jvs.core.time.Clock;

/**
 * Locality-based least connection with replication (thesis 6.3.5): a target maps to a set of servers and
 * a request goes to the set's least-loaded member; under serious imbalance the least-loaded node overall
 * joins the set, and a set of more than one that has not changed for K (60 s) loses its busiest member.
 * {@link ContentLblcr} is the same walk with the candidates narrowed to a content rule's servers.
 */
public class Lblcr implements RequestScheduler {

    public static final long DEFAULT_K_NANOS = 60_000_000_000L;

    private final ServerSet servers;
    private final TargetTable table;
    private final Clock clock;
    private final long kNanos;
    private final long expireNanos;

    public Lblcr(ServerSet servers, int targets, long kNanos, long expireNanos, Clock clock) {
        this.servers = servers;
        this.table = new TargetTable(targets);
        this.clock = clock;
        this.kNanos = kNanos;
        this.expireNanos = expireNanos;
    }

    @Override
    public String name() {
        return "lblcr";
    }

    @Override
    public L7Server pick(L7Request request) {
        return pick(request.head.targetHash(), servers.all());
    }

    /** The walk over {@code candidates} (all servers for LBLCR, a rule's static set for its content form). */
    protected final L7Server pick(long key, long candidates) {
        long now = clock.nanos();
        synchronized (table.lock(key)) {
            int slot = table.find(key);
            if (slot < 0) {
                slot = table.insert(key, now);
            }
            long set = table.set(slot) & candidates;
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
                }
            }
            table.set(slot, set, now);
            table.touch(slot, now);
            return n;
        }
    }

    @Override
    public void housekeeping() {
        table.expire(clock.nanos() - expireNanos);
    }

    /** The servers a target is on now, as bits (0: unknown target); control plane and tests. */
    public long membersOf(long key) {
        synchronized (table.lock(key)) {
            int slot = table.find(key);
            return slot < 0 ? 0 : table.set(slot);
        }
    }
}
