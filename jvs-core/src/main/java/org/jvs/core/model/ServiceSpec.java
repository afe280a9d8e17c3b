package org.jvs.core.model;

import java.util.List;
import java.util.Set;

/**
 * The administrator's description of a virtual service, as ipvsadm {@code -A}/{@code -E} gives it.
 *
 * @param persistence null when the service is not persistent
 * @param onePacket   {@code -o}: schedule every UDP datagram on its own
 * @param mhTableSize Maglev lookup table size (a prime), used by {@code mh} only
 * @param proximity   the global server scheduling table, used by {@code gs} only
 * @param engine      the data plane that carries it (default: the socket engine)
 */
public record ServiceSpec(ServiceKey key, String scheduler, Persistence persistence, boolean onePacket,
                          Set<SchedFlag> flags, int mhTableSize, List<ProximityRule> proximity, Engine engine) {

    public static final String DEFAULT_SCHEDULER = "wlc";
    public static final int DEFAULT_MH_TABLE_SIZE = 65537;

    public ServiceSpec {
        if (key == null) {
            throw new ConfigException("a service needs a key (address and port, or fwmark)");
        }
        scheduler = scheduler == null || scheduler.isBlank() ? DEFAULT_SCHEDULER : scheduler.strip();
        flags = flags == null ? Set.of() : Set.copyOf(flags);
        proximity = proximity == null ? List.of() : List.copyOf(proximity);
        if (engine == null) {
            engine = Engine.SOCKET;
        }
        if (mhTableSize == 0) {
            mhTableSize = DEFAULT_MH_TABLE_SIZE;
        }
        if (key instanceof ServiceKey.Virtual v && v.port() == 0 && persistence == null) {
            throw new ConfigException("service " + key + ": port 0 (all ports) requires persistence (-p)");
        }
        if (persistence != null && persistence.prefixLength() > (key.v6() ? 128 : 32)) {
            throw new ConfigException("service " + key + ": persistence netmask /" + persistence.prefixLength()
                    + " is longer than the address");
        }
        if (onePacket && !(key instanceof ServiceKey.Virtual v && v.protocol() == Protocol.UDP)
                && !(key instanceof ServiceKey.Fwmark)) {
            throw new ConfigException("service " + key + ": one-packet scheduling (-o) applies to UDP only");
        }
        if (mhTableSize < 2 || !java.math.BigInteger.valueOf(mhTableSize).isProbablePrime(30)) {
            throw new ConfigException("service " + key + ": Maglev table size " + mhTableSize + " must be a prime");
        }
        if (engine == Engine.HTTP) {
            if (!(key instanceof ServiceKey.Virtual v && v.protocol() == Protocol.TCP && v.port() != 0)) {
                throw new ConfigException("service " + key + ": the http engine serves a TCP address and port");
            }
            if (persistence != null) {
                throw new ConfigException("service " + key + ": the http engine has no persistence (-p); for "
                        + "stickiness use scheduler sh on a cookie, a header or the source address");
            }
        }
        for (ProximityRule r : proximity) {
            if (r.prefix().v6() != key.v6()) {
                throw new ConfigException("service " + key + ": proximity prefix " + r.prefix() + " is of the other address family");
            }
        }
    }

    /** A service with the given scheduler and no options. */
    public static ServiceSpec of(ServiceKey key, String scheduler) {
        return new ServiceSpec(key, scheduler, null, false, Set.of(), 0, List.of(), Engine.SOCKET);
    }

    /** A persistent service (the only kind a port-0 service may be). */
    public static ServiceSpec of(ServiceKey key, String scheduler, Persistence persistence) {
        return new ServiceSpec(key, scheduler, persistence, false, Set.of(), 0, List.of(), Engine.SOCKET);
    }

    public ServiceSpec withPersistence(Persistence p) {
        return new ServiceSpec(key, scheduler, p, onePacket, flags, mhTableSize, proximity, engine);
    }

    public ServiceSpec withScheduler(String s) {
        return new ServiceSpec(key, s, persistence, onePacket, flags, mhTableSize, proximity, engine);
    }

    public ServiceSpec withFlags(Set<SchedFlag> f) {
        return new ServiceSpec(key, scheduler, persistence, onePacket, f, mhTableSize, proximity, engine);
    }

    public ServiceSpec withOnePacket(boolean ops) {
        return new ServiceSpec(key, scheduler, persistence, ops, flags, mhTableSize, proximity, engine);
    }

    public ServiceSpec withMhTableSize(int size) {
        return new ServiceSpec(key, scheduler, persistence, onePacket, flags, size, proximity, engine);
    }

    public ServiceSpec withProximity(List<ProximityRule> rules) {
        return new ServiceSpec(key, scheduler, persistence, onePacket, flags, mhTableSize, rules, engine);
    }

    public ServiceSpec withEngine(Engine e) {
        return new ServiceSpec(key, scheduler, persistence, onePacket, flags, mhTableSize, proximity, e);
    }
}
