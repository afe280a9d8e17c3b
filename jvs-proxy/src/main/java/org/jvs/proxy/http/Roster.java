package org.jvs.proxy.http;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.jvs.core.time.Clock;
import org.jvs.proxy.http.sched.L7Schedulers;
import org.jvs.proxy.http.sched.L7Server;
import org.jvs.proxy.http.sched.RequestScheduler;
import org.jvs.proxy.http.sched.ServerSet;

/**
 * One generation of a service's servers: the set the scheduler picks from and where each listens, indexed
 * alike. A change of the server list builds a new roster and the engine swaps
 * it in one volatile write; a request keeps the roster it was scheduled with to its end, and connections
 * pooled for an older roster are closed rather than reused.
 */
final class Roster {
    final ServerSet servers;
    final RequestScheduler scheduler;
    final InetSocketAddress[] addresses;
    /** Each server's counters, kept by name in the service's stats so a roster change does not reset them. */
    final ServerStats[] stats;
    /**
     * The PROXY header each server's connections begin with. A connection that told a server one client's
     * address cannot carry another client's requests, so those are kept by their client session (as
     * HAProxy's private connections) instead of going back to the loop's pool.
     */
    final org.jvs.core.model.ProxyProtocol[] proxy;

    Roster(HttpServiceConfig config, HttpStats serviceStats) {
        List<L7Server> list = new ArrayList<>();
        addresses = new InetSocketAddress[config.backends().size()];
        stats = new ServerStats[addresses.length];
        proxy = new org.jvs.core.model.ProxyProtocol[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            HttpBackend b = config.backends().get(i);
            list.add(new L7Server(i, b.name(), b.weight(), b.low(), b.high(), b.dest()));
            addresses[i] = b.address();
            stats[i] = serviceStats.server(b.name());
            proxy[i] = b.proxy();
        }
        servers = new ServerSet(list);
        scheduler = L7Schedulers.create(config.scheduler(), servers, config.options(), Clock.SYSTEM);
    }
}
