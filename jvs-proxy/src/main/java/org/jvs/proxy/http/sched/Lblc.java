package org.jvs.proxy.http.sched;

import org.jvs.core.time.Clock;

/**
 * Locality-based least connection over request targets, as the thesis gives it (6.3.5): a target keeps
 * its server until that server is seriously imbalanced ({@code n.conns > n.high} while some node is below
 * its {@code low}, or {@code n.conns >= 2·high}) or unusable; then the least-loaded node takes the target.
 */
public final class Lblc extends TargetMapped {

    private final ServerSet servers;

    public Lblc(ServerSet servers, int targets, long expireNanos, Clock clock) {
        super(targets, expireNanos, clock);
        this.servers = servers;
    }

    @Override
    public String name() {
        return "lblc";
    }

    @Override
    public L7Server pick(L7Request request) {
        long key = request.head.targetHash();
        long now = clock.nanos();
        synchronized (table.lock(key)) {
            int slot = table.find(key);
            L7Server n = null;
            if (slot >= 0) {
                n = servers.get(Long.numberOfTrailingZeros(table.set(slot)));
                if (!n.usable() || servers.imbalanced(n, servers.all())) {
                    n = null;
                    moves.increment();
                } else {
                    hits.increment();
                }
            } else {
                misses.increment();
                slot = table.insert(key, now, request.head);
            }
            if (n == null) {
                n = servers.leastLoaded(servers.all());
                if (n == null) {
                    table.set(slot, 0, now);
                    return null;
                }
                table.set(slot, n.bit(), now);
            }
            table.touch(slot, now);
            return n;
        }
    }

    /** Requests whose target kept its server: the locality hit count. */
    public long hits() {
        return hits.sum();
    }

    /** Requests for a target the table did not know. */
    public long misses() {
        return misses.sum();
    }

    /** Requests whose target was moved to another server (imbalance or an unusable server). */
    public long reassignments() {
        return moves.sum();
    }
}
