package org.jvs.packet.engine;

import java.lang.foreign.MemorySegment;
import org.jvs.core.Decision;
import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.conn.ConnTable;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.TunnelChecksum;
import org.jvs.core.sched.Flow;
import org.jvs.core.time.Clock;
import org.jvs.packet.ArpPacket;
import org.jvs.packet.Checksum;
import org.jvs.packet.Encapsulation;
import org.jvs.packet.EthernetFrame;
import org.jvs.packet.Flows;
import org.jvs.packet.IcmpHeader;
import org.jvs.packet.IpProtocol;
import org.jvs.packet.Ipv4Header;
import org.jvs.packet.Offload;
import org.jvs.packet.PacketBatch;
import org.jvs.packet.PacketIo;
import org.jvs.packet.TcpHeader;
import org.jvs.packet.TcpSegments;
import org.jvs.packet.UdpHeader;
import org.jvs.packet.Rewrite;

/**
 * One packet-engine worker, IPv4: it reads one interface (its "own" {@link Link}) and may send on every link of
 * the engine. {@link #poll} receives one batch, decides every frame and sends what it forwards, one output
 * batch per link. Nothing is allocated per packet: the flyweights, the {@link Flow}, the {@link Decision} and
 * the batches are the worker's own and reused.
 *
 * <ul>
 *   <li>IPv4 TCP/UDP to our MAC for a packet-engine service ({@link OwnedServices}): {@link LoadBalancer#inbound}.
 *       ACCEPT with VS/DR rewrites the Ethernet addresses only, and goes out of the link whose connected subnet
 *       holds the real server; with VS/NAT it also rewrites destination address and port ({@link Rewrite#dnatV4};
 *       a real-server port 0 keeps the service port) and goes toward the real server (on a connected subnet, or
 *       through the gateway).</li>
 *   <li>From a VS/NAT real server's address and port: {@link LoadBalancer#outbound}; a reply of a known connection
 *       gets its source rewritten back to VIP:vport and goes toward the client: the client itself when it is on a
 *       connected subnet, else the gateway.</li>
 *   <li>Next hops come from each link's {@link NeighbourTable}; on a miss the worker sends the ARP request itself
 *       (the table rate-limits per address) and drops the packet, counted (the kernel would queue a few; the engine
 *       keeps no queue). The frame opening a VS/NAT connection from a client on the link's subnet teaches the table
 *       that client's MAC when it has none ({@link NeighbourTable#glean}), so the first reply need not wait.
 *       ARP traffic seen on the link teaches the table; ARP requests for a VIP are answered on a link facing
 *       clients.</li>
 *   <li>Everything else is the kernel's ("passed": not sent, the kernel has its own copy since AF_PACKET is a
 *       tap) or dropped, each reason counted. A malformed frame never makes the worker throw.</li>
 * </ul>
 *
 * <p>Offloads: a frame arrives with the kernel's {@link Offload} metadata (an unfinished TCP/UDP checksum, a TSO
 * super-frame, as veths with default offloads hand them over) and leaves with it, so the kernel finishes it on the
 * way out; VS/NAT rewrites an unfinished checksum as such ({@link Rewrite}). Toward an output that carries no
 * metadata the worker finishes the checksum itself, and drops a super-frame (counted in {@link #superFrames()}):
 * it never sends a frame the next hop would drop.
 *
 * <p>ICMP, as IPVS does it: an error (destination unreachable, source quench, time exceeded) toward a VIP that
 * quotes a packet of a connection (VIP:vport to the client) goes to that connection's real server, and one from a
 * VS/NAT real server quoting a packet of a connection to it goes back to the client; VS/NAT rewrites the outer
 * address and the quoted address and port on the way, fixing the quoted header's checksum and the ICMP checksum.
 * An error quoting no connection of the table is dropped ({@link #noConn()}). A packet with DF set larger than the
 * MTU of the link it must leave by (a super-frame: its segments) is answered with "fragmentation needed" and that
 * MTU ({@link IcmpFrames}; not rate-limited, as the kernel exempts it) and dropped, counted in {@link #tooBig()};
 * without DF it goes in IPv4 fragments that fit (VS/TUN: outer fragments), as the kernel fragments what IPVS sends.
 *
 * <p>TTL: inbound DR and NAT frames keep it (current IPVS decrements it; VS/TUN here does too); VS/NAT replies are
 * routed, so they lose one, and one arriving with TTL 1 is dropped and answered with ICMP time exceeded.
 *
 * <p>Fragments: the first carries the ports and is handled as any packet; the worker notes where it sent it
 * ({@link FragmentCache}) and the later ones follow it, NAT rewriting their address only (the transport checksum
 * is in the first). A later fragment without a note is dropped ({@link #fragments()}).
 *
 * <p>VS/TUN ({@link #tunnel}): the packet goes inside an outer IPv4 header (IPIP, GUE or GRE) to its real server,
 * wherever a route reaches it; a super-frame is cut into segments first, as no virtio header can describe one inside
 * a tunnel. The real server answers the client directly.
 *
 * <p>Not yet: IPv6, FullNAT. Confined to one thread; the counters are plain fields, exact from that thread, approximate from
 * others.
 */
public final class PacketWorker {
    private static final long MULTICAST_BIT = 0x0100_0000_0000L;
    /** Datagrams whose later fragments a worker can follow at once (see {@link FragmentCache}). */
    static final int FRAGMENT_NOTES = 4096;

    private final LoadBalancer lb;
    private final ConnTable conns4;
    private final Link[] links;
    private final int self;
    private final Link own;
    private final OwnedServices owned;
    private final int gateway;
    private final int gatewayLink;
    private final Clock clock;
    private final PacketIo[] ios;
    /** Per link: whether its output keeps offload metadata (else checksums are finished here). */
    private final boolean[] offloadsOut;

    private final PacketBatch in;
    private final PacketBatch[] out;
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Header ip = new Ipv4Header();
    private final ArpPacket arp = new ArpPacket();
    private final ArpFrames arpOut = new ArpFrames();
    private final IcmpHeader icmp = new IcmpHeader();
    private final Ipv4Header quoted = new Ipv4Header();
    /** The quoted packet's ports (TCP's and UDP's sit at the same offsets). */
    private final UdpHeader quotedPorts = new UdpHeader();
    private final TcpHeader tcp = new TcpHeader();
    private final IcmpFrames icmpOut = new IcmpFrames();
    private final FragmentCache fragmentNotes = new FragmentCache(FRAGMENT_NOTES);
    private final Flow flow = new Flow();
    private final Decision decision = new Decision();

    /** Per batch: the time, and the services snapshot. */
    private long now;
    private OwnedServices.Snapshot services = OwnedServices.Snapshot.EMPTY;
    /** Result of {@link #route}: the link to send on and the next hop's address. */
    private int routeLink;
    private int routeHop;
    /** Result of {@link #routeToServer}: whether the server is reached by VS/NAT or VS/TUN, and its address. */
    private boolean serverNat;
    private boolean serverTunnel;
    private boolean serverLocal;
    /** The director's own addresses and the way into its kernel (IPVS' local node). */
    private LocalNode localNode = new LocalNode();
    private int serverAddress;
    /** The {@link Offload} metadata of the frame being handled. */
    private long offload;
    /** The packet being handled is the first fragment of a datagram (it has the ports; more follow). */
    private boolean firstFragment;

    private long received;
    private long forwardedDr;
    private long forwardedNat;
    private long forwardedTun;
    private long forwardedLocal;
    /** The outer IP identification of the next tunnelled packet. */
    private int tunnelId;
    /** Where an outer packet too big for its link is built before it is cut into fragments. */
    private final MemorySegment scratch;
    private final Ipv4Header fragmentHeader = new Ipv4Header();
    private long fragmented;
    private long natReplies;
    private long arpReplies;
    private long arpRequests;
    private long learned;
    private long passed;
    private long fragments;
    private long malformed;
    private long noDest;
    private long dropVerdict;
    private long noConn;
    private long noNeighbour;
    private long noRoute;
    private long ttlExpired;
    private long unsupportedMethod;
    private long txFull;
    private long txRefused;
    private long superFrames;
    private long icmpForwarded;
    private long fragmentsForwarded;
    private long tooBig;
    private long icmpSent;

    /**
     * @param links     the engine's links, shared by all workers
     * @param self      index of the link this worker receives from
     * @param gateway   IPv4 next hop for addresses on no connected subnet, 0 for none
     * @param ios       one per link: where frames for that link are sent; {@code ios[self]} is also received from
     * @param batchSize frames per batch
     * @param frameSize largest frame
     */
    public PacketWorker(LoadBalancer lb, Link[] links, int self, OwnedServices owned, int gateway, Clock clock,
                        PacketIo[] ios, int batchSize, int frameSize) {
        if (links.length != ios.length || self < 0 || self >= links.length) {
            throw new IllegalArgumentException("one PacketIo per link, and self among them");
        }
        this.lb = lb;
        this.conns4 = lb.connTable(false);
        this.links = links.clone();
        this.self = self;
        this.own = links[self];
        this.owned = owned;
        this.gateway = gateway;
        this.gatewayLink = connectedLink(this.links, gateway);
        this.clock = clock;
        this.ios = ios.clone();
        this.offloadsOut = new boolean[ios.length];
        for (int k = 0; k < ios.length; k++) {
            offloadsOut[k] = ios[k].carriesOffloads();
        }
        this.in = new PacketBatch(batchSize, frameSize);
        this.scratch = java.lang.foreign.Arena.ofAuto().allocate(frameSize + 64, 64);
        this.out = new PacketBatch[links.length];
        for (int k = 0; k < links.length; k++) {
            out[k] = new PacketBatch(batchSize * 2, frameSize); // room for an ARP request per forwarded frame
        }
    }

    /** The index of the link whose connected subnet holds {@code address}, or -1. */
    static int connectedLink(Link[] links, int address) {
        if (address == 0) {
            return -1;
        }
        for (int k = 0; k < links.length; k++) {
            if (links[k].connected(address)) {
                return k;
            }
        }
        return -1;
    }

    /** Receives one batch without waiting, handles it and sends the output; returns the frames received. */
    public int poll() {
        return poll(0);
    }

    /** As {@link #poll()}, but when nothing is waiting, waits up to {@code timeoutMillis} for a frame. */
    public int poll(int timeoutMillis) {
        int n = ios[self].receive(in, timeoutMillis);
        if (n == 0) {
            return 0;
        }
        now = clock.millis();
        services = owned.current();
        for (PacketBatch b : out) {
            b.clear();
        }
        MemorySegment seg = in.segment();
        for (int i = 0; i < n; i++) {
            offload = in.offload(i);
            handle(seg, in.offset(i), in.length(i));
        }
        received += n;
        for (int k = 0; k < out.length; k++) {
            if (out[k].count() > 0) {
                flush(k);
            }
        }
        return n;
    }

    private void handle(MemorySegment seg, long offset, int length) {
        eth.wrap(seg, offset, length);
        if (!eth.valid()) {
            malformed++;
            return;
        }
        int type = eth.etherType();
        if (type == EthernetFrame.TYPE_ARP) {
            handleArp(seg, offset);
        } else if (type == EthernetFrame.TYPE_IPV4 && eth.destination() == own.mac()) {
            handleIpv4(seg, offset, length);
        } else {
            passed++;
        }
    }

    private void handleArp(MemorySegment seg, long offset) {
        long dst = eth.destination();
        if (dst != EthernetFrame.BROADCAST && dst != own.mac()) {
            passed++;
            return;
        }
        arp.wrap(seg, eth.payloadOffset(), eth.payloadLength());
        if (!arp.valid()) {
            malformed++;
            return;
        }
        int target = arp.targetProtocol();
        int sender = arp.senderProtocol();
        long requester = arp.senderHardware();
        int op = arp.operation();
        boolean vip = services.isVip(target);
        if (sender != 0 && requester != 0 && (requester & MULTICAST_BIT) == 0) {
            // As the kernel does: a request addressed to one of our addresses creates the sender's entry;
            // anything else only refreshes an entry we already have (our own requests created those).
            boolean toUs = op == ArpPacket.OP_REQUEST && (vip || (target == own.address() && target != 0));
            if (own.neighbours().learn(sender, requester, now, toUs)) {
                learned++;
            }
        }
        if (op != ArpPacket.OP_REQUEST || sender == target || !vip || !own.role().facesClients()) {
            passed++;
            return;
        }
        int l2 = eth.headerLength();
        PacketBatch o = out[self];
        // Copy the request's Ethernet header (keeping a VLAN tag) and ARP packet, then turn it round in place.
        if (!o.add(seg, offset, l2 + ArpPacket.LENGTH)) {
            txFull++;
            return;
        }
        MemorySegment os = o.segment();
        long at = o.offset(o.count() - 1);
        eth.wrap(os, at, l2 + ArpPacket.LENGTH).destination(requester).source(own.mac());
        arp.wrap(os, at + l2, ArpPacket.LENGTH).operation(ArpPacket.OP_REPLY)
                .senderHardware(own.mac()).senderProtocol(target)
                .targetHardware(requester).targetProtocol(sender);
        arpReplies++;
    }

    private void handleIpv4(MemorySegment seg, long offset, int length) {
        ip.wrap(seg, eth.payloadOffset(), eth.payloadLength());
        if (!ip.valid()) {
            malformed++;
            return;
        }
        int proto = ip.protocol();
        if (!ip.hasTransportHeader()) {
            laterFragment(seg, offset, length);
            return;
        }
        firstFragment = ip.isFragment();
        if (proto == IpProtocol.ICMP) {
            handleIcmp(seg, offset, length);
            return;
        }
        int flags = Flows.fromIpv4(ip, flow);
        if (flags == Flows.NOT_A_FLOW) {
            if (proto == IpProtocol.TCP || proto == IpProtocol.UDP) {
                malformed++; // a TCP/UDP header that does not fit
            } else {
                passed++;
            }
            return;
        }
        int bytes = ip.totalLength();
        // A marked packet belongs to its firewall-mark service first, as IPVS looks up marks before addresses.
        int mark = services.markOf(proto, ip.destination(), flow.dstPort);
        if (mark != 0 || services.isService(proto, ip.destination(), flow.dstPort)) {
            flow.fwmark = mark;
            lb.inbound(flow, flags, bytes, decision);
            switch (decision.verdict) {
                case Decision.ACCEPT -> forwardInbound(seg, offset, length);
                case Decision.NOT_OURS -> passed++; // the service went away between snapshot and lookup
                case Decision.NO_DEST -> noDest++;
                case Decision.NO_CONN -> noConn++;
                default -> dropVerdict++;
            }
        } else if (services.isNatSource(proto, ip.source(), flow.srcPort)) {
            outbound(seg, offset, length, flags, bytes);
        } else {
            passed++;
        }
    }

    /**
     * A fragment after the first (no ports): it goes where the worker sent its datagram's first fragment, with the
     * same address rewritten (NAT) and, for a reply, one hop taken; without a note of that datagram it is dropped.
     */
    private void laterFragment(MemorySegment seg, long offset, int length) {
        if (!fragmentNotes.find(ip.source(), ip.destination(), ip.id(), ip.protocol(), now)) {
            fragments++;
            return;
        }
        byte kind = fragmentNotes.foundKind;
        int target = fragmentNotes.foundTarget;
        if (kind == FragmentCache.LOCAL) {
            if (deliverLocally(seg, offset)) {
                fragmentsForwarded++;
            }
            return;
        }
        if (kind == FragmentCache.TUN) {
            Dest d = lb.dest(target);
            if (d == null || !(d.method() instanceof ForwardingMethod.Tunnel)) {
                fragments++; // the server left since the first fragment
                return;
            }
            decision.dest = d;
            if (routeToServer() && tunnel(seg, offset)) {
                fragmentsForwarded++;
            }
            return;
        }
        if (kind == FragmentCache.NAT_OUT && ip.ttl() <= 1) {
            ttlExpired++;
            return;
        }
        int to = kind == FragmentCache.NAT_OUT ? ip.destination() : target;
        if (!route(to) || (kind == FragmentCache.DR && routeHop != target)) {
            noRoute++;
            return;
        }
        int k = routeLink;
        long mac = nextHopMac(k, routeHop);
        boolean fragment = mac >= 0 && fragmentsFor(k);
        if (mac < 0 || !fragment && tooBigFor(k, kind == FragmentCache.NAT_OUT ? own.address() : ip.destination(), seg, offset)) {
            return;
        }
        if (kind == FragmentCache.NAT_IN) {
            ip.updateDestination(target);
        } else if (kind == FragmentCache.NAT_OUT) {
            ip.updateSource(target);
            ip.decrementTtl();
        }
        if (emitOrFragment(fragment, k, mac, seg, offset, length)) {
            fragmentsForwarded++;
        }
    }

    /**
     * An ICMP error that may quote a connection's packet: toward a VIP (about a packet the real server sent the
     * client from the VIP) or from a VS/NAT real server (about a packet the client sent it). Anything else,
     * echo requests included, is the kernel's.
     */
    private void handleIcmp(MemorySegment seg, long offset, int length) {
        int avail = (int) Math.min(ip.payloadLength(), ip.available() - ip.headerLength());
        if (avail < IcmpHeader.LENGTH) {
            passed++;
            return;
        }
        long at = ip.payloadOffset();
        icmp.wrap(seg, at);
        int type = icmp.type();
        if (type != IcmpHeader.DEST_UNREACHABLE && type != IcmpHeader.SOURCE_QUENCH && type != IcmpHeader.TIME_EXCEEDED) {
            passed++;
            return;
        }
        if (ip.isFragment()) {
            fragments++; // an error in fragments: its checksum covers them all, and no later fragment is followed
            return;
        }
        if (!icmp.checksumValid(avail)) {
            malformed++; // the checksum is recomputed on the way, which would make a corrupt error look sound
            return;
        }
        quoted.wrap(seg, icmp.embeddedOffset(), avail - IcmpHeader.LENGTH);
        int qproto = quoted.validQuoted() ? quoted.protocol() : -1;
        boolean toVip = services.isVip(ip.destination());
        if ((qproto != IpProtocol.TCP && qproto != IpProtocol.UDP) || !quoted.hasTransportHeader()) {
            if (toVip) {
                malformed++; // quoting nothing a connection could own, to an address only the engine has
            } else {
                passed++;
            }
            return;
        }
        quotedPorts.wrap(seg, quoted.payloadOffset());
        int qsport = quotedPorts.sourcePort();
        int qdport = quotedPorts.destinationPort();
        int bytes = ip.totalLength();
        if (toVip && (services.isService(qproto, quoted.source(), qsport)
                || services.markOf(qproto, quoted.source(), qsport) != 0)) {
            // The quoted packet went VIP:vport -> client:cport: the connection's client side turned round.
            flow.setV4(qproto, quoted.destination(), qdport, quoted.source(), qsport);
            lb.relatedInbound(flow, bytes, decision);
            if (decision.verdict != Decision.ACCEPT) {
                noConn++;
                return;
            }
            icmpInbound(seg, offset, length, avail);
        } else if (services.isNatSource(qproto, quoted.destination(), qdport)) {
            // The quoted packet went client:cport -> RIP:rport: the reply tuple is that turned round.
            flow.setV4(qproto, quoted.destination(), qdport, quoted.source(), qsport);
            lb.relatedOutbound(flow, bytes, decision);
            if (decision.verdict != Decision.ACCEPT) {
                passed++; // not one of ours: the real server's address may be the director's business too
                return;
            }
            icmpOutbound(seg, offset, length, avail);
        } else {
            passed++;
        }
    }

    /** An error about a packet to the client goes to the connection's real server (NAT: VIP rewritten to RIP). */
    private void icmpInbound(MemorySegment seg, long offset, int length, int icmpLength) {
        if (!routeToServer()) {
            return;
        }
        if (serverLocal) {
            if (deliverLocally(seg, offset)) {
                icmpForwarded++;
            }
            return;
        }
        if (serverTunnel) {
            // As IPVS: the error goes through the connection's tunnel like its packets; nothing in it to rewrite.
            if (tunnel(seg, offset)) {
                icmpForwarded++;
            }
            return;
        }
        boolean nat = serverNat;
        int rip = serverAddress;
        int k = routeLink;
        long mac = nextHopMac(k, routeHop);
        if (mac < 0) {
            return;
        }
        if (nat) {
            int conn = decision.conn;
            ip.updateDestination(rip);
            rewriteQuoted(true, rip, conns4.destPort(conn), icmpLength);
            icmp.computeChecksum(icmpLength);
        }
        if (emit(k, mac, seg, offset, length)) {
            icmpForwarded++;
        }
    }

    /** An error from a VS/NAT real server about the client's packet goes to the client, as from the VIP. */
    private void icmpOutbound(MemorySegment seg, long offset, int length, int icmpLength) {
        if (!(decision.dest.method() instanceof ForwardingMethod.Nat)) {
            unsupportedMethod++;
            return;
        }
        if (ip.ttl() <= 1) {
            ttlExpired++;
            return;
        }
        if (!route(ip.destination())) {
            noRoute++;
            return;
        }
        int k = routeLink;
        long mac = nextHopMac(k, routeHop);
        if (mac < 0) {
            return;
        }
        int conn = decision.conn;
        int vip = (int) conns4.virtualLo(conn);
        ip.updateSource(vip);
        rewriteQuoted(false, vip, conns4.virtualPort(conn), icmpLength);
        icmp.computeChecksum(icmpLength);
        ip.decrementTtl();
        if (emit(k, mac, seg, offset, length)) {
            icmpForwarded++;
        }
    }

    /**
     * NAT on the quoted packet: its source (or destination) address and port become {@code address}:{@code port},
     * its header checksum follows, and its TCP or UDP checksum too when the quote reaches it (UDP's always does,
     * TCP's only in a quote longer than the 8 bytes RFC 792 promises; a UDP checksum 0 means none and stays).
     */
    private void rewriteQuoted(boolean source, int address, int port, int icmpLength) {
        int oldAddress = source ? quoted.source() : quoted.destination();
        int oldPort = source ? quotedPorts.sourcePort() : quotedPorts.destinationPort();
        if (source) {
            quoted.updateSource(address);
            quotedPorts.sourcePort(port);
        } else {
            quoted.updateDestination(address);
            quotedPorts.destinationPort(port);
        }
        int quotedLength = icmpLength - IcmpHeader.LENGTH;
        int l4 = quoted.headerLength();
        if (quoted.protocol() == IpProtocol.UDP) {
            int c = quotedPorts.checksum();
            if (c != 0) {
                quotedPorts.checksum(Checksum.udp(c,
                        Checksum.update32And16(c, oldAddress, address, oldPort, port)));
            }
        } else if (l4 + TcpHeader.CHECKSUM_OFFSET + 2 <= quotedLength) {
            tcp.wrap(quoted.segment(), quoted.payloadOffset());
            tcp.checksum(Checksum.update32And16(tcp.checksum(), oldAddress, address, oldPort, port));
        }
    }

    /**
     * Whether the packet is too large for link {@code k}: then it is not sent, and with DF set its sender (the
     * previous hop on this worker's link) gets "fragmentation needed" with the link's MTU, from {@code icmpSource}.
     * For a super-frame the size that counts is that of its segments.
     */
    private boolean tooBigFor(int k, int icmpSource, MemorySegment seg, long offset) {
        return tooBigFor(links[k].mtu(), icmpSource, seg);
    }

    /** As {@link #tooBigFor(int, int, MemorySegment, long)}, against {@code mtu} (a tunnel's: the link's less its headers). */
    private boolean tooBigFor(int mtu, int icmpSource, MemorySegment seg) {
        int size;
        if (Offload.segmented(offload)) {
            int l4 = ip.protocol() == IpProtocol.TCP ? tcp.wrap(seg, ip.payloadOffset()).headerLength() : 8;
            size = ip.headerLength() + l4 + Offload.gsoSize(offload);
        } else {
            size = ip.totalLength();
        }
        if (size <= mtu) {
            return false;
        }
        tooBig++;
        if (ip.dontFragment()
                && icmpOut.fragmentationNeeded(out[self], eth.source(), own.mac(), eth.tagged() ? eth.tci() : -1,
                        icmpSource, ip.source(), mtu, seg, ip.offset(), (int) Math.min(ip.totalLength(), ip.available()))) {
            icmpSent++;
        }
        return true;
    }

    /**
     * The way to {@code decision.dest} for a packet toward it: {@link #route} set, {@link #serverNat} and
     * {@link #serverAddress} too; false (counted) for a method this engine does not do, or no route. VS/DR keeps the
     * VIP as destination address: only a server on a connected subnet can receive it. VS/TUN reaches its server
     * anywhere (through the gateway too), from the address of the link it leaves by, which it must have.
     */
    private boolean routeToServer() {
        ForwardingMethod m = decision.dest.method();
        boolean v6 = decision.dest.address().v6();
        serverLocal = !v6 && (m instanceof ForwardingMethod.Local || localNode.isLocal((int) decision.dest.address().lo()));
        if (serverLocal) {
            serverNat = false;
            serverTunnel = false;
            return true;
        }
        serverNat = m instanceof ForwardingMethod.Nat;
        serverTunnel = m instanceof ForwardingMethod.Tunnel;
        boolean dr = m instanceof ForwardingMethod.DirectRoute;
        if (!serverNat && !serverTunnel && !dr || v6) {
            unsupportedMethod++;
            return false;
        }
        serverAddress = (int) decision.dest.address().lo();
        if (!route(serverAddress) || (dr && routeHop != serverAddress) || (serverTunnel && links[routeLink].address() == 0)) {
            noRoute++;
            return false;
        }
        return true;
    }

    /**
     * VS/TUN, as IPVS' {@code ip_vs_tunnel_xmit}: the packet, its TTL one less, inside an outer IPv4 header (and
     * UDP+GUE or GRE) from the outgoing link's address to the real server ({@link Encapsulation}); a TSO super-frame
     * is cut into segments here ({@link TcpSegments}), each in its own outer packet, and an unfinished checksum is
     * finished here (the kernel cannot finish one inside a tunnel it did not build), unless GUE's remote checksum
     * offload hands it to the real server. Larger than the link's MTU less the tunnel's headers: "fragmentation
     * needed" with that MTU (with DF) and dropped, as IPVS; TTL 1: "time exceeded" and dropped. True when queued.
     */
    private boolean tunnel(MemorySegment seg, long offset) {
        ForwardingMethod.Tunnel t = (ForwardingMethod.Tunnel) decision.dest.method();
        int k = routeLink;
        long mac = nextHopMac(k, routeHop);
        if (mac < 0) {
            return false;
        }
        long meta = offload;
        boolean segmented = Offload.segmented(meta);
        boolean partial = Offload.needsChecksum(meta);
        boolean remcsum = t.checksum() == TunnelChecksum.REMCSUM && partial && !segmented;
        int overhead = Encapsulation.overhead(t.type(), t.checksum(), remcsum);
        int vip = ip.destination();
        int tunnelMtu = links[k].mtu() - overhead;
        // Without DF the outer packet is cut into IPv4 fragments instead (IPVS copies DF out, and the kernel
        // fragments what it may); with DF, or a super-frame, the sender hears the tunnel's MTU.
        boolean fragment = !segmented && !ip.dontFragment() && ip.totalLength() > tunnelMtu;
        if (!fragment && tooBigFor(tunnelMtu, vip, seg)) {
            return false;
        }
        if (ip.ttl() <= 1) {
            ttlExpired++;
            if (icmpOut.allow(now) && icmpOut.timeExceeded(out[self], eth.source(), own.mac(), eth.tagged() ? eth.tci() : -1,
                    vip, ip.source(), seg, ip.offset(), (int) Math.min(ip.totalLength(), ip.available()))) {
                icmpSent++;
            }
            return false;
        }
        ip.decrementTtl();
        eth.destination(mac).source(links[k].mac());
        int l2 = (int) (ip.offset() - offset);
        int inner = ip.totalLength();
        int ports = flow.srcPort << 16 | flow.dstPort;
        int srcPort = Encapsulation.sourcePort(ip.source(), vip, ports);
        int src = links[k].address();
        PacketBatch o = out[k];
        if (segmented) {
            if (ip.protocol() != IpProtocol.TCP) {
                superFrames++; // UDP GSO: not cut here (yet)
                return false;
            }
            int ihl = ip.headerLength();
            int thl = tcp.wrap(seg, ip.payloadOffset()).headerLength();
            int payload = inner - ihl - thl;
            int mss = Offload.gsoSize(meta);
            if (payload <= 0 || mss <= 0 || thl < TcpHeader.MIN_LENGTH) {
                malformed++;
                return false;
            }
            int n = TcpSegments.count(payload, mss);
            for (int i = 0; i < n; i++) {
                if (o.count() == o.capacity()) {
                    flush(k); // a 64 KiB super-frame makes more segments than a batch holds
                }
                long at = o.next(l2 + overhead + ihl + thl + mss);
                if (at < 0) {
                    txFull++;
                    return false;
                }
                MemorySegment os = o.segment();
                MemorySegment.copy(seg, offset, os, at, l2);
                int len = TcpSegments.write(seg, ip.offset(), ihl, thl, payload, mss, i, os, at + l2 + overhead);
                Encapsulation.write(os, at + l2, overhead, t.type(), t.checksum(), src, serverAddress, ip.tos(), ip.ttl(),
                        ip.dontFragment(), tunnelId++, srcPort, t.port(), 0, 0, len);
                o.commit(l2 + overhead + len, Offload.NONE);
            }
            return true;
        }
        int length = l2 + overhead + inner;
        long at = fragment ? 0 : o.next(length);
        if (at < 0) {
            txFull++;
            return false;
        }
        MemorySegment os = fragment ? scratch : o.segment();
        MemorySegment.copy(seg, offset, os, at, l2);
        MemorySegment.copy(seg, ip.offset(), os, at + l2 + overhead, inner);
        int remStart = 0;
        int remField = 0;
        if (remcsum) {
            remStart = Offload.csumStart(meta) - l2;
            remField = remStart + Offload.csumOffset(meta);
            if (remStart < 0 || remField + 2 > inner) {
                malformed++;
                return false;
            }
        } else if (!Offload.complete(os, at, length, Offload.shifted(meta, overhead))) {
            malformed++;
            return false;
        }
        Encapsulation.write(os, at + l2, overhead, t.type(), t.checksum(), src, serverAddress, ip.tos(), ip.ttl(),
                ip.dontFragment(), tunnelId++, srcPort, t.port(), remStart, remField, inner);
        if (fragment) {
            return fragmentAndEmit(k, mac, scratch, 0, l2);
        }
        o.commit(length, Offload.NONE);
        return true;
    }

    /**
     * Whether the packet, too big for link {@code k}, is to be sent in fragments rather than refused: no DF, not a
     * super-frame, no IP options (a later fragment would need only the options marked "copied").
     */
    private boolean fragmentsFor(int k) {
        return !Offload.segmented(offload) && !ip.dontFragment() && ip.headerLength() == Ipv4Header.MIN_LENGTH
                && ip.totalLength() > links[k].mtu();
    }

    /**
     * Addresses the frame at {@code src[frame]} ({@code l2} bytes of Ethernet header, then an IPv4 packet with a
     * 20-byte header, its checksum finished) to {@code mac} from link {@code k}, and queues it as IPv4 fragments that
     * fit the link (RFC 791: payload in multiples of 8 bytes, MF on all but the last, offsets counted from the
     * packet's own when it is itself a fragment), as the kernel's {@code ip_fragment} cuts what IPVS sends without DF.
     * False when the batch could not take them all.
     */
    private boolean fragmentAndEmit(int k, long mac, MemorySegment src, long frame, int l2) {
        eth.destination(mac).source(links[k].mac());
        PacketBatch o = out[k];
        long ipAt = frame + l2;
        fragmentHeader.wrap(src, ipAt, Ipv4Header.MIN_LENGTH);
        int total = fragmentHeader.totalLength();
        int flags = fragmentHeader.flagsFragment();
        int base = (flags & Ipv4Header.FRAGMENT_MASK) * 8;
        boolean moreAfter = (flags & Ipv4Header.FLAG_MF) != 0;
        int per = (links[k].mtu() - Ipv4Header.MIN_LENGTH) & ~7;
        int payload = total - Ipv4Header.MIN_LENGTH;
        for (int from = 0; from < payload; from += per) {
            int chunk = Math.min(per, payload - from);
            if (o.count() == o.capacity()) {
                flush(k);
            }
            int length = l2 + Ipv4Header.MIN_LENGTH + chunk;
            long at = o.next(length);
            if (at < 0) {
                txFull++;
                return false;
            }
            MemorySegment os = o.segment();
            MemorySegment.copy(src, frame, os, at, l2 + Ipv4Header.MIN_LENGTH);
            MemorySegment.copy(src, ipAt + Ipv4Header.MIN_LENGTH + from, os, at + l2 + Ipv4Header.MIN_LENGTH, chunk);
            boolean last = from + chunk >= payload;
            fragmentHeader.wrap(os, at + l2, length - l2).totalLength(Ipv4Header.MIN_LENGTH + chunk)
                    .flagsFragment((last && !moreAfter ? 0 : Ipv4Header.FLAG_MF) | (base + from) / 8).computeChecksum();
            o.commit(length, Offload.NONE);
        }
        fragmented++;
        return true;
    }

    /**
     * {@link #emit}, or {@link #fragmentAndEmit} when {@code fragment}: the frame's unfinished checksum finished first
     * (the checksum covers the whole datagram, which no fragment holds).
     */
    private boolean emitOrFragment(boolean fragment, int k, long mac, MemorySegment seg, long offset, int length) {
        if (!fragment) {
            return emit(k, mac, seg, offset, length);
        }
        int l2 = (int) (ip.offset() - offset);
        if (!Offload.complete(seg, offset, l2 + ip.totalLength(), offload)) {
            malformed++;
            return false;
        }
        return fragmentAndEmit(k, mac, seg, offset, l2);
    }

    /**
     * IPVS' local node: the packet, unchanged, into the director's own kernel ({@link LocalNode}), with its offload
     * metadata; false (counted) when there is no way in yet, or the device refused it.
     */
    private boolean deliverLocally(MemorySegment seg, long offset) {
        LocalNode.Sink sink = localNode.sink();
        if (sink == null) {
            unsupportedMethod++;
            return false;
        }
        int l2 = (int) (ip.offset() - offset);
        if (!sink.deliver(seg, ip.offset(), ip.totalLength(), Offload.shifted(offload, -l2))) {
            txFull++; // the device's queue was full: a drop, as a full output batch is
            return false;
        }
        return true;
    }

    /** The director's own addresses and its way into the kernel, shared by the engine's workers. */
    void localNode(LocalNode n) {
        this.localNode = n;
    }

    /**
     * Sends link {@code k}'s output batch now and empties it. What the I/O refuses is counted in {@link #txRefused},
     * not as a drop: those frames already had their outcome (forwarded, or made by the worker).
     */
    private void flush(int k) {
        PacketBatch b = out[k];
        int sent = ios[k].send(b);
        txRefused += b.count() - sent;
        b.clear();
    }

    private void forwardInbound(MemorySegment seg, long offset, int length) {
        if (!routeToServer()) {
            return;
        }
        if (serverLocal) {
            int src = ip.source();
            int vip = ip.destination();
            int id = ip.id();
            int proto = ip.protocol();
            if (deliverLocally(seg, offset)) {
                forwardedLocal++;
                if (firstFragment) {
                    fragmentNotes.put(src, vip, id, proto, FragmentCache.LOCAL, 0, now);
                }
            }
            return;
        }
        if (serverTunnel) {
            int src = ip.source();
            int vip = ip.destination();
            int id = ip.id();
            if (tunnel(seg, offset)) {
                forwardedTun++;
                if (firstFragment) {
                    fragmentNotes.put(src, vip, id, ip.protocol(), FragmentCache.TUN, decision.dest.id(), now);
                }
            }
            return;
        }
        Dest d = decision.dest;
        boolean nat = serverNat;
        int rip = serverAddress;
        if (nat && decision.created && own.connected(ip.source())
                && own.neighbours().glean(ip.source(), eth.source(), now)) {
            // Its replies will go back to it on this link: the frame says where it is, so the first one need
            // not wait for ARP (see NeighbourTable.glean).
            learned++;
        }
        int k = routeLink;
        long mac = nextHopMac(k, routeHop);
        boolean fragment = mac >= 0 && fragmentsFor(k);
        if (mac < 0 || !fragment && tooBigFor(k, ip.destination(), seg, offset)) {
            return;
        }
        int src = ip.source();
        int vip = ip.destination();
        if (nat) {
            int port = d.port() != 0 ? d.port() : flow.dstPort;
            if (!Rewrite.dnatV4(ip, rip, port, Offload.needsChecksum(offload))) {
                malformed++;
                return;
            }
        }
        if (!emitOrFragment(fragment, k, mac, seg, offset, length)) {
            return;
        }
        if (firstFragment) {
            fragmentNotes.put(src, vip, ip.id(), ip.protocol(), nat ? FragmentCache.NAT_IN : FragmentCache.DR, rip, now);
        }
        if (nat) {
            forwardedNat++;
        } else {
            forwardedDr++;
        }
    }

    private void outbound(MemorySegment seg, long offset, int length, int flags, int bytes) {
        lb.outbound(flow, flags, bytes, decision);
        if (decision.verdict != Decision.ACCEPT) {
            passed++;
            return;
        }
        if (!(decision.dest.method() instanceof ForwardingMethod.Nat) || decision.conn < 0) {
            unsupportedMethod++;
            return;
        }
        if (ip.ttl() <= 1) {
            // Dropped, as the kernel's forwarding path drops it, and answered as it answers: time exceeded to the
            // server (the sender), so a traceroute from behind the director sees it.
            ttlExpired++;
            if (icmpOut.allow(now) && icmpOut.timeExceeded(out[self], eth.source(), own.mac(), eth.tagged() ? eth.tci() : -1,
                    own.address(), ip.source(), seg, ip.offset(), (int) Math.min(ip.totalLength(), ip.available()))) {
                icmpSent++;
            }
            return;
        }
        if (!route(ip.destination())) {
            noRoute++;
            return;
        }
        int k = routeLink;
        long mac = nextHopMac(k, routeHop);
        boolean fragment = mac >= 0 && fragmentsFor(k);
        if (mac < 0 || !fragment && tooBigFor(k, own.address(), seg, offset)) {
            return;
        }
        int conn = decision.conn;
        int rip = ip.source();
        int vip = (int) conns4.virtualLo(conn);
        if (!Rewrite.snatV4(ip, vip, conns4.virtualPort(conn), Offload.needsChecksum(offload))) {
            malformed++;
            return;
        }
        // A reply is routed by the director: one hop, as IPVS's replies pass the kernel's forwarding path.
        ip.decrementTtl();
        if (emitOrFragment(fragment, k, mac, seg, offset, length)) {
            natReplies++;
            if (firstFragment) {
                fragmentNotes.put(rip, ip.destination(), ip.id(), ip.protocol(), FragmentCache.NAT_OUT, vip, now);
            }
        }
    }

    /**
     * Addresses the frame to {@code mac} from link {@code k} and queues it there with its offload metadata, or
     * finished when that output carries none; false (counted) when full, or a super-frame for such an output.
     */
    private boolean emit(int k, long mac, MemorySegment seg, long offset, int length) {
        eth.destination(mac).source(links[k].mac());
        long meta = offload;
        boolean finishHere = !offloadsOut[k] && meta != Offload.NONE;
        if (finishHere && Offload.segmented(meta)) {
            superFrames++;
            return false;
        }
        PacketBatch o = out[k];
        if (!o.add(seg, offset, length, finishHere ? Offload.NONE : meta)) {
            txFull++;
            return false;
        }
        if (finishHere && !Offload.complete(o.segment(), o.offset(o.count() - 1), length, meta)) {
            o.count(o.count() - 1);
            malformed++;
            return false;
        }
        return true;
    }

    /**
     * Where a packet to {@code dst} goes: out of the link whose connected subnet holds it, to {@code dst} itself;
     * else toward the gateway, out of the gateway's link. False when neither exists.
     */
    private boolean route(int dst) {
        for (int k = 0; k < links.length; k++) {
            if (links[k].connected(dst)) {
                routeLink = k;
                routeHop = dst;
                return true;
            }
        }
        if (gatewayLink < 0) {
            return false;
        }
        routeLink = gatewayLink;
        routeHop = gateway;
        return true;
    }

    /** The MAC of {@code hop} on link {@code k}, or -1 (dropped, counted; an ARP request sent when due). */
    private long nextHopMac(int k, int hop) {
        long r = links[k].neighbours().resolve(hop, now);
        if (r == NeighbourTable.MISS_PROBE) {
            request(k, hop, -1);
        }
        if (r < 0) {
            noNeighbour++;
            return -1;
        }
        long mac = r & NeighbourTable.MAC_MASK;
        if ((r & NeighbourTable.PROBE) != 0) {
            request(k, hop, mac);
        }
        return mac;
    }

    private void request(int k, int hop, long knownMac) {
        Link l = links[k];
        if (arpOut.request(out[k], l.mac(), l.address(), hop, knownMac)) {
            arpRequests++;
        } // else the batch is full: the next packet to this hop asks again once the rate limit allows
    }

    /** The link this worker receives from. */
    public Link link() {
        return own;
    }

    /** Frames received. */
    public long received() {
        return received;
    }

    /**
     * Frames forwarded: VS/DR and VS/NAT inbound, VS/NAT replies, ICMP errors of connections, later fragments
     * (ARP apart).
     */
    public long forwarded() {
        return forwardedDr + forwardedNat + forwardedTun + forwardedLocal + natReplies + icmpForwarded + fragmentsForwarded;
    }

    /** Packets of connections scheduled to the director itself, handed to its kernel (IPVS' local node). */
    public long forwardedLocal() {
        return forwardedLocal;
    }

    /**
     * Packets without DF too big for the link they leave by (for VS/TUN: the link less the tunnel's headers), sent in
     * IPv4 fragments (not an outcome: each is also counted as forwarded).
     */
    public long fragmented() {
        return fragmented;
    }

    /** VS/TUN packets sent into their tunnel (a super-frame cut into segments counts once). */
    public long forwardedTun() {
        return forwardedTun;
    }

    /** Later fragments of datagrams whose first fragment was forwarded, sent the same way. */
    public long fragmentsForwarded() {
        return fragmentsForwarded;
    }

    public long forwardedDr() {
        return forwardedDr;
    }

    public long forwardedNat() {
        return forwardedNat;
    }

    public long natReplies() {
        return natReplies;
    }

    public long arpReplies() {
        return arpReplies;
    }

    /** ARP requests this worker sent to resolve next hops (not an outcome of a received frame). */
    public long arpRequests() {
        return arpRequests;
    }

    /**
     * Neighbour entries written from ARP traffic seen, or gleaned from the frame opening a VS/NAT connection from a
     * client on the link's subnet (not an outcome: the frame is also counted as passed or forwarded).
     */
    public long learned() {
        return learned;
    }

    /** The kernel's (no packet service, no NAT source, not IPv4 TCP/UDP, not for our MAC, ARP): not sent. */
    public long passed() {
        return passed;
    }

    /** Dropped: a later fragment of a datagram whose first fragment this worker did not forward (or not lately). */
    public long fragments() {
        return fragments;
    }

    /** Dropped: truncated or inconsistent headers. */
    public long malformed() {
        return malformed;
    }

    /** Dropped: a service matched but no real server was usable. */
    public long noDest() {
        return noDest;
    }

    /** Dropped: the core said DROP (defense, table full, server gone). */
    public long dropVerdict() {
        return dropVerdict;
    }

    /** Dropped: a TCP segment that opens nothing and matches no connection. */
    public long noConn() {
        return noConn;
    }

    /** Dropped: the next hop's MAC is not known (yet): an ARP request is out or the address does not answer. */
    public long noNeighbour() {
        return noNeighbour;
    }

    /** Dropped: no link reaches the destination (a VS/DR server off every connected subnet, no gateway). */
    public long noRoute() {
        return noRoute;
    }

    /** Dropped: a VS/NAT reply that arrived with TTL 1 or 0 (it cannot be routed one more hop). */
    public long ttlExpired() {
        return ttlExpired;
    }

    /** Dropped: a forwarding method this engine does not do yet (FullNAT; an IPv6 real server; local before its device). */
    public long unsupportedMethod() {
        return unsupportedMethod;
    }

    /** Dropped: the output batch was full, or the local node's device refused the packet. */
    public long txFull() {
        return txFull;
    }

    /**
     * Frames the I/O refused to send (its transmit ring or the device queue full), counted apart from the outcomes:
     * each was already counted as forwarded, or was one the worker made (ARP, ICMP), as a NIC's tx_dropped is.
     */
    public long txRefused() {
        return txRefused;
    }

    /** ICMP errors about a connection's packets forwarded to its real server or back to its client. */
    public long icmpForwarded() {
        return icmpForwarded;
    }

    /** Dropped: larger than the MTU of the link it had to leave by (with DF, answered by "fragmentation needed"). */
    public long tooBig() {
        return tooBig;
    }

    /**
     * ICMP errors the worker sent itself: "fragmentation needed" (the frame is also counted in tooBig) and "time
     * exceeded" for NAT replies with TTL 1 (also in ttlExpired); not an outcome of a frame.
     */
    public long icmpSent() {
        return icmpSent;
    }

    /** Dropped: a TSO/GSO super-frame toward an output that cannot have it cut into segments. */
    public long superFrames() {
        return superFrames;
    }

    /** All drops together. */
    public long dropped() {
        return malformed + noDest + dropVerdict + noConn + noNeighbour + noRoute + ttlExpired + unsupportedMethod + txFull
                + superFrames + tooBig + fragments;
    }
}
