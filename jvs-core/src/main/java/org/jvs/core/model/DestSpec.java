package org.jvs.core.model;

/**
 * The administrator's description of a real server in one service ({@code -a}/{@code -e}).
 *
 * @param upperThreshold 0 = no limit; at or above it (active + inactive) the server is overloaded
 * @param lowerThreshold 0 = use 3/4 of the upper threshold to clear the overload
 * @param proxyProtocol  for relaying engines: send the client address first (PROXY protocol v1/v2)
 */
public record DestSpec(IpAddr address, int port, ForwardingMethod method, int weight,
                       int upperThreshold, int lowerThreshold, ProxyProtocol proxyProtocol) {

    public static final int MAX_WEIGHT = 65535;

    public DestSpec {
        if (address == null) {
            throw new ConfigException("a real server needs an address");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("real server port " + port + " out of range 0..65535");
        }
        if (method == null) {
            method = ForwardingMethod.DIRECT_ROUTE;
        }
        if (proxyProtocol == null) {
            proxyProtocol = ProxyProtocol.NONE;
        }
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new ConfigException("weight " + weight + " out of range 0.." + MAX_WEIGHT);
        }
        if (upperThreshold < 0 || upperThreshold > MAX_WEIGHT * 16 * 16) {
            throw new ConfigException("upper threshold " + upperThreshold + " out of range");
        }
        if (lowerThreshold < 0) {
            throw new ConfigException("lower threshold " + lowerThreshold + " out of range");
        }
        if (upperThreshold != 0 && lowerThreshold > upperThreshold) {
            throw new ConfigException("lower threshold " + lowerThreshold + " is above upper threshold " + upperThreshold);
        }
    }

    /** A server with weight 1, no thresholds. */
    public static DestSpec of(IpAddr address, int port, ForwardingMethod method) {
        return new DestSpec(address, port, method, 1, 0, 0, ProxyProtocol.NONE);
    }

    public DestSpec withWeight(int w) {
        return new DestSpec(address, port, method, w, upperThreshold, lowerThreshold, proxyProtocol);
    }

    public DestSpec withThresholds(int upper, int lower) {
        return new DestSpec(address, port, method, weight, upper, lower, proxyProtocol);
    }

    public DestSpec withMethod(ForwardingMethod m) {
        return new DestSpec(address, port, m, weight, upperThreshold, lowerThreshold, proxyProtocol);
    }

    public DestSpec withPort(int p) {
        return new DestSpec(address, p, method, weight, upperThreshold, lowerThreshold, proxyProtocol);
    }

    public DestSpec withProxyProtocol(ProxyProtocol pp) {
        return new DestSpec(address, port, method, weight, upperThreshold, lowerThreshold, pp);
    }

    /**
     * This server as a service of {@code key} stores it: DR, TUN and local servers see the packet's own
     * port, so their port is the service port (0 for a fwmark service, which has none), as ipvsadm does.
     */
    public DestSpec normalizedFor(ServiceKey key) {
        if (!(method.keepsServicePort() || method instanceof ForwardingMethod.Local)) {
            return this;
        }
        int p = key instanceof ServiceKey.Virtual v ? v.port() : 0;
        return p == port ? this : withPort(p);
    }

    public String label() {
        return address.withPort(port);
    }
}
