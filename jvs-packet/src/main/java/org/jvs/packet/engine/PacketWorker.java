package org.jvs.packet.engine;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.jvs.core.Decision;
import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.conn.ConnTable;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.sched.Flow;
import org.jvs.packet.ArpPacket;
import org.jvs.packet.EthernetFrame;
import org.jvs.packet.Flows;
import org.jvs.packet.IpProtocol;
import org.jvs.packet.Ipv4Header;
import org.jvs.packet.PacketBatch;
import org.jvs.packet.PacketIo;
import org.jvs.packet.Rewrite;

/**
 * One packet-engine worker, IPv4 only (first slice of the engine): {@link #poll} receives one batch from a
 * {@link PacketIo}, decides every frame with the {@link LoadBalancer} and sends what it forwards as one
 * output batch. Nothing is allocated per packet: the flyweights, the {@link Flow}, the {@link Decision} and
 * both batches are the worker's own and reused.
 *
 * <ul>
 *   <li>IPv4 TCP/UDP to our MAC: {@link LoadBalancer#inbound}. ACCEPT with VS/DR rewrites the Ethernet
 *       addresses only (destination: the real server's MAC from the {@link NeighbourTable}, source: ours);
 *       with VS/NAT it also rewrites destination address and port ({@link Rewrite#dnatV4}; a real-server port
 *       0 keeps the service port). NOT_OURS then tries {@link LoadBalancer#outbound}: a reply from a VS/NAT
 *       real server gets its source rewritten back to VIP:vport (from the connection table) and goes to the
 *       configured gateway MAC. Anything else that is not ours is "passed" (left to the host: not sent).</li>
 *   <li>ARP requests for a configured VIP are answered with our MAC.</li>
 *   <li>Everything else is passed or dropped, each reason counted. A malformed frame is dropped and counted;
 *       no input makes the worker throw.</li>
 * </ul>
 *
 * <p>Not yet: IPv6, fragments (not transmitted, counted in {@link #fragments()}), ICMP errors, VS/TUN, FullNAT,
 * TTL handling, resolving neighbours by ARP, a next hop per client. Confined to one thread; the counters are
 * plain fields, read them from that thread (or after it stopped).
 */
public final class PacketWorker {
    private static final long MULTICAST_BIT = 0x0100_0000_0000L;

    private final LoadBalancer lb;
    private final ConnTable conns4;
    private final NeighbourTable neighbours;
    private final long ownMac;
    private final long gatewayMac;
    private final int[] vips;

    private final PacketBatch in;
    private final PacketBatch out;
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Header ip = new Ipv4Header();
    private final ArpPacket arp = new ArpPacket();
    private final Flow flow = new Flow();
    private final Decision decision = new Decision();

    private long received;
    private long forwardedDr;
    private long forwardedNat;
    private long natReplies;
    private long arpReplies;
    private long passed;
    private long fragments;
    private long malformed;
    private long noDest;
    private long dropVerdict;
    private long noConn;
    private long noNeighbour;
    private long unsupportedMethod;
    private long txFull;

    /**
     * @param ownMac     the engine's MAC (low 48 bits): source of every frame it sends, and the destination
     *                   IPv4 frames must carry to be handled
     * @param gatewayMac where VS/NAT replies go (the client side's next hop)
     * @param vips       the IPv4 addresses to answer ARP for
     * @param batchSize  frames per batch
     * @param frameSize  largest frame
     */
    public PacketWorker(LoadBalancer lb, NeighbourTable neighbours, long ownMac, long gatewayMac, int[] vips,
                        int batchSize, int frameSize) {
        this.lb = lb;
        this.conns4 = lb.connTable(false);
        this.neighbours = neighbours;
        this.ownMac = ownMac;
        this.gatewayMac = gatewayMac;
        this.vips = vips.clone();
        Arrays.sort(this.vips);
        this.in = new PacketBatch(batchSize, frameSize);
        this.out = new PacketBatch(batchSize, frameSize);
    }

    /** Receives one batch from {@code io}, handles it and sends the output; returns the frames received. */
    public int poll(PacketIo io) {
        int n = io.receive(in);
        if (n == 0) {
            return 0;
        }
        out.clear();
        MemorySegment seg = in.segment();
        for (int i = 0; i < n; i++) {
            handle(seg, in.offset(i), in.length(i));
        }
        received += n;
        if (out.count() > 0) {
            int sent = io.send(out);
            txFull += out.count() - sent;
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
        } else if (type == EthernetFrame.TYPE_IPV4 && eth.destination() == ownMac) {
            handleIpv4(seg, offset, length);
        } else {
            passed++;
        }
    }

    private void handleArp(MemorySegment seg, long offset) {
        long dst = eth.destination();
        if (dst != EthernetFrame.BROADCAST && dst != ownMac) {
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
        if (arp.operation() != ArpPacket.OP_REQUEST || sender == target || Arrays.binarySearch(vips, target) < 0) {
            passed++;
            return;
        }
        long requester = arp.senderHardware();
        int l2 = eth.headerLength();
        // Copy the request's Ethernet header (keeping a VLAN tag) and ARP packet, then turn it round in place.
        if (!out.add(seg, offset, l2 + ArpPacket.LENGTH)) {
            txFull++;
            return;
        }
        MemorySegment o = out.segment();
        long at = out.offset(out.count() - 1);
        eth.wrap(o, at, l2 + ArpPacket.LENGTH).destination(requester).source(ownMac);
        arp.wrap(o, at + l2, ArpPacket.LENGTH).operation(ArpPacket.OP_REPLY)
                .senderHardware(ownMac).senderProtocol(target)
                .targetHardware(requester).targetProtocol(sender);
        arpReplies++;
    }

    private void handleIpv4(MemorySegment seg, long offset, int length) {
        ip.wrap(seg, eth.payloadOffset(), eth.payloadLength());
        if (!ip.valid()) {
            malformed++;
            return;
        }
        if (ip.isFragment()) {
            fragments++;
            return;
        }
        int flags = Flows.fromIpv4(ip, flow);
        if (flags == Flows.NOT_A_FLOW) {
            int proto = ip.protocol();
            if (proto == IpProtocol.TCP || proto == IpProtocol.UDP) {
                malformed++; // a TCP/UDP header that does not fit
            } else {
                passed++;
            }
            return;
        }
        int bytes = ip.totalLength();
        lb.inbound(flow, flags, bytes, decision);
        switch (decision.verdict) {
            case Decision.ACCEPT -> forwardInbound(seg, offset, length);
            case Decision.NOT_OURS -> outbound(seg, offset, length, flags, bytes);
            case Decision.NO_DEST -> noDest++;
            case Decision.NO_CONN -> noConn++;
            default -> dropVerdict++;
        }
    }

    private void forwardInbound(MemorySegment seg, long offset, int length) {
        Dest d = decision.dest;
        ForwardingMethod m = d.method();
        boolean nat = m instanceof ForwardingMethod.Nat;
        if (!nat && !(m instanceof ForwardingMethod.DirectRoute)) {
            unsupportedMethod++;
            return;
        }
        int rip = (int) d.address().lo();
        long mac = neighbours.lookup(rip);
        if (mac == NeighbourTable.NONE) {
            noNeighbour++;
            return;
        }
        if (nat) {
            int port = d.port() != 0 ? d.port() : flow.dstPort;
            if (!Rewrite.dnatV4(ip, rip, port)) {
                malformed++;
                return;
            }
        }
        eth.destination(mac).source(ownMac);
        if (!out.add(seg, offset, length)) {
            txFull++;
            return;
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
        int conn = decision.conn;
        if (!Rewrite.snatV4(ip, (int) conns4.virtualLo(conn), conns4.virtualPort(conn))) {
            malformed++;
            return;
        }
        eth.destination(gatewayMac).source(ownMac);
        if (!out.add(seg, offset, length)) {
            txFull++;
            return;
        }
        natReplies++;
    }

    /** Frames received. */
    public long received() {
        return received;
    }

    /** Frames forwarded: VS/DR and VS/NAT inbound, VS/NAT replies (ARP replies are counted apart). */
    public long forwarded() {
        return forwardedDr + forwardedNat + natReplies;
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

    /** Not ours (no service, no connection, not IPv4 TCP/UDP, not for our MAC): left to the host, not sent. */
    public long passed() {
        return passed;
    }

    /** IPv4 fragments: not handled yet (no reassembly), not sent. */
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

    /** Dropped: the real server's MAC is not in the neighbour table. */
    public long noNeighbour() {
        return noNeighbour;
    }

    /** Dropped: a forwarding method this slice does not do (TUN, FullNAT, local). */
    public long unsupportedMethod() {
        return unsupportedMethod;
    }

    /** Dropped: the output batch or the transmit queue was full. */
    public long txFull() {
        return txFull;
    }

    /** All drops together. */
    public long dropped() {
        return malformed + noDest + dropVerdict + noConn + noNeighbour + unsupportedMethod + txFull;
    }
}
