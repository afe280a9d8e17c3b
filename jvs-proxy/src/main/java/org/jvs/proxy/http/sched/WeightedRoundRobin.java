package org.jvs.proxy.http.sched;

/**
 * Weighted round robin, smooth (each server's turn spread evenly: nginx's method), under a short lock
 * because the current weights are one shared state.
 */
public final class WeightedRoundRobin implements RequestScheduler {
    private final ServerSet servers;
    private final long[] current;

    public WeightedRoundRobin(ServerSet servers) {
        this.servers = servers;
        this.current = new long[servers.size()];
    }

    @Override
    public String name() {
        return "wrr";
    }

    @Override
    public synchronized L7Server pick(L7Request request) {
        long total = 0;
        int best = -1;
        for (int i = 0; i < current.length; i++) {
            int w = servers.get(i).weight();
            if (w <= 0) {
                continue;
            }
            current[i] += w;
            total += w;
            if (best < 0 || current[i] > current[best]) {
                best = i;
            }
        }
        if (best < 0) {
            return null;
        }
        current[best] -= total;
        return servers.get(best);
    }
}
