package org.jvs.packet;

import java.lang.foreign.MemorySegment;
import org.jvs.core.sched.Flow;

/**
 * Fills the core's {@link Flow} from a parsed packet, as the engine does for every packet: no allocation, the
 * flow object is the worker's own and is overwritten. The return value is what
 * {@code LoadBalancer#inbound(Flow, int tcpFlags, ...)} takes next: the TCP flags, 0 for UDP, or
 * {@link #NOT_A_FLOW} when the packet carries no TCP/UDP ports (another protocol, a non-first fragment, a
 * transport header that does not fit); in that case the flow is left as it was.
 */
public final class Flows {
    /** No TCP/UDP flow in this packet. */
    public static final int NOT_A_FLOW = -1;

    private Flows() {
    }

    /** From a {@link Ipv4Header#valid() valid} IPv4 header. The firewall mark is reset to 0. */
    public static int fromIpv4(Ipv4Header ip, Flow flow) {
        if (!ip.hasTransportHeader()) {
            return NOT_A_FLOW;
        }
        int proto = ip.protocol();
        // A first fragment carries only part of the datagram: UDP's length then covers more than is here.
        int flags = transport(ip.segment(), ip.payloadOffset(), proto, ip.payloadLength(), ip.moreFragments());
        if (flags == NOT_A_FLOW) {
            return NOT_A_FLOW;
        }
        MemorySegment seg = ip.segment();
        long l4 = ip.payloadOffset();
        flow.setV4(proto, ip.source(), Net.u16(seg, l4), ip.destination(), Net.u16(seg, l4 + 2));
        return flags;
    }

    /** From an IPv6 header after a successful {@link Ipv6Header#parse()}. The firewall mark is reset to 0. */
    public static int fromIpv6(Ipv6Header ip, Flow flow) {
        int proto = ip.upperProtocol();
        if (proto < 0 || !ip.hasTransportHeader()) {
            return NOT_A_FLOW;
        }
        MemorySegment seg = ip.segment();
        long l4 = ip.upperLayerOffset();
        int flags = transport(seg, l4, proto, ip.upperLayerLength(), false);
        if (flags == NOT_A_FLOW) {
            return NOT_A_FLOW;
        }
        flow.protocol = proto;
        flow.v6 = true;
        flow.srcHi = ip.sourceHi();
        flow.srcLo = ip.sourceLo();
        flow.srcPort = Net.u16(seg, l4);
        flow.dstHi = ip.destinationHi();
        flow.dstLo = ip.destinationLo();
        flow.dstPort = Net.u16(seg, l4 + 2);
        flow.fwmark = 0;
        return flags;
    }

    private static int transport(MemorySegment seg, long l4, int proto, int length, boolean firstFragment) {
        if (proto == IpProtocol.TCP) {
            if (length < TcpHeader.MIN_LENGTH) {
                return NOT_A_FLOW;
            }
            int hl = (Net.u8(seg, l4 + TcpHeader.DATA_OFFSET_OFFSET) >>> 4) * 4;
            if (hl < TcpHeader.MIN_LENGTH || hl > length) {
                return NOT_A_FLOW;
            }
            return Net.u8(seg, l4 + TcpHeader.FLAGS_OFFSET);
        }
        if (proto == IpProtocol.UDP) {
            if (length < UdpHeader.LENGTH) {
                return NOT_A_FLOW;
            }
            int len = Net.u16(seg, l4 + UdpHeader.LENGTH_OFFSET);
            return len >= UdpHeader.LENGTH && (len <= length || firstFragment) ? 0 : NOT_A_FLOW;
        }
        return NOT_A_FLOW;
    }
}
