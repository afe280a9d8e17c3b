package org.jvs.vrrp;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import org.jvs.vrrp.io.GarpSender;
import org.jvs.vrrp.io.NetInterface;
import org.jvs.vrrp.io.Rtnetlink;

/**
 * keepalived's way with virtual addresses: {@code RTM_NEWADDR}/{@code RTM_DELADDR} through rtnetlink (with the
 * configured prefix, on the instance's interface or the address's {@code dev}), each acknowledged by the kernel,
 * and gratuitous ARP through {@link GarpSender}. Needs CAP_NET_ADMIN (addresses) and CAP_NET_RAW (ARP). Sockets
 * are opened on the protocol thread, so in the daemon's network namespace.
 */
public final class KernelVipHandler implements VipHandler {
    private static final Logger LOG = Logger.getLogger("org.jvs.vrrp");

    private Rtnetlink netlink;
    private final Map<String, GarpSender> garp = new HashMap<>();
    private final Map<String, Integer> ifindex = new HashMap<>();

    @Override
    public void open(VrrpConfig config) {
        netlink = Rtnetlink.open();
        for (VrrpConfig.Instance i : config.instances()) {
            for (VrrpConfig.VirtualAddress a : i.virtualIpaddress()) {
                sender(dev(i, a));
            }
        }
    }

    private static String dev(VrrpConfig.Instance i, VrrpConfig.VirtualAddress a) {
        return a.dev() == null ? i.interfaceName() : a.dev();
    }

    private GarpSender sender(String dev) {
        GarpSender s = garp.get(dev);
        if (s == null) {
            s = GarpSender.open(dev);
            garp.put(dev, s);
        }
        return s;
    }

    private int index(String dev) {
        Integer i = ifindex.get(dev);
        if (i == null) {
            try (NetInterface n = NetInterface.open(dev)) {
                i = n.index();
            }
            ifindex.put(dev, i);
        }
        return i;
    }

    private Rtnetlink netlink() {
        if (netlink == null) {
            netlink = Rtnetlink.open();
        }
        return netlink;
    }

    @Override
    public void up(VrrpConfig.Instance instance, List<VrrpConfig.VirtualAddress> addresses) {
        RuntimeException first = null;
        for (VrrpConfig.VirtualAddress a : addresses) {
            String dev = dev(instance, a);
            try {
                netlink().addAddress(index(dev), dev, a.address(), a.prefixLength());
            } catch (RuntimeException e) {
                ifindex.remove(dev);
                LOG.severe(instance.name() + ": " + e.getMessage());
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void down(VrrpConfig.Instance instance, List<VrrpConfig.VirtualAddress> addresses) {
        RuntimeException first = null;
        for (VrrpConfig.VirtualAddress a : addresses) {
            String dev = dev(instance, a);
            try {
                netlink().deleteAddress(index(dev), dev, a.address(), a.prefixLength());
            } catch (RuntimeException e) {
                ifindex.remove(dev);
                LOG.severe(instance.name() + ": " + e.getMessage());
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void announce(VrrpConfig.Instance instance, List<VrrpConfig.VirtualAddress> addresses, int repeat) {
        Map<String, List<Integer>> byDev = new HashMap<>();
        for (VrrpConfig.VirtualAddress a : addresses) {
            byDev.computeIfAbsent(dev(instance, a), d -> new java.util.ArrayList<>()).add(a.address());
        }
        for (Map.Entry<String, List<Integer>> e : byDev.entrySet()) {
            sender(e.getKey()).send(e.getValue(), repeat);
        }
    }

    @Override
    public void close() {
        garp.values().forEach(GarpSender::close);
        garp.clear();
        if (netlink != null) {
            netlink.close();
            netlink = null;
        }
    }
}
