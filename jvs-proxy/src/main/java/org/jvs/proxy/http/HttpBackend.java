package org.jvs.proxy.http;

import java.net.InetSocketAddress;
import org.jvs.core.Dest;
import org.jvs.core.model.ProxyProtocol;

/**
 * A real server of a layer-7 service: where it listens, its weight, its LBLC thresholds (requests in
 * flight, thesis defaults low 30, high 60) and whether its connections begin with a PROXY header.
 *
 * @param dest the core's real server when a director runs the engine (null in a stand-alone engine): its
 *             weight, which health checks and dynamic feedback set, is then the one the schedulers use, and
 *             its counters get each request
 */
public record HttpBackend(String name, InetSocketAddress address, int weight, int low, int high, Dest dest, ProxyProtocol proxy) {

    public HttpBackend(String name, InetSocketAddress address, int weight, int low, int high, Dest dest) {
        this(name, address, weight, low, high, dest, ProxyProtocol.NONE);
    }

    public HttpBackend(String name, InetSocketAddress address, int weight, int low, int high) {
        this(name, address, weight, low, high, null);
    }

    public HttpBackend(String name, InetSocketAddress address, int weight) {
        this(name, address, weight, org.jvs.proxy.http.sched.L7Server.DEFAULT_LOW, org.jvs.proxy.http.sched.L7Server.DEFAULT_HIGH);
    }

    public HttpBackend {
        if (address == null) {
            throw new IllegalArgumentException("server " + name + " needs an address");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("server " + name + ": weight must be >= 0");
        }
        if (proxy == null) {
            proxy = ProxyProtocol.NONE;
        }
    }
}
