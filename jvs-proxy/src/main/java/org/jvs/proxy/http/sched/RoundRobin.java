package org.jvs.proxy.http.sched;

import java.util.concurrent.atomic.AtomicLong;

/** Round robin over usable servers. */
public final class RoundRobin implements RequestScheduler {
    private final ServerSet servers;
    private final AtomicLong next = new AtomicLong();

    public RoundRobin(ServerSet servers) {
        this.servers = servers;
    }

    @Override
    public String name() {
        return "rr";
    }

    @Override
    public L7Server pick(L7Request request) {
        int n = servers.size();
        long start = next.getAndIncrement();
        for (int i = 0; i < n; i++) {
            L7Server s = servers.get((int) Long.remainderUnsigned(start + i, n));
            if (s.usable()) {
                return s;
            }
        }
        return null;
    }
}
