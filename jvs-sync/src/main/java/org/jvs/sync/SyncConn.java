package org.jvs.sync;

import java.util.Arrays;
import java.util.Objects;
import org.jvs.core.conn.TcpState;
import org.jvs.core.model.IpAddr;

/**
 * One connection (or persistence template) as a sync message carries it: a mutable holder that the encoder
 * reads and the decoder fills, reused for every record so the per-record path allocates nothing. Addresses are
 * two longs each in {@link IpAddr}'s form (IPv4: {@code hi == 0}, the address in the low 32 bits of
 * {@code lo}); ports are host-order ints 0..65535.
 *
 * <p>Unsigned wire fields: {@code flags} and {@code fwmark} are 32-bit patterns kept in an int; {@code timeout}
 * is seconds 0..4294967295 in a long. Version 0 has no fwmark and no timeout: a decoded v0 record has both 0,
 * which a kernel backup reads as "use the protocol's timeout for the state".
 *
 * <p>Optional parts: sequence data (both {@code ip_vs_seq}, present exactly when the flags ask for sequence
 * adjustment, see {@link ConnFlags#SEQ_MASK}) and persistence-engine data and name (the kernel's SIP engine;
 * JVS has no persistence engines, so it only carries these through: up to {@value SyncProtocol#PE_DATA_MAX}
 * and {@value SyncProtocol#PE_NAME_MAX} bytes in fixed buffers).
 */
public final class SyncConn {
    private boolean v6;
    private int protocol;
    private int flags;
    private int state;
    private int cport;
    private int vport;
    private int dport;
    private int fwmark;
    private long timeout;
    private long caddrHi;
    private long caddrLo;
    private long vaddrHi;
    private long vaddrLo;
    private long daddrHi;
    private long daddrLo;

    private boolean seqPresent;
    private int inInitSeq;
    private int inDelta;
    private int inPreviousDelta;
    private int outInitSeq;
    private int outDelta;
    private int outPreviousDelta;

    private final byte[] peData = new byte[SyncProtocol.PE_DATA_MAX];
    private int peDataLength;
    private final byte[] peName = new byte[SyncProtocol.PE_NAME_MAX];
    private int peNameLength;

    /** Back to an empty IPv4 record: every field 0, no options. */
    public SyncConn clear() {
        v6 = false;
        protocol = flags = state = cport = vport = dport = fwmark = 0;
        timeout = 0;
        caddrHi = caddrLo = vaddrHi = vaddrLo = daddrHi = daddrLo = 0;
        clearSeq();
        peDataLength = 0;
        peNameLength = 0;
        return this;
    }

    /** Copies every field of {@code o} into this holder. */
    public SyncConn copyFrom(SyncConn o) {
        v6 = o.v6;
        protocol = o.protocol;
        flags = o.flags;
        state = o.state;
        cport = o.cport;
        vport = o.vport;
        dport = o.dport;
        fwmark = o.fwmark;
        timeout = o.timeout;
        caddrHi = o.caddrHi;
        caddrLo = o.caddrLo;
        vaddrHi = o.vaddrHi;
        vaddrLo = o.vaddrLo;
        daddrHi = o.daddrHi;
        daddrLo = o.daddrLo;
        seqPresent = o.seqPresent;
        inInitSeq = o.inInitSeq;
        inDelta = o.inDelta;
        inPreviousDelta = o.inPreviousDelta;
        outInitSeq = o.outInitSeq;
        outDelta = o.outDelta;
        outPreviousDelta = o.outPreviousDelta;
        System.arraycopy(o.peData, 0, peData, 0, o.peDataLength);
        peDataLength = o.peDataLength;
        System.arraycopy(o.peName, 0, peName, 0, o.peNameLength);
        peNameLength = o.peNameLength;
        return this;
    }

    // ---- family, protocol, flags, state, ports, mark, timeout

    public boolean v6() {
        return v6;
    }

    /** Address family; the addresses are not touched (an IPv4 record must keep them within 32 bits). */
    public SyncConn v6(boolean v6) {
        this.v6 = v6;
        return this;
    }

    /** IP protocol number 0..255 (6 TCP, 17 UDP, 132 SCTP; 0 in fwmark templates). */
    public int protocol() {
        return protocol;
    }

    public SyncConn protocol(int protocol) {
        this.protocol = check(protocol, 0xFF, "protocol");
        return this;
    }

    /** {@link ConnFlags} bits as on the wire. */
    public int flags() {
        return flags;
    }

    public SyncConn flags(int flags) {
        this.flags = flags;
        return this;
    }

    public boolean template() {
        return ConnFlags.isTemplate(flags);
    }

    /** IPVS state number 0..65535: for TCP the {@link TcpState} ordinal, for templates 0 NONE / 1 ASSURED. */
    public int state() {
        return state;
    }

    public SyncConn state(int state) {
        this.state = check(state, 0xFFFF, "state");
        return this;
    }

    public SyncConn state(TcpState s) {
        this.state = s.ordinal();
        return this;
    }

    /** The TCP state, for a TCP record; throws if the number is not one. */
    public TcpState tcpState() {
        return TcpState.of(state);
    }

    public int cport() {
        return cport;
    }

    public SyncConn cport(int port) {
        this.cport = check(port, 0xFFFF, "cport");
        return this;
    }

    public int vport() {
        return vport;
    }

    public SyncConn vport(int port) {
        this.vport = check(port, 0xFFFF, "vport");
        return this;
    }

    public int dport() {
        return dport;
    }

    public SyncConn dport(int port) {
        this.dport = check(port, 0xFFFF, "dport");
        return this;
    }

    public int fwmark() {
        return fwmark;
    }

    public SyncConn fwmark(int fwmark) {
        this.fwmark = fwmark;
        return this;
    }

    /** Seconds; 0 means "the protocol's timeout for the state" to a kernel backup. */
    public long timeout() {
        return timeout;
    }

    public SyncConn timeout(long seconds) {
        if (seconds < 0 || seconds > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("timeout " + seconds + " outside 0..4294967295 s");
        }
        this.timeout = seconds;
        return this;
    }

    // ---- addresses

    public long caddrHi() {
        return caddrHi;
    }

    public long caddrLo() {
        return caddrLo;
    }

    public long vaddrHi() {
        return vaddrHi;
    }

    public long vaddrLo() {
        return vaddrLo;
    }

    public long daddrHi() {
        return daddrHi;
    }

    public long daddrLo() {
        return daddrLo;
    }

    public SyncConn caddr(long hi, long lo) {
        caddrHi = hi;
        caddrLo = lo;
        return this;
    }

    public SyncConn vaddr(long hi, long lo) {
        vaddrHi = hi;
        vaddrLo = lo;
        return this;
    }

    public SyncConn daddr(long hi, long lo) {
        daddrHi = hi;
        daddrLo = lo;
        return this;
    }

    /** Sets all three addresses and the family from {@link IpAddr}s of one family (a control-path helper). */
    public SyncConn addresses(IpAddr c, IpAddr v, IpAddr d) {
        if (c.v6() != v.v6() || c.v6() != d.v6()) {
            throw new IllegalArgumentException("addresses of mixed families: " + c + " " + v + " " + d);
        }
        v6 = c.v6();
        return caddr(c.hi(), c.lo()).vaddr(v.hi(), v.lo()).daddr(d.hi(), d.lo());
    }

    /** The client address as an {@link IpAddr} (allocates: for listings and tests, not the data path). */
    public IpAddr caddr() {
        return new IpAddr(caddrHi, caddrLo, v6);
    }

    public IpAddr vaddr() {
        return new IpAddr(vaddrHi, vaddrLo, v6);
    }

    public IpAddr daddr() {
        return new IpAddr(daddrHi, daddrLo, v6);
    }

    // ---- sequence data

    /** Whether sequence data (both {@code ip_vs_seq}) is carried. */
    public boolean seqPresent() {
        return seqPresent;
    }

    public SyncConn seq(int inInit, int inDelta, int inPrevious, int outInit, int outDelta, int outPrevious) {
        seqPresent = true;
        this.inInitSeq = inInit;
        this.inDelta = inDelta;
        this.inPreviousDelta = inPrevious;
        this.outInitSeq = outInit;
        this.outDelta = outDelta;
        this.outPreviousDelta = outPrevious;
        return this;
    }

    public SyncConn clearSeq() {
        seqPresent = false;
        inInitSeq = inDelta = inPreviousDelta = outInitSeq = outDelta = outPreviousDelta = 0;
        return this;
    }

    public int inInitSeq() {
        return inInitSeq;
    }

    public int inDelta() {
        return inDelta;
    }

    public int inPreviousDelta() {
        return inPreviousDelta;
    }

    public int outInitSeq() {
        return outInitSeq;
    }

    public int outDelta() {
        return outDelta;
    }

    public int outPreviousDelta() {
        return outPreviousDelta;
    }

    // ---- persistence engine

    /** Bytes of PE data, 0 when absent (the wire cannot carry an empty option). */
    public int peDataLength() {
        return peDataLength;
    }

    public int peNameLength() {
        return peNameLength;
    }

    public byte peDataAt(int i) {
        return peData[Objects.checkIndex(i, peDataLength)];
    }

    public byte peNameAt(int i) {
        return peName[Objects.checkIndex(i, peNameLength)];
    }

    /** The PE name as text, e.g. "sip" (allocates). */
    public String peName() {
        return new String(peName, 0, peNameLength, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** A copy of the PE data (allocates). */
    public byte[] peData() {
        return Arrays.copyOf(peData, peDataLength);
    }

    public SyncConn peData(byte[] src, int off, int len) {
        check(len, SyncProtocol.PE_DATA_MAX, "PE data length");
        System.arraycopy(src, off, peData, 0, len);
        peDataLength = len;
        return this;
    }

    public SyncConn peName(byte[] src, int off, int len) {
        check(len, SyncProtocol.PE_NAME_MAX, "PE name length");
        System.arraycopy(src, off, peName, 0, len);
        peNameLength = len;
        return this;
    }

    public SyncConn peName(String name) {
        byte[] b = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return peName(b, 0, b.length);
    }

    public SyncConn clearPe() {
        peDataLength = 0;
        peNameLength = 0;
        return this;
    }

    // package-private bulk access for the codec, so it copies without per-byte bounds checks
    byte[] peDataBuffer() {
        return peData;
    }

    byte[] peNameBuffer() {
        return peName;
    }

    void peDataLength(int len) {
        peDataLength = len;
    }

    void peNameLength(int len) {
        peNameLength = len;
    }

    void setRaw(boolean v6, int protocol, int flags, int state, int cport, int vport, int dport, int fwmark,
                long timeout) {
        this.v6 = v6;
        this.protocol = protocol;
        this.flags = flags;
        this.state = state;
        this.cport = cport;
        this.vport = vport;
        this.dport = dport;
        this.fwmark = fwmark;
        this.timeout = timeout;
    }

    private static int check(int value, int max, String what) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(what + " " + value + " outside 0.." + max);
        }
        return value;
    }

    /** Field-by-field equality (this is a mutable holder, so it deliberately does not override equals). */
    public boolean sameAs(SyncConn o) {
        return v6 == o.v6 && protocol == o.protocol && flags == o.flags && state == o.state
                && cport == o.cport && vport == o.vport && dport == o.dport && fwmark == o.fwmark
                && timeout == o.timeout
                && caddrHi == o.caddrHi && caddrLo == o.caddrLo && vaddrHi == o.vaddrHi && vaddrLo == o.vaddrLo
                && daddrHi == o.daddrHi && daddrLo == o.daddrLo
                && seqPresent == o.seqPresent && inInitSeq == o.inInitSeq && inDelta == o.inDelta
                && inPreviousDelta == o.inPreviousDelta && outInitSeq == o.outInitSeq && outDelta == o.outDelta
                && outPreviousDelta == o.outPreviousDelta
                && Arrays.equals(peData, 0, peDataLength, o.peData, 0, o.peDataLength)
                && Arrays.equals(peName, 0, peNameLength, o.peName, 0, o.peNameLength);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(protocolName()).append(' ')
                .append(caddr().withPort(cport)).append(" -> ").append(vaddr().withPort(vport))
                .append(" -> ").append(daddr().withPort(dport))
                .append(" flags=0x").append(Integer.toHexString(flags))
                .append('(').append(ConnFlags.methodName(flags)).append(template() ? ",template" : "").append(')')
                .append(" state=").append(state);
        if (protocol == 6 && !template() && state < TcpState.COUNT) {
            sb.append('(').append(TcpState.of(state).label()).append(')');
        }
        sb.append(" fwmark=").append(Integer.toUnsignedString(fwmark)).append(" timeout=").append(timeout);
        if (seqPresent) {
            sb.append(" in_seq=").append(Integer.toUnsignedString(inInitSeq)).append('/').append(inDelta)
                    .append('/').append(inPreviousDelta).append(" out_seq=")
                    .append(Integer.toUnsignedString(outInitSeq)).append('/').append(outDelta).append('/')
                    .append(outPreviousDelta);
        }
        if (peNameLength > 0 || peDataLength > 0) {
            sb.append(" pe=").append(peName()).append('[').append(peDataLength).append(" bytes]");
        }
        return sb.toString();
    }

    private String protocolName() {
        return switch (protocol) {
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 132 -> "SCTP";
            default -> "proto" + protocol;
        };
    }
}
