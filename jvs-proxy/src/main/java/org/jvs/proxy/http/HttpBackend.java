package org.jvs.proxy.http;

import java.net.InetSocketAddress;

/** A real server of a layer-7 service: where it listens and its weight. */
public record HttpBackend(String name, InetSocketAddress address, int weight) {
    public HttpBackend {
        if (address == null) {
            throw new IllegalArgumentException("server " + name + " needs an address");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("server " + name + ": weight must be >= 0");
        }
    }
}
