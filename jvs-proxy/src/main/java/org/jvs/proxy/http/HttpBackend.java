package org.jvs.proxy.http;

import java.net.InetSocketAddress;

/**
 * A real server of a layer-7 service: where it listens, its weight and its LBLC thresholds (requests in
 * flight, thesis defaults low 30, high 60).
 */
public record HttpBackend(String name, InetSocketAddress address, int weight, int low, int high) {

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
    }
}
