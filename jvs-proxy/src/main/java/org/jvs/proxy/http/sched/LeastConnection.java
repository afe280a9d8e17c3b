package org.jvs.proxy.http.sched;

/** Least requests in flight, weights ignored (every usable server counts as weight 1). */
public final class LeastConnection implements RequestScheduler {
    private final ServerSet servers;

    public LeastConnection(ServerSet servers) {
        this.servers = servers;
    }

    @Override
    public String name() {
        return "lc";
    }

    @Override
    public L7Server pick(L7Request request) {
        L7Server best = null;
        for (int i = 0; i < servers.size(); i++) {
            L7Server s = servers.get(i);
            if (s.usable() && (best == null || s.conns() < best.conns())) {
                best = s;
            }
        }
        return best;
    }
}
