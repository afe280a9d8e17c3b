package org.jvs.packet.engine;

import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/**
 * One of the engine's interfaces as the engine sees it: name, role, MAC, the IPv4 address and prefix of its
 * connected subnet (0 and 0 when it has none), its neighbour table, and its MTU (the largest IP packet it sends
 * unsegmented). Shared by every worker.
 */
public record Link(String name, EngineConfig.Role role, long mac, int address, int prefix, NeighbourTable neighbours,
                   int mtu) {
    /** Ethernet's. */
    public static final int DEFAULT_MTU = 1500;

    public Link {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix /" + prefix + " outside 0..32");
        }
        if ((mac >>> 48) != 0) {
            throw new IllegalArgumentException("MAC address must fit 48 bits");
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU " + mtu + " outside 68..65535");
        }
    }

    /** A link with Ethernet's MTU. */
    public Link(String name, EngineConfig.Role role, long mac, int address, int prefix, NeighbourTable neighbours) {
        this(name, role, mac, address, prefix, neighbours, DEFAULT_MTU);
    }

    /** Whether {@code ip} lies on this link's connected subnet. An interface without an address has none. */
    public boolean connected(int ip) {
        if (address == 0 || prefix == 0) {
            return false;
        }
        int mask = prefix == 32 ? -1 : ~(-1 >>> prefix);
        return ((ip ^ address) & mask) == 0;
    }

    /**
     * Reads {@code name}'s MAC, MTU and first IPv4 address with prefix through {@link NetworkInterface} (in the calling
     * thread's network namespace).
     */
    public static Link read(String name, EngineConfig.Role role, int neighbourCapacity) {
        NetworkInterface nif;
        try {
            nif = NetworkInterface.getByName(name);
            if (nif == null) {
                throw new IllegalStateException("no network interface " + name + " in this network namespace (see ip link)");
            }
            byte[] hw = nif.getHardwareAddress();
            if (hw == null || hw.length != 6) {
                throw new IllegalStateException("interface " + name + " has no Ethernet address: the packet engine needs an Ethernet interface");
            }
            long mac = 0;
            for (byte b : hw) {
                mac = mac << 8 | (b & 0xFF);
            }
            int address = 0;
            int prefix = 0;
            for (InterfaceAddress a : nif.getInterfaceAddresses()) {
                if (a.getAddress() instanceof Inet4Address v4) {
                    byte[] b = v4.getAddress();
                    address = (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | b[3] & 0xFF;
                    prefix = a.getNetworkPrefixLength();
                    break;
                }
            }
            // lo's MTU is 65536, and getMTU() answers -1 where it cannot tell: what an IPv4 packet can be instead.
            int mtu = nif.getMTU() < 68 ? DEFAULT_MTU : Math.min(nif.getMTU(), 65535);
            return new Link(name, role, mac, address, prefix, new NeighbourTable(neighbourCapacity), mtu);
        } catch (SocketException e) {
            throw new IllegalStateException("cannot read interface " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return name + " (" + role.name().toLowerCase(java.util.Locale.ROOT) + ", " + Addresses.mac(mac) + ", "
                + (address == 0 ? "no IPv4 address" : Addresses.ipv4(address) + "/" + prefix) + ", mtu " + mtu + ")";
    }
}
