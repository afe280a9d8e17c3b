package org.jvs.core.sched;

import org.jvs.core.model.IpAddr;

/**
 * The part of a new flow that schedulers look at: addresses as primitive longs (see {@link IpAddr} for the
 * encoding), ports and the firewall mark. Mutable and reused by each data-plane thread, so scheduling
 * allocates nothing; a scheduler must not keep a reference to it.
 */
public final class Flow {
    public int protocol;
    public boolean v6;
    public long srcHi;
    public long srcLo;
    public int srcPort;
    public long dstHi;
    public long dstLo;
    public int dstPort;
    public int fwmark;

    /** Fills an IPv4 flow; addresses are the ints a packet carries. */
    public Flow setV4(int protocol, int src, int srcPort, int dst, int dstPort) {
        this.protocol = protocol;
        this.v6 = false;
        this.srcHi = 0;
        this.srcLo = src & 0xFFFF_FFFFL;
        this.srcPort = srcPort;
        this.dstHi = 0;
        this.dstLo = dst & 0xFFFF_FFFFL;
        this.dstPort = dstPort;
        this.fwmark = 0;
        return this;
    }

    /** Fills a flow from address values (either family). */
    public Flow set(int protocol, IpAddr src, int srcPort, IpAddr dst, int dstPort) {
        if (src.v6() != dst.v6()) {
            throw new IllegalArgumentException("source and destination of one flow must be of one family");
        }
        this.protocol = protocol;
        this.v6 = src.v6();
        this.srcHi = src.hi();
        this.srcLo = src.lo();
        this.srcPort = srcPort;
        this.dstHi = dst.hi();
        this.dstLo = dst.lo();
        this.dstPort = dstPort;
        this.fwmark = 0;
        return this;
    }

    public Flow fwmark(int mark) {
        this.fwmark = mark;
        return this;
    }

    public IpAddr src() {
        return new IpAddr(srcHi, srcLo, v6);
    }

    public IpAddr dst() {
        return new IpAddr(dstHi, dstLo, v6);
    }

    @Override
    public String toString() {
        return "proto " + protocol + " " + src().withPort(srcPort) + " -> " + dst().withPort(dstPort)
                + (fwmark != 0 ? " fwmark " + Integer.toUnsignedString(fwmark) : "");
    }
}
