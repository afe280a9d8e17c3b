package org.jvs.packet.engine;

/**
 * Where the later fragments of an IPv4 datagram go: only the first fragment carries the ports a connection is
 * found by, so when the worker forwards a first fragment it notes here, under the datagram's (source,
 * destination, identification, protocol), what it did with it; the later fragments, which carry no ports, follow
 * the note. This is what Katran and IPVS' own fragment handling do instead of reassembling: VS/NAT needs no
 * reassembly either, since the transport checksum sits in the first fragment and its incremental fix covers the
 * whole datagram; a later fragment only has its address rewritten (and its header checksum).
 *
 * <p>Bounded: a fixed table of {@code capacity} notes (a power of two), open addressing over
 * {@value #PROBE} slots; a note lives {@link #LIFETIME_MILLIS} (the kernel gives a datagram's fragments 30 s,
 * {@code ipfrag_time}; a load balancer's datagrams are long complete by then); a full neighbourhood overwrites
 * its oldest note, so a flood of first fragments costs notes of other datagrams, never memory. A later fragment
 * that arrives before its first, or after its note was overwritten, is dropped (counted by the worker). One
 * worker owns a table (the kernel's fanout hashes every fragment of a datagram to one socket: fragments are
 * hashed by addresses alone). Allocation-free after construction.
 */
final class FragmentCache {
    static final int PROBE = 8;
    static final long LIFETIME_MILLIS = 5_000;

    /** What to do with a later fragment. */
    static final byte DR = 1;
    static final byte NAT_IN = 2;
    static final byte NAT_OUT = 3;
    /** VS/TUN: the target is the real server's {@code Dest} id (its tunnel is needed, not only its address). */
    static final byte TUN = 4;
    /** The director itself (local node): into its kernel, unchanged. */
    static final byte LOCAL = 5;

    private final int mask;
    private final long[] addresses;
    private final int[] idProto;
    private final int[] targets;
    private final byte[] kinds;
    private final long[] expires;

    /** Result of {@link #find}: the kind and the address (the real server; for NAT_OUT the VIP). */
    byte foundKind;
    int foundTarget;

    FragmentCache(int capacity) {
        if (capacity < PROBE || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("fragment cache capacity " + capacity + ": a power of two, at least " + PROBE);
        }
        this.mask = capacity - 1;
        this.addresses = new long[capacity];
        this.idProto = new int[capacity];
        this.targets = new int[capacity];
        this.kinds = new byte[capacity];
        this.expires = new long[capacity];
    }

    private static int slot(long addresses, int idProto) {
        long h = addresses * 0x9E37_79B9_7F4A_7C15L ^ idProto * 0xC2B2_AE3DL;
        return (int) (h ^ (h >>> 29));
    }

    /** Notes what later fragments of datagram (src, dst, id, proto) get: {@code kind} toward {@code target}. */
    void put(int src, int dst, int id, int proto, byte kind, int target, long now) {
        long a = (long) src << 32 | (dst & 0xFFFF_FFFFL);
        int ip = id << 8 | proto;
        int start = slot(a, ip);
        int victim = -1;
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < PROBE; i++) {
            int s = (start + i) & mask;
            boolean same = kinds[s] != 0 && addresses[s] == a && idProto[s] == ip;
            if (same || kinds[s] == 0 || expires[s] <= now) {
                victim = s;
                break;
            }
            if (expires[s] < oldest) {
                oldest = expires[s];
                victim = s;
            }
        }
        addresses[victim] = a;
        idProto[victim] = ip;
        targets[victim] = target;
        kinds[victim] = kind;
        expires[victim] = now + LIFETIME_MILLIS;
    }

    /** True, with {@link #foundKind} and {@link #foundTarget} set, when a live note for the datagram exists. */
    boolean find(int src, int dst, int id, int proto, long now) {
        long a = (long) src << 32 | (dst & 0xFFFF_FFFFL);
        int ip = id << 8 | proto;
        int start = slot(a, ip);
        for (int i = 0; i < PROBE; i++) {
            int s = (start + i) & mask;
            if (kinds[s] != 0 && addresses[s] == a && idProto[s] == ip && expires[s] > now) {
                foundKind = kinds[s];
                foundTarget = targets[s];
                return true;
            }
        }
        return false;
    }
}
