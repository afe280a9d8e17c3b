package org.jvs.vrrp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.jvs.packet.Checksum;

/**
 * Flyweight codec of a VRRP advertisement for IPv4, version 2 (RFC 3768) and version 3 (RFC 5798), over a
 * {@link MemorySegment}. It reads and writes the VRRP message itself (what follows the IPv4 header).
 *
 * <pre>
 *  version 2                                    version 3
 *  +-------+-------+-------+-------+            +-------+-------+-------+-------+
 *  |Ver|Typ| VRID  | Prio  |Count  |            |Ver|Typ| VRID  | Prio  |Count  |
 *  +-------+-------+-------+-------+            +-------+-------+-------+-------+
 *  |AuthTyp|AdvInt | Checksum      |            |Rsv| Max Adv Int   | Checksum      |
 *  +-------+-------+-------+-------+            +-------+-------+-------+-------+
 *  | IPv4 address 1 ... Count      |            | IPv4 address 1 ... Count      |
 *  +-------------------------------+            +-------------------------------+
 *  | Authentication data (8 bytes) |
 *  +-------------------------------+
 * </pre>
 *
 * v2's interval is whole seconds in 8 bits, v3's is centiseconds in 12 bits. The v3 checksum covers the IPv4
 * pseudo-header (source, destination, protocol 112, VRRP length); the v2 checksum covers the VRRP message only.
 * Not thread-safe: one instance per thread. {@link #check} never throws.
 */
public final class VrrpPacket {
    public static final int IPPROTO_VRRP = 112;
    /** 224.0.0.18 */
    public static final int MULTICAST_GROUP = 0xE0000012;
    public static final int TTL = 255;
    public static final int TYPE_ADVERTISEMENT = 1;
    public static final int HEADER_LENGTH = 8;
    public static final int AUTH_DATA_LENGTH = 8;
    public static final int AUTH_NONE = 0;
    public static final int AUTH_PASS = 1;
    public static final int AUTH_AH = 2;
    public static final int MAX_ADDRESSES = 255;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private MemorySegment seg;
    private long offset;
    private long length;

    /** Wraps {@code length} bytes of a VRRP message at {@code offset}. */
    public VrrpPacket wrap(MemorySegment seg, long offset, long length) {
        this.seg = seg;
        this.offset = offset;
        this.length = Math.max(0, Math.min(length, seg.byteSize() - offset));
        return this;
    }

    public long length() {
        return length;
    }

    public int version() {
        return u8(0) >>> 4;
    }

    public int type() {
        return u8(0) & 0x0F;
    }

    public int virtualRouterId() {
        return u8(1);
    }

    public int priority() {
        return u8(2);
    }

    public int addressCount() {
        return u8(3);
    }

    /** v2: authentication type (byte 4). */
    public int authType() {
        return u8(4);
    }

    /** v2: advertisement interval in seconds (byte 5). */
    public int advertIntSeconds() {
        return u8(5);
    }

    /** v3: maximum advertisement interval in centiseconds (the low 12 bits of bytes 4-5). */
    public int maxAdvertIntCentis() {
        return u16(4) & 0x0FFF;
    }

    /** v3: the 4 reserved bits in front of the interval. */
    public int reservedBits() {
        return u16(4) >>> 12;
    }

    /** The interval the sender advertises, in centiseconds, whatever the version. */
    public int advertIntervalCentis() {
        return version() == 2 ? advertIntSeconds() * 100 : maxAdvertIntCentis();
    }

    public int checksum() {
        return u16(6);
    }

    /** Address {@code i} (0-based) as a 32-bit value in host order of the number (192.0.2.1 = 0xC0000201). */
    public int address(int i) {
        return seg.get(U32, offset + HEADER_LENGTH + 4L * i);
    }

    public int[] addresses() {
        int n = Math.min(addressCount(), (int) Math.max(0, (length - HEADER_LENGTH) / 4));
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = address(i);
        }
        return a;
    }

    /** v2: the 8 bytes of authentication data after the addresses. */
    public byte[] authData() {
        byte[] b = new byte[AUTH_DATA_LENGTH];
        long at = offset + HEADER_LENGTH + 4L * addressCount();
        if (at + AUTH_DATA_LENGTH <= offset + length) {
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, at, b, 0, AUTH_DATA_LENGTH);
        }
        return b;
    }

    /** The length the header's version and address count call for. */
    public static int expectedLength(int version, int addressCount) {
        return HEADER_LENGTH + 4 * addressCount + (version == 2 ? AUTH_DATA_LENGTH : 0);
    }

    /** Whether the checksum verifies; {@code src}/{@code dst} are the IPv4 addresses (used by v3 only). */
    public boolean checksumValid(int src, int dst) {
        int len = expectedLength(version(), addressCount());
        if (len > length) {
            return false;
        }
        long initial = version() == 3 ? Checksum.pseudoV4(src, dst, IPPROTO_VRRP, len) : 0;
        return Checksum.finish(Checksum.sum(seg, offset, len, initial)) == 0;
    }

    /**
     * The instance-independent checks, in keepalived's order where it matters: length, version, type, length
     * against the address count, checksum. Returns null when the message is well formed.
     */
    public DropReason check(int src, int dst) {
        if (length < HEADER_LENGTH) {
            return DropReason.TOO_SHORT;
        }
        int v = version();
        if (v != 2 && v != 3) {
            return DropReason.BAD_VERSION;
        }
        if (type() != TYPE_ADVERTISEMENT) {
            return DropReason.BAD_TYPE;
        }
        int expected = expectedLength(v, addressCount());
        if (length < expected) {
            return DropReason.TOO_SHORT;
        }
        if (length != expected) {
            return DropReason.LENGTH_MISMATCH;
        }
        if (!checksumValid(src, dst)) {
            return DropReason.BAD_CHECKSUM;
        }
        return null;
    }

    /**
     * Writes an advertisement at {@code offset} and returns its length. {@code intervalCentis}: v2 sends
     * {@code intervalCentis / 100} seconds, v3 the centiseconds. {@code authType}/{@code authData} are used by v2
     * only ({@code authData} null or up to 8 bytes, zero padded). {@code src}/{@code dst}: the IPv4 addresses
     * the packet will carry (v3 checksum).
     */
    public static int write(MemorySegment seg, long offset, int version, int vrid, int priority, int intervalCentis,
                            int[] addresses, int authType, byte[] authData, int src, int dst) {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("VRRP version " + version + ": 2 or 3");
        }
        if (addresses.length > MAX_ADDRESSES) {
            throw new IllegalArgumentException(addresses.length + " addresses: at most " + MAX_ADDRESSES);
        }
        int len = expectedLength(version, addresses.length);
        seg.asSlice(offset, len).fill((byte) 0);
        seg.set(ValueLayout.JAVA_BYTE, offset, (byte) ((version << 4) | TYPE_ADVERTISEMENT));
        seg.set(ValueLayout.JAVA_BYTE, offset + 1, (byte) vrid);
        seg.set(ValueLayout.JAVA_BYTE, offset + 2, (byte) priority);
        seg.set(ValueLayout.JAVA_BYTE, offset + 3, (byte) addresses.length);
        if (version == 2) {
            seg.set(ValueLayout.JAVA_BYTE, offset + 4, (byte) authType);
            seg.set(ValueLayout.JAVA_BYTE, offset + 5, (byte) (intervalCentis / 100));
        } else {
            seg.set(U16, offset + 4, (short) (intervalCentis & 0x0FFF));
        }
        for (int i = 0; i < addresses.length; i++) {
            seg.set(U32, offset + HEADER_LENGTH + 4L * i, addresses[i]);
        }
        if (version == 2 && authData != null) {
            byte[] a = Arrays.copyOf(authData, AUTH_DATA_LENGTH);
            MemorySegment.copy(a, 0, seg, ValueLayout.JAVA_BYTE, offset + HEADER_LENGTH + 4L * addresses.length,
                    AUTH_DATA_LENGTH);
        }
        long initial = version == 3 ? Checksum.pseudoV4(src, dst, IPPROTO_VRRP, len) : 0;
        seg.set(U16, offset + 6, (short) Checksum.finish(Checksum.sum(seg, offset, len, initial)));
        return len;
    }

    /**
     * Writes a 20-byte IPv4 header (no options) for a VRRP message of {@code vrrpLength} bytes: TOS 0xC0
     * (internetwork control, as keepalived), TTL 255, protocol 112, identification {@code id}, header checksum
     * computed. The kernel recomputes the checksum on an IP_HDRINCL socket anyway.
     */
    public static int writeIpv4Header(MemorySegment seg, long offset, int vrrpLength, int id, int src, int dst) {
        seg.set(ValueLayout.JAVA_BYTE, offset, (byte) 0x45);
        seg.set(ValueLayout.JAVA_BYTE, offset + 1, (byte) 0xC0);
        seg.set(U16, offset + 2, (short) (20 + vrrpLength));
        seg.set(U16, offset + 4, (short) id);
        seg.set(U16, offset + 6, (short) 0);
        seg.set(ValueLayout.JAVA_BYTE, offset + 8, (byte) TTL);
        seg.set(ValueLayout.JAVA_BYTE, offset + 9, (byte) IPPROTO_VRRP);
        seg.set(U16, offset + 10, (short) 0);
        seg.set(U32, offset + 12, src);
        seg.set(U32, offset + 16, dst);
        seg.set(U16, offset + 10, (short) Checksum.checksum(seg, offset, 20));
        return 20;
    }

    private int u8(long at) {
        return at < length ? Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, offset + at)) : 0;
    }

    private int u16(long at) {
        return at + 2 <= length ? Short.toUnsignedInt(seg.get(U16, offset + at)) : 0;
    }
}
