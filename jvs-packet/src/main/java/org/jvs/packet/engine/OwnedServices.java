package org.jvs.packet.engine;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.Service;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.ServiceKey;

/**
 * What traffic is the packet engine's, as one immutable snapshot that workers read per packet without a lock:
 * the IPv4 services whose engine is {@code packet} (protocol, VIP, port), the VIPs to answer ARP for, and the
 * sources of VS/NAT replies (protocol, real server, port). Everything else on the wire is the kernel's; in
 * particular a socket-engine service on the same address is never touched. The control thread publishes a new
 * snapshot with {@link #update} after every configuration change.
 *
 * <p>Keys are {@code protocol << 48 | port << 32 | address}, sorted; a port-0 service (all ports) is found by
 * a second lookup with port 0.
 *
 * <p>Firewall-mark services: the {@link MarkRule}s (set once from the engine's configuration) whose mark has an
 * IPv4 firewall-mark service of engine {@code packet} are in the snapshot ({@link Snapshot#markOf}); their
 * addresses are VIPs like any other, and the services' VS/NAT real servers are reply sources for the protocols
 * the rules name.
 */
public final class OwnedServices {

    /** One published view; arrays are never changed after construction. */
    public record Snapshot(long[] services, long[] natSources, int[] vips, int[] held, MarkRule[] marks) {
        public static final Snapshot EMPTY = new Snapshot(new long[0], new long[0], new int[0], new int[0]);

        public Snapshot(long[] services, long[] natSources, int[] vips) {
            this(services, natSources, vips, new int[0]);
        }

        public Snapshot(long[] services, long[] natSources, int[] vips, int[] held) {
            this(services, natSources, vips, held, new MarkRule[0]);
        }

        /**
         * The firewall mark of a packet of {@code protocol} to {@code address}:{@code port} by the first rule that
         * matches, or 0 (unmarked). A linear walk: mark rules are few, and walking them allocates nothing.
         */
        public int markOf(int protocol, int address, int port) {
            for (MarkRule r : marks) {
                if (r.matches(protocol, address, port)) {
                    return r.mark();
                }
            }
            return 0;
        }

        public boolean isService(int protocol, int address, int port) {
            return Arrays.binarySearch(services, key(protocol, address, port)) >= 0
                    || Arrays.binarySearch(services, key(protocol, address, 0)) >= 0;
        }

        public boolean isNatSource(int protocol, int address, int port) {
            return Arrays.binarySearch(natSources, key(protocol, address, port)) >= 0
                    || Arrays.binarySearch(natSources, key(protocol, address, 0)) >= 0;
        }

        /** A VIP this engine answers ARP for and announces (not one a VRRP backup holds back). */
        public boolean isVip(int address) {
            return Arrays.binarySearch(vips, address) >= 0;
        }

        /** VIPs of the engine's services held back while this director is a VRRP backup, ascending (a copy). */
        public int[] heldList() {
            return held.clone();
        }

        /** The VS/NAT real servers' addresses, ascending, each once. */
        public int[] natSourceAddresses() {
            return Arrays.stream(natSources).mapToInt(OwnedServices::address).distinct().sorted().toArray();
        }

        /** The VIPs, ascending (a copy). */
        public int[] vipList() {
            return vips.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Snapshot s && Arrays.equals(services, s.services)
                    && Arrays.equals(natSources, s.natSources) && Arrays.equals(vips, s.vips) && Arrays.equals(held, s.held)
                    && Arrays.equals(marks, s.marks);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(services) * 31 + Arrays.hashCode(natSources) * 17 + Arrays.hashCode(vips) * 7 + Arrays.hashCode(held);
        }

        @Override
        public String toString() {
            return services.length + " services, " + natSources.length + " NAT sources, " + vips.length + " VIPs"
                    + (marks.length == 0 ? "" : ", " + marks.length + " mark rules")
                    + (held.length == 0 ? "" : ", " + held.length + " held by a VRRP backup");
        }
    }

    private volatile Snapshot current = Snapshot.EMPTY;
    /** VIPs not to answer for or announce: VRRP is backup for them on this director (sorted). */
    private volatile int[] held = new int[0];
    private volatile List<MarkRule> markRules = List.of();

    /** The firewall-mark classifier (the engine's configuration); takes effect at the next {@link #update}. */
    public void marks(List<MarkRule> rules) {
        this.markRules = List.copyOf(rules);
    }

    /** The classifier last set. */
    public List<MarkRule> markRules() {
        return markRules;
    }

    /**
     * Which VIPs this director must not answer ARP for nor announce, because VRRP has it backup for them; their
     * packets, should any still arrive, are forwarded as ever (the connection table knows them from sync).
     * Takes effect at the next {@link #update}.
     */
    public void hold(int[] vips) {
        int[] sorted = vips.clone();
        Arrays.sort(sorted);
        this.held = sorted;
    }

    public Snapshot current() {
        return current;
    }

    /**
     * Recomputes the snapshot from {@code lb}'s services and retired real servers; returns it (the same object when
     * nothing changed).
     */
    public synchronized Snapshot update(LoadBalancer lb) {
        Snapshot next = of(lb.services(), lb.retiredDests(), held, markRules);
        if (!next.equals(current)) {
            current = next;
        }
        return current;
    }

    /** {@link #of(List, List)} with no retired real servers. */
    public static Snapshot of(List<Service> services) {
        return of(services, List.of());
    }

    /**
     * The snapshot for {@code services}: IPv4 address-and-port services of engine {@code packet}. Firewall-mark
     * and IPv6 services are not handled by this engine yet. {@code retired}: real servers removed from their
     * service whose connections go on ({@link LoadBalancer#retiredDests}); a VS/NAT one stays a source of replies
     * to rewrite until its connections end, as IPVS keeps forwarding for a server in its trash.
     */
    public static Snapshot of(List<Service> services, List<Dest> retired) {
        return of(services, retired, new int[0]);
    }

    /** As {@link #of(List, List)}, with the VIPs in {@code held} (sorted) held back rather than answered for. */
    public static Snapshot of(List<Service> services, List<Dest> retired, int[] held) {
        return of(services, retired, held, List.of());
    }

    /** As {@link #of(List, List, int[])}, with the firewall-mark classifier {@code rules}. */
    public static Snapshot of(List<Service> services, List<Dest> retired, int[] held, List<MarkRule> rules) {
        TreeSet<Long> keys = new TreeSet<>();
        TreeSet<Long> nat = new TreeSet<>();
        TreeSet<Integer> vips = new TreeSet<>();
        List<MarkRule> carried = new java.util.ArrayList<>();
        for (Service s : services) {
            if (s.spec().engine() == Engine.PACKET && s.key() instanceof ServiceKey.Fwmark m && !m.v6()) {
                for (MarkRule r : rules) {
                    if (r.mark() == m.mark()) {
                        carried.add(r);
                        vips.add(r.address());
                        for (Dest d : s.dests()) {
                            addMarkedNatSource(nat, d, r);
                        }
                    }
                }
            }
        }
        for (Dest d : retired) {
            if (d.service().spec().engine() == Engine.PACKET && d.service().key() instanceof ServiceKey.Fwmark m && !m.v6()) {
                for (MarkRule r : rules) {
                    if (r.mark() == m.mark()) {
                        addMarkedNatSource(nat, d, r);
                    }
                }
            }
        }
        // Rules keep their configured order: the first that matches gives the mark, as in an nftables chain.
        carried.sort(java.util.Comparator.comparingInt(rules::indexOf));
        for (Service s : services) {
            if (s.spec().engine() != Engine.PACKET || !(s.key() instanceof ServiceKey.Virtual v) || v.v6()) {
                continue;
            }
            int proto = v.protocol().number();
            int vip = v.address().v4Int();
            keys.add(key(proto, vip, v.port()));
            vips.add(vip);
            for (Dest d : s.dests()) {
                addNatSource(nat, d, v);
            }
        }
        for (Dest d : retired) {
            if (d.service().spec().engine() == Engine.PACKET && d.service().key() instanceof ServiceKey.Virtual v && !v.v6()) {
                addNatSource(nat, d, v);
            }
        }
        return new Snapshot(keys.stream().mapToLong(Long::longValue).toArray(),
                nat.stream().mapToLong(Long::longValue).toArray(),
                vips.stream().mapToInt(Integer::intValue).filter(v -> Arrays.binarySearch(held, v) < 0).toArray(),
                vips.stream().mapToInt(Integer::intValue).filter(v -> Arrays.binarySearch(held, v) >= 0).toArray(),
                carried.stream().distinct().toArray(MarkRule[]::new));
    }

    /** A VS/NAT server of a firewall-mark service answers from its port (0: the packet's) for each protocol marked. */
    private static void addMarkedNatSource(TreeSet<Long> nat, Dest d, MarkRule r) {
        if (d.method() instanceof ForwardingMethod.Nat && !d.address().v6()) {
            for (int proto : r.protocol() == 0 ? new int[] {6, 17} : new int[] {r.protocol()}) {
                nat.add(key(proto, d.address().v4Int(), d.port()));
            }
        }
    }

    private static void addNatSource(TreeSet<Long> nat, Dest d, ServiceKey.Virtual v) {
        if (d.method() instanceof ForwardingMethod.Nat && !d.address().v6()) {
            nat.add(key(v.protocol().number(), d.address().v4Int(), d.port() != 0 ? d.port() : v.port()));
        }
    }

    /**
     * What of {@code services} is marked {@code engine: packet} but this engine cannot carry yet, one line each:
     * IPv6 services, real servers by FullNAT, IPv6 real servers. Their packets are left to the kernel
     * (services) or dropped and counted (real servers); the director logs these lines.
     */
    public static List<String> notCarried(List<Service> services) {
        return notCarried(services, List.of());
    }

    /** As {@link #notCarried(List)}, firewall-mark services judged against the classifier {@code rules}. */
    public static List<String> notCarried(List<Service> services, List<MarkRule> rules) {
        List<String> out = new java.util.ArrayList<>();
        for (Service s : services) {
            if (s.spec().engine() != Engine.PACKET) {
                continue;
            }
            if (s.key() instanceof ServiceKey.Fwmark m && !m.v6()) {
                if (rules.stream().noneMatch(r -> r.mark() == m.mark())) {
                    out.add(s.key() + ": no rule of packet.marks gives this mark, so no packet belongs to it");
                }
            } else if (!(s.key() instanceof ServiceKey.Virtual v) || v.v6()) {
                out.add(s.key() + ": the packet engine forwards IPv4 address:port and firewall-mark services only (yet)");
                continue;
            }
            for (Dest d : s.dests()) {
                boolean carried = !(d.method() instanceof ForwardingMethod.FullNat);
                if (!carried || d.address().v6()) {
                    out.add(s.key() + " -> " + d.address().withPort(d.port())
                            + ": the packet engine forwards to IPv4 real servers by DR, NAT, TUN or local only (yet)");
                }
            }
        }
        return out;
    }

    static long key(int protocol, int address, int port) {
        return (long) (protocol & 0xFF) << 48 | (long) (port & 0xFFFF) << 32 | (address & 0xFFFF_FFFFL);
    }

    static int protocol(long key) {
        return (int) (key >>> 48) & 0xFF;
    }

    static int port(long key) {
        return (int) (key >>> 32) & 0xFFFF;
    }

    static int address(long key) {
        return (int) key;
    }
}
