package org.jvs.packet;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * What the kernel knows about a frame and its bytes do not say: whether its TCP or UDP checksum is still to be
 * finished, and whether it is a TSO/GSO super-frame to be cut into segments of a given size. This is the
 * {@code struct virtio_net_hdr} that a packet socket with {@code PACKET_VNET_HDR} puts in front of every frame it
 * receives and expects in front of every frame it sends, packed into one {@code long} so a {@link PacketBatch}
 * carries it per slot without objects.
 *
 * <p>Why the engine needs it: a veth with the kernel's default offloads (every Docker and Kubernetes veth) hands
 * over frames whose transport checksum holds only the pseudo-header sum ({@code CHECKSUM_PARTIAL}: whoever
 * transmits last is to finish it) and TCP super-frames of up to 64 KiB. Forwarded without this, the first kind
 * reaches the real server with a wrong checksum and is dropped there, and the second does not fit. Passed on with
 * the frame, the kernel finishes the checksum and cuts the segments when the outgoing device cannot (or leaves it
 * to the next hop, as its own forwarding does); {@link #complete} finishes a checksum in software for an output
 * that carries no metadata.
 *
 * <p>Layout: bits 56-63 flags, 48-55 GSO type, 32-47 GSO size, 16-31 checksum start (from the first byte of the
 * Ethernet header), 0-15 checksum offset (from the checksum start). {@link #NONE} (0) is an ordinary frame.
 */
public final class Offload {
    /** An ordinary, finished frame. */
    public static final long NONE = 0;

    /** {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}: the checksum at start + offset holds the pseudo-header sum only. */
    public static final int F_NEEDS_CSUM = 1;
    /** {@code VIRTIO_NET_HDR_F_DATA_VALID}: the kernel (or the device) has checked the checksum. */
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    /** Or-ed into a TCP GSO type: the segments carry ECN's CWR as the first does. */
    public static final int GSO_ECN = 0x80;

    /** Bytes of {@code struct virtio_net_hdr} (without the {@code num_buffers} of the mergeable variant). */
    public static final int HEADER_LENGTH = 10;

    private Offload() {
    }

    public static long of(int flags, int gsoType, int gsoSize, int csumStart, int csumOffset) {
        return (long) (flags & 0xFF) << 56 | (long) (gsoType & 0xFF) << 48 | (long) (gsoSize & 0xFFFF) << 32
                | (long) (csumStart & 0xFFFF) << 16 | (csumOffset & 0xFFFF);
    }

    public static int flags(long m) {
        return (int) (m >>> 56);
    }

    public static int gsoType(long m) {
        return (int) (m >>> 48) & 0xFF;
    }

    public static int gsoSize(long m) {
        return (int) (m >>> 32) & 0xFFFF;
    }

    public static int csumStart(long m) {
        return (int) (m >>> 16) & 0xFFFF;
    }

    public static int csumOffset(long m) {
        return (int) m & 0xFFFF;
    }

    /** The transport checksum is unfinished: it holds the pseudo-header sum, uncomplemented. */
    public static boolean needsChecksum(long m) {
        return (flags(m) & F_NEEDS_CSUM) != 0;
    }

    /** A super-frame, to be cut into {@link #gsoSize} segments on the way out. */
    public static boolean segmented(long m) {
        return gsoType(m) != GSO_NONE;
    }

    /** The same metadata for the frame with {@code delta} bytes inserted before its checksum start (a VLAN tag). */
    public static long shifted(long m, int delta) {
        if (!needsChecksum(m)) {
            return m;
        }
        return (m & ~0xFFFF_0000L) | (long) ((csumStart(m) + delta) & 0xFFFF) << 16;
    }

    /** Reads a {@code virtio_net_hdr} (little-endian: a legacy header on x86 and arm64) at {@code at}. */
    public static long read(MemorySegment seg, long at) {
        int flags = seg.get(JAVA_BYTE, at) & 0xFF;
        int gso = seg.get(JAVA_BYTE, at + 1) & 0xFF;
        // at + 2: hdr_len, a hint for how much to keep linear; recomputed by the kernel on send
        int gsoSize = seg.get(JAVA_SHORT_UNALIGNED, at + 4) & 0xFFFF;
        int start = seg.get(JAVA_SHORT_UNALIGNED, at + 6) & 0xFFFF;
        int offset = seg.get(JAVA_SHORT_UNALIGNED, at + 8) & 0xFFFF;
        if ((flags & F_NEEDS_CSUM) == 0) {
            start = 0;
            offset = 0;
        }
        return of(flags, gso, gso == GSO_NONE ? 0 : gsoSize, start, offset);
    }

    /**
     * Writes {@code m} as a {@code virtio_net_hdr} at {@code at} for sending. {@code F_DATA_VALID} means nothing on
     * the way out and is not written; hdr_len is left 0 (the kernel takes what the checksum position needs).
     */
    public static void write(long m, MemorySegment seg, long at) {
        seg.set(JAVA_BYTE, at, (byte) (flags(m) & F_NEEDS_CSUM));
        seg.set(JAVA_BYTE, at + 1, (byte) gsoType(m));
        seg.set(JAVA_SHORT_UNALIGNED, at + 2, (short) 0);
        seg.set(JAVA_SHORT_UNALIGNED, at + 4, (short) gsoSize(m));
        seg.set(JAVA_SHORT_UNALIGNED, at + 6, (short) csumStart(m));
        seg.set(JAVA_SHORT_UNALIGNED, at + 8, (short) csumOffset(m));
    }

    /**
     * Finishes an unfinished checksum in software, as the kernel's {@code skb_checksum_help} does: the one's
     * complement sum from the checksum start to the end of the frame (over the pseudo-header sum already in the
     * field), complemented, into the field; a UDP result of 0 is sent as 0xFFFF. False (nothing written) when the
     * positions do not fit the frame. Does nothing for a frame that needs nothing.
     */
    public static boolean complete(MemorySegment seg, long frame, int length, long m) {
        if (!needsChecksum(m)) {
            return true;
        }
        int start = csumStart(m);
        int field = start + csumOffset(m);
        if (start >= length || field + 2 > length) {
            return false;
        }
        int c = Checksum.checksum(seg, frame + start, length - start);
        if (c == 0 && csumOffset(m) == UdpHeader.CHECKSUM_OFFSET) {
            c = 0xFFFF;
        }
        Net.u16(seg, frame + field, c);
        return true;
    }
}
