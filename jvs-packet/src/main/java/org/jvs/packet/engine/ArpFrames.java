package org.jvs.packet.engine;

import java.lang.foreign.MemorySegment;
import org.jvs.packet.ArpPacket;
import org.jvs.packet.EthernetFrame;
import org.jvs.packet.PacketBatch;

/**
 * The ARP frames the engine originates, written straight into a batch slot: requests to resolve a next hop and
 * gratuitous announcements of a VIP. 42 bytes (Ethernet + ARP, untagged); the device pads them to 60.
 */
final class ArpFrames {
    static final int LENGTH = EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH;

    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();

    /**
     * Appends a request "who has {@code target}, tell {@code senderIp}" from {@code ownMac}: broadcast, or unicast
     * to {@code knownMac} (a re-probe of an entry that aged, as the kernel does) when it is not -1. False when the
     * batch is full.
     */
    boolean request(PacketBatch out, long ownMac, int senderIp, int target, long knownMac) {
        boolean unicast = knownMac >= 0;
        return write(out, unicast ? knownMac : EthernetFrame.BROADCAST, ownMac, ArpPacket.OP_REQUEST, senderIp,
                unicast ? knownMac : 0L, target);
    }

    /**
     * Appends a gratuitous ARP request for {@code vip} (sender and target address both the VIP, broadcast): every
     * host on the link that has the VIP in its cache updates it to {@code ownMac} (RFC 5227 section 3).
     */
    boolean gratuitous(PacketBatch out, long ownMac, int vip) {
        return write(out, EthernetFrame.BROADCAST, ownMac, ArpPacket.OP_REQUEST, vip, 0L, vip);
    }

    private boolean write(PacketBatch out, long dst, long src, int op, int spa, long tha, int tpa) {
        int n = out.count();
        if (n == out.capacity() || out.frameSize() < LENGTH) {
            return false;
        }
        MemorySegment s = out.segment();
        long at = out.offset(n);
        eth.wrap(s, at, LENGTH).destination(dst).source(src).outerType(EthernetFrame.TYPE_ARP);
        arp.wrap(s, at + EthernetFrame.HEADER_LENGTH, ArpPacket.LENGTH)
                .hardwareType(ArpPacket.HTYPE_ETHERNET).protocolType(EthernetFrame.TYPE_IPV4)
                .hardwareLength(6).protocolLength(4).operation(op)
                .senderHardware(src).senderProtocol(spa).targetHardware(tha).targetProtocol(tpa);
        out.length(n, LENGTH).count(n + 1);
        return true;
    }
}
