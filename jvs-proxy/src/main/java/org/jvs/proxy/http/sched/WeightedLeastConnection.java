package org.jvs.proxy.http.sched;

/** Least requests in flight per unit of weight. */
public final class WeightedLeastConnection implements RequestScheduler {
    private final ServerSet servers;

    public WeightedLeastConnection(ServerSet servers) {
        this.servers = servers;
    }

    @Override
    public String name() {
        return "wlc";
    }

    @Override
    public L7Server pick(L7Request request) {
        return servers.leastLoaded(servers.all());
    }
}
