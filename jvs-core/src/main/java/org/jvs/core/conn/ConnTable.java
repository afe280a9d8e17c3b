package org.jvs.core.conn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jvs.core.Dest;
import org.jvs.core.DestRegistry;
import org.jvs.core.model.Persistence;
import org.jvs.core.time.Clock;

/**
 * The connection table of one address family: every tracked flow and persistence template, off-heap, in
 * fixed-size slots addressed by an int index (thesis 5.2.1-5.2.3).
 *
 * <h2>Slot layout</h2>
 * With A = 4 (IPv4) or 16 (IPv6) bytes per address, and P = 4A:
 * <pre>
 *  0      caddr   client address            (template: client address &amp; netmask)
 *  A      vaddr   virtual address           (template of a fwmark service: the mark)
 *  2A     daddr   real server address
 *  3A     laddr   local address the server sees as source (FullNAT; otherwise caddr)
 *  P+0    cport  P+2 vport  P+4 dport  P+6 lport      u16 each
 *  P+8    proto u8   P+9 state u8 (low nibble: TCP state; high nibble: the state last synced)
 *  P+10   flags u16 (low byte: flag bits; high byte: packets in, modulo the sync period)
 *  P+12   dest id
 *  P+16   expires, in table seconds
 *  P+20   wheel next   P+24 wheel prev    (timing wheel, doubly linked through sentinels)
 *  P+28   in-chain next                    (hash of caddr,cport,vaddr,vport)
 *  P+32   out-chain next                   (hash of daddr,dport,laddr,lport: replies through the director)
 *  P+36   control: a connection's template index, or a template's count of controlled connections
 *  slot = P + 40: 56 bytes for IPv4, 104 for IPv6
 * </pre>
 * Bucket heads are two int arrays of half the capacity (rounded to a power of two): about 6.7 bytes per
 * entry at 10 million, so an IPv4 entry costs under 64 bytes all told, half the kernel's 128.
 *
 * <h2>Threads and locks</h2>
 * Data-plane threads insert, look up and touch entries under short striped spinlocks (one per group of
 * buckets; a connection is in two chains, so inserts take both stripes in index order). The timing wheel
 * has its own spinlock, held for a few writes at a time. The housekeeping thread runs {@link #expire} once
 * a second: it is the only one that frees slots. Killing an entry from elsewhere only marks it dead and
 * due, so a packet that looked it up a moment ago never sees the slot reused under it.
 *
 * <h2>Timing wheel</h2>
 * One slot per second, {@value #WHEEL} seconds round. Touching a connection only moves its expiry time
 * forward; the wheel re-files it lazily when its old second comes round. A state change that shortens the
 * timeout (ESTABLISHED 900 s to CLOSE 10 s) re-files at once, which the doubly linked lists make O(1).
 * Nothing here allocates per connection.
 */
public final class ConnTable {
    /** Wheel slots: a power of two; longer timeouts wait out several rounds through lazy re-filing. */
    public static final int WHEEL = 4096;
    private static final int STRIPES = 1024;
    /** Locks are 64 bytes apart so that two cores on different stripes do not share a cache line. */
    private static final int LOCK_STRIDE = 16;
    /** About a microsecond of spinning: longer than any critical section here, shorter than a time slice. */
    private static final int SPINS_BEFORE_YIELD = 128;

    // flag bits
    public static final int F_METHOD_MASK = 0x7;
    public static final int F_TEMPLATE = 1 << 3;
    /** The director sees only the client half (DR, TUN): the input-only state table applies. */
    public static final int F_NO_OUTPUT = 1 << 4;
    private static final int F_IN_USE = 1 << 5;
    private static final int F_DEAD = 1 << 6;
    /** Counted in its dest's inactive connections (otherwise active). */
    private static final int F_INACTIVE = 1 << 7;
    /** The flag bits proper; the high byte of the flags field is the sync packet counter. */
    private static final int F_BITS = 0xFF;

    /**
     * Set in the index {@link #touchIn} and {@link #insert} return when the sync master is on and this packet
     * makes the entry due for synchronization (IPVS' rules, see {@link #syncRule}). Indexes are below 2^30.
     */
    public static final int SYNC_DUE = 1 << 30;
    /** Masks {@link #SYNC_DUE} off a returned index. */
    public static final int INDEX_MASK = SYNC_DUE - 1;
    /** TCP states in which IPVS syncs a connection: ESTABLISHED, FIN_WAIT, CLOSE, CLOSE_WAIT, TIME_WAIT. */
    private static final int SYNC_STATES = 1 << TcpState.ESTABLISHED.ordinal() | 1 << TcpState.FIN_WAIT.ordinal()
            | 1 << TcpState.CLOSE.ordinal() | 1 << TcpState.CLOSE_WAIT.ordinal() | 1 << TcpState.TIME_WAIT.ordinal();

    private static final VarHandle LOCK = MethodHandles.arrayElementVarHandle(int[].class);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private final boolean v6;
    private final int capacity;
    private final int addrSize;
    private final int slotSize;
    private final long oPorts;
    private final long oProto;
    private final long oState;
    private final long oFlags;
    private final long oDest;
    private final long oExpires;
    private final long oWheelNext;
    private final long oWheelPrev;
    private final long oInNext;
    private final long oOutNext;
    private final long oControl;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment slab;
    private final int[] inBuckets;
    private final int[] outBuckets;
    private final int bucketMask;
    private final int[] locks = new int[STRIPES * LOCK_STRIDE];
    private final int[] wheelLock = new int[LOCK_STRIDE];

    private final long seed = ThreadLocalRandom.current().nextLong();
    private final Clock clock;
    private final long epochSeconds;
    private final Timeouts timeouts;
    private final DestRegistry dests;

    /** Free slots: a Treiber stack through the in-chain field; the upper 32 bits count pops against ABA. */
    private final AtomicLong freeHead = new AtomicLong(-1L & 0xFFFF_FFFFL);
    private final AtomicInteger highWater = new AtomicInteger();
    private final AtomicInteger size = new AtomicInteger();
    private final LongAdder insertFailures = new LongAdder();
    /** Last second the wheel has processed; only the housekeeping thread moves it. */
    private volatile int wheelTick;
    /** Sync master on: data-plane touches count packets and report entries due ({@link #SYNC_DUE}). */
    private volatile boolean syncMaster;
    private volatile int syncThreshold = 3;
    private volatile int syncPeriod = 50;

    public ConnTable(int capacity, boolean v6, Clock clock, Timeouts timeouts, DestRegistry dests) {
        if (capacity < 1 || capacity > (1 << 30) - WHEEL) {
            throw new IllegalArgumentException("connection table capacity " + capacity + " out of range 1.." + ((1 << 30) - WHEEL));
        }
        this.v6 = v6;
        this.capacity = capacity;
        this.addrSize = v6 ? 16 : 4;
        long p = 4L * addrSize;
        this.oPorts = p;
        this.oProto = p + 8;
        this.oState = p + 9;
        this.oFlags = p + 10;
        this.oDest = p + 12;
        this.oExpires = p + 16;
        this.oWheelNext = p + 20;
        this.oWheelPrev = p + 24;
        this.oInNext = p + 28;
        this.oOutNext = p + 32;
        this.oControl = p + 36;
        this.slotSize = (int) (p + 40);
        this.slab = OffHeap.allocate((long) (capacity + WHEEL) * slotSize, arena);
        int buckets = Math.max(16, Integer.highestOneBit(Math.max(1, capacity - 1)) );
        this.inBuckets = new int[buckets];
        this.outBuckets = new int[buckets];
        java.util.Arrays.fill(inBuckets, -1);
        java.util.Arrays.fill(outBuckets, -1);
        this.bucketMask = buckets - 1;
        this.clock = clock;
        this.epochSeconds = clock.seconds();
        this.timeouts = timeouts;
        this.dests = dests;
        for (int s = 0; s < WHEEL; s++) {
            int sentinel = capacity + s;
            setInt(sentinel, oWheelNext, sentinel);
            setInt(sentinel, oWheelPrev, sentinel);
        }
        this.wheelTick = now();
    }

    // ---- geometry and plain field access ---------------------------------------------------------

    public boolean isV6() {
        return v6;
    }

    public int capacity() {
        return capacity;
    }

    /** Hash buckets per direction (what ipvsadm prints as the table size). */
    public int buckets() {
        return bucketMask + 1;
    }

    public int slotSize() {
        return slotSize;
    }

    /** Live entries: connections plus templates, dead ones not yet reclaimed included. */
    public int size() {
        return size.get();
    }

    /** Inserts refused because the table was full. */
    public long insertFailures() {
        return insertFailures.sum();
    }

    /** Memory this table holds: off-heap slab plus the two bucket arrays. */
    public long bytesReserved() {
        return slab.byteSize() + 8L * inBuckets.length;
    }

    private long base(int idx) {
        return (long) idx * slotSize;
    }

    private int getInt(int idx, long off) {
        return slab.get(INT, base(idx) + off);
    }

    private void setInt(int idx, long off, int v) {
        slab.set(INT, base(idx) + off, v);
    }

    private int now() {
        return (int) (clock.seconds() - epochSeconds);
    }

    private void putAddr(long b, int field, long hi, long lo) {
        long off = b + (long) field * addrSize;
        if (v6) {
            slab.set(LONG, off, hi);
            slab.set(LONG, off + 8, lo);
        } else {
            slab.set(INT, off, (int) lo);
        }
    }

    private boolean addrIs(long b, int field, long hi, long lo) {
        long off = b + (long) field * addrSize;
        if (v6) {
            return slab.get(LONG, off) == hi && slab.get(LONG, off + 8) == lo;
        }
        return slab.get(INT, off) == (int) lo;
    }

    private long addrHi(long b, int field) {
        return v6 ? slab.get(LONG, b + (long) field * addrSize) : 0;
    }

    private long addrLo(long b, int field) {
        long off = b + (long) field * addrSize;
        return v6 ? slab.get(LONG, off + 8) : slab.get(INT, off) & 0xFFFF_FFFFL;
    }

    private int port(long b, int which) {
        return slab.get(SHORT, b + oPorts + 2L * which) & 0xFFFF;
    }

    private int flags(int idx) {
        return slab.get(SHORT, base(idx) + oFlags) & 0xFFFF;
    }

    private void flags(int idx, int f) {
        slab.set(SHORT, base(idx) + oFlags, (short) f);
    }

    // Address fields and port positions
    private static final int CADDR = 0, VADDR = 1, DADDR = 2, LADDR = 3;
    private static final int CPORT = 0, VPORT = 1, DPORT = 2, LPORT = 3;

    // ---- read accessors for engines and listings ---------------------------------------------------

    public int protocol(int idx) {
        return slab.get(BYTE, base(idx) + oProto) & 0xFF;
    }

    public int state(int idx) {
        return slab.get(BYTE, base(idx) + oState) & 0x0F;
    }

    /**
     * Turns the sync master's bookkeeping on or off, with IPVS' {@code sync_threshold} pair: an entry is due
     * on the packet whose count modulo {@code period} equals {@code threshold} (period 0: only the packet
     * numbered {@code threshold}), and a TCP entry also whenever it enters FIN_WAIT, CLOSE, CLOSE_WAIT or
     * TIME_WAIT, or is in a state other than the one last synced when its count comes round; TCP entries
     * are synced only in those states and ESTABLISHED (ip_vs_sync.c, {@code ip_vs_sync_conn_needed}).
     * The count lives in the flags' high byte, so {@code period} is at most 255.
     */
    public void syncRule(boolean master, int threshold, int period) {
        if (period < 0 || period > 255 || threshold < 0 || (period > 0 ? threshold >= period : threshold > 255)) {
            throw new IllegalArgumentException("sync threshold " + threshold + ", period " + period
                    + ": need 0 <= threshold < period <= 255 (or period 0 and threshold <= 255)");
        }
        this.syncThreshold = threshold;
        this.syncPeriod = period;
        this.syncMaster = master;
    }

    public boolean syncMaster() {
        return syncMaster;
    }

    /**
     * Under the entry's in-stripe lock, on a client-to-server packet: counts it and tells whether the entry
     * is now due for sync. Remembers the state synced so a later change forces the next sync.
     */
    private boolean syncDue(long b, int idx, int proto, int f) {
        int period = syncPeriod;
        int threshold = syncThreshold;
        int pkts = ((f >>> 8) & 0xFF) + 1;
        int stored = period > 0 ? pkts % period : Math.min(pkts, 255);
        slab.set(SHORT, b + oFlags, (short) ((f & F_BITS) | stored << 8));
        int sb = slab.get(BYTE, b + oState) & 0xFF;
        int state = sb & 0x0F;
        if (proto == 6) {
            if ((1 << state & SYNC_STATES) == 0) {
                return false;
            }
            boolean changed = state != sb >>> 4;
            if (changed && state != TcpState.ESTABLISHED.ordinal()) {
                slab.set(BYTE, b + oState, (byte) (state << 4 | state));
                return true;
            }
        }
        if (period > 0 ? pkts % period != threshold : pkts != threshold) {
            return false;
        }
        slab.set(BYTE, b + oState, (byte) (state << 4 | state));
        return true;
    }

    public boolean isTemplate(int idx) {
        return (flags(idx) & F_TEMPLATE) != 0;
    }

    /** {@link org.jvs.core.model.ForwardingMethod#code()} bound to this connection. */
    public int methodCode(int idx) {
        return flags(idx) & F_METHOD_MASK;
    }

    public int destId(int idx) {
        return getInt(idx, oDest);
    }

    public long clientHi(int idx) { return addrHi(base(idx), CADDR); }
    public long clientLo(int idx) { return addrLo(base(idx), CADDR); }
    public long virtualHi(int idx) { return addrHi(base(idx), VADDR); }
    public long virtualLo(int idx) { return addrLo(base(idx), VADDR); }
    public long destHi(int idx) { return addrHi(base(idx), DADDR); }
    public long destLo(int idx) { return addrLo(base(idx), DADDR); }
    public long localHi(int idx) { return addrHi(base(idx), LADDR); }
    public long localLo(int idx) { return addrLo(base(idx), LADDR); }
    public int clientPort(int idx) { return port(base(idx), CPORT); }
    public int virtualPort(int idx) { return port(base(idx), VPORT); }
    public int destPort(int idx) { return port(base(idx), DPORT); }
    public int localPort(int idx) { return port(base(idx), LPORT); }

    /** Seconds until this entry expires (0 when due). */
    public int expiresIn(int idx) {
        return Math.max(0, getInt(idx, oExpires) - now());
    }

    /** The persistence template controlling this connection, or -1. */
    public int template(int idx) {
        return isTemplate(idx) ? -1 : getInt(idx, oControl);
    }

    /** How many connections this template controls. */
    public int controlledCount(int idx) {
        return isTemplate(idx) ? getInt(idx, oControl) : 0;
    }

    // ---- hashing and locks -------------------------------------------------------------------------

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /**
     * Bucket of a tuple. Seeded per table (as IPVS seeds its connection hash) so that nobody outside can
     * compute colliding tuples and flood one chain; IPv4 addresses are taken as their low 32 bits only.
     */
    private int hash(int proto, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        long h = mix(seed ^ ((long) proto << 48 | (long) aPort << 32 | bPort));
        if (v6) {
            h = mix(h ^ aHi);
            h = mix(h ^ aLo);
            h = mix(h ^ bHi);
            h = mix(h ^ bLo);
        } else {
            h = mix(h ^ ((aLo & 0xFFFF_FFFFL) << 32 | (bLo & 0xFFFF_FFFFL)));
        }
        return (int) h & bucketMask;
    }

    private void lock(int stripe) {
        acquire(locks, stripe * LOCK_STRIDE);
    }

    /**
     * Test-and-test-and-set with a bounded spin. Holders keep these locks for a few writes, so a short spin
     * is what a waiter normally needs; past it the waiter yields, because the holder may have been
     * preempted on the same core (a director pinned to one core runs its event loops and the housekeeping
     * thread on it), and spinning on would only burn the time slice the holder needs to finish.
     */
    private static void acquire(int[] lockArray, int i) {
        int spins = 0;
        while ((int) LOCK.getOpaque(lockArray, i) != 0 || !LOCK.compareAndSet(lockArray, i, 0, 1)) {
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    private void unlock(int stripe) {
        LOCK.setRelease(locks, stripe * LOCK_STRIDE, 0);
    }

    private static int stripe(int bucket) {
        return bucket & (STRIPES - 1);
    }

    private void lockWheel() {
        acquire(wheelLock, 0);
    }

    private void unlockWheel() {
        LOCK.setRelease(wheelLock, 0, 0);
    }

    // ---- slot allocation ---------------------------------------------------------------------------

    private int allocSlot() {
        while (true) {
            long head = freeHead.get();
            int idx = (int) head;
            if (idx < 0) {
                break;
            }
            int next = getInt(idx, oInNext);
            long tag = (head >>> 32) + 1;
            if (freeHead.compareAndSet(head, (tag << 32) | (next & 0xFFFF_FFFFL))) {
                return idx;
            }
        }
        while (true) {
            int hw = highWater.get();
            if (hw >= capacity) {
                return -1;
            }
            if (highWater.compareAndSet(hw, hw + 1)) {
                return hw;
            }
        }
    }

    private void freeSlot(int idx) {
        flags(idx, 0);
        while (true) {
            long head = freeHead.get();
            setInt(idx, oInNext, (int) head);
            if (freeHead.compareAndSet(head, (head & 0xFFFF_FFFF_0000_0000L) | (idx & 0xFFFF_FFFFL))) {
                return;
            }
        }
    }

    // ---- timing wheel ------------------------------------------------------------------------------

    private void wheelLink(int idx, int tick) {
        int horizon = wheelTick + WHEEL - 1;
        int t = Math.max(wheelTick + 1, Math.min(tick, horizon));
        int sentinel = capacity + (t & (WHEEL - 1));
        int last = getInt(sentinel, oWheelPrev);
        setInt(idx, oWheelNext, sentinel);
        setInt(idx, oWheelPrev, last);
        setInt(last, oWheelNext, idx);
        setInt(sentinel, oWheelPrev, idx);
    }

    private void wheelUnlink(int idx) {
        int next = getInt(idx, oWheelNext);
        int prev = getInt(idx, oWheelPrev);
        setInt(prev, oWheelNext, next);
        setInt(next, oWheelPrev, prev);
        park(idx);
    }

    private void park(int idx) {
        setInt(idx, oWheelNext, idx);
        setInt(idx, oWheelPrev, idx);
    }

    private void wheelRemove(int idx) {
        lockWheel();
        try {
            wheelUnlink(idx);
        } finally {
            unlockWheel();
        }
    }

    /**
     * Files idx in the wheel second {@code tick} (clamped to the wheel's reach), taking it out of wherever it
     * was. An entry is always either in exactly one wheel list or parked (linked to itself), so unlinking
     * first is always safe. Lock order: an entry's stripe lock(s), if held, before the wheel lock.
     */
    private void wheelRefile(int idx, int tick) {
        lockWheel();
        try {
            wheelUnlink(idx);
            wheelLink(idx, tick);
        } finally {
            unlockWheel();
        }
    }

    // ---- timeouts and dest accounting --------------------------------------------------------------

    private int timeoutOf(int proto, int state, int flags, int destId, boolean secure) {
        if ((flags & F_TEMPLATE) != 0) {
            Dest d = dests.get(destId);
            Persistence p = d == null ? null : d.service().spec().persistence();
            return p == null ? Persistence.DEFAULT_TIMEOUT : p.timeoutSeconds();
        }
        return switch (proto) {
            case 6 -> secure ? timeouts.tcpSecure(state) : timeouts.tcp(state);
            case 17 -> timeouts.udp();
            default -> timeouts.sctp();
        };
    }

    // ---- insert ------------------------------------------------------------------------------------

    /**
     * Adds a connection and binds it to its dest. For TCP the first segment's flags move it out of NONE at
     * once (a SYN makes it SYN_RECV). Returns the index, or -1 when the table is full.
     *
     * @param methodCode {@link org.jvs.core.model.ForwardingMethod#code()}
     * @param noOutput   true for DR and TUN: replies bypass the director
     * @param template   index of the controlling persistence template, or -1; the reference the caller
     *                   took with {@link #touchTemplate} or {@link #insertTemplate} passes to the connection
     */
    public int insert(int proto, long cHi, long cLo, int cport, long vHi, long vLo, int vport,
                      long dHi, long dLo, int dport, long lHi, long lLo, int lport,
                      int methodCode, boolean noOutput, int destId, int template, int tcpFlags, boolean secure) {
        int idx = allocSlot();
        if (idx < 0) {
            insertFailures.increment();
            return -1;
        }
        long b = base(idx);
        writeTuple(b, proto, cHi, cLo, cport, vHi, vLo, vport, dHi, dLo, dport, lHi, lLo, lport);
        int state = proto == 6
                ? TcpStateMachine.next(TcpState.NONE.ordinal(), noOutput ? TcpStateMachine.DIR_INPUT_ONLY : TcpStateMachine.DIR_INPUT, tcpFlags, secure)
                : 0;
        boolean active = proto == 6 && TcpState.of(state).isActive();
        int f = (methodCode & F_METHOD_MASK) | (noOutput ? F_NO_OUTPUT : 0) | (active ? 0 : F_INACTIVE);
        slab.set(BYTE, b + oState, (byte) state);
        slab.set(SHORT, b + oFlags, (short) f);
        setInt(idx, oDest, destId);
        setInt(idx, oControl, template);
        park(idx);
        int expires = now() + timeoutOf(proto, state, f, destId, secure);
        setInt(idx, oExpires, expires);

        Dest d = dests.get(destId);
        if (d != null) {
            d.connBound(active);
        }
        size.incrementAndGet();
        // Counted before publication: no other thread can see the entry yet.
        boolean due = syncMaster && syncDue(b, idx, proto, f);
        link(idx, hash(proto, cHi, cLo, cport, vHi, vLo, vport), hash(proto, dHi, dLo, dport, lHi, lLo, lport), true, expires);
        return due ? idx | SYNC_DUE : idx;
    }

    /**
     * A connection or template learnt from the sync master: created with the master's state and remaining
     * timeout (0: this state's own timeout), or, when the entry exists, brought to that state and timeout.
     * Never scheduled, never counted as a new connection. Returns the index, or -1 when the table is full.
     *
     * @param template a connection's controlling template on this director, or -1; the reference passes to
     *                 the connection as in {@link #insert}
     */
    public int applySynced(int proto, long cHi, long cLo, int cport, long vHi, long vLo, int vport,
                           long dHi, long dLo, int dport, long lHi, long lLo, int lport,
                           int methodCode, boolean noOutput, int destId, int template, boolean isTemplate,
                           int state, int timeoutSeconds) {
        int existing = isTemplate ? lookupTemplate(proto, cHi, cLo, vHi, vLo, vport)
                : lookupIn(proto, cHi, cLo, cport, vHi, vLo, vport);
        if (existing >= 0) {
            if (template >= 0) {
                releaseTemplate(template);
            }
            updateSynced(existing, isTemplate ? 0 : state, timeoutSeconds);
            return existing;
        }
        int idx;
        if (isTemplate) {
            idx = insertTemplate(proto, cHi, cLo, vHi, vLo, vport, dHi, dLo, dport, destId);
            if (idx >= 0) {
                releaseTemplate(idx); // no connection holds it yet: its own timeout applies
            }
        } else {
            idx = insert(proto, cHi, cLo, cport, vHi, vLo, vport, dHi, dLo, dport, lHi, lLo, lport,
                    methodCode, noOutput, destId, template, 0, false) & INDEX_MASK;
            if (idx == (-1 & INDEX_MASK)) {
                return -1;
            }
        }
        if (idx >= 0) {
            updateSynced(idx, isTemplate ? 0 : state, timeoutSeconds);
        }
        return idx;
    }

    /** Sets a synced entry's state (kept as the state last synced) and its remaining timeout. */
    private void updateSynced(int idx, int state, int timeoutSeconds) {
        int s = stripe(inBucketOf(idx));
        int refileAt;
        lock(s);
        try {
            long b = base(idx);
            int f = flags(idx);
            int proto = protocol(idx);
            if (proto == 6 && (f & F_TEMPLATE) == 0) {
                boolean wasActive = (f & F_INACTIVE) == 0;
                boolean nowActive = TcpState.of(state).isActive();
                if (wasActive != nowActive) {
                    flags(idx, nowActive ? f & ~F_INACTIVE : f | F_INACTIVE);
                    Dest d = dests.get(getInt(idx, oDest));
                    if (d != null) {
                        d.connActivity(nowActive);
                    }
                }
                slab.set(BYTE, b + oState, (byte) (state << 4 | state));
            }
            int timeout = timeoutSeconds > 0 ? timeoutSeconds : timeoutOf(proto, state, f, getInt(idx, oDest), false);
            refileAt = now() + timeout;
            setInt(idx, oExpires, refileAt);
            wheelRefile(idx, refileAt);
        } finally {
            unlock(s);
        }
    }

    /**
     * Adds a persistence template {@code (proto, client & mask, 0, vaddr|fwmark, vport or 0) -> dest} and
     * binds it to the dest's persistent count. Returns the index, or -1 when the table is full. The caller
     * holds one reference on it: pass it to {@link #insert} or give it back with {@link #releaseTemplate}.
     */
    public int insertTemplate(int proto, long cHi, long cLo, long vHi, long vLo, int vport,
                              long dHi, long dLo, int dport, int destId) {
        int idx = allocSlot();
        if (idx < 0) {
            insertFailures.increment();
            return -1;
        }
        long b = base(idx);
        writeTuple(b, proto, cHi, cLo, 0, vHi, vLo, vport, dHi, dLo, dport, cHi, cLo, 0);
        slab.set(BYTE, b + oState, (byte) 0);
        int f = F_TEMPLATE | F_NO_OUTPUT;
        slab.set(SHORT, b + oFlags, (short) f);
        setInt(idx, oDest, destId);
        setInt(idx, oControl, 1);
        park(idx);
        int expires = now() + timeoutOf(proto, 0, f, destId, false);
        setInt(idx, oExpires, expires);
        Dest d = dests.get(destId);
        if (d != null) {
            d.templateBound();
        }
        size.incrementAndGet();
        link(idx, hash(proto, cHi, cLo, 0, vHi, vLo, vport), -1, false, expires);
        return idx;
    }

    /**
     * Publishes a fully written entry: into its chains, marked in use and filed in the wheel, all under its
     * stripe lock(s), so no other thread can see it half made.
     */
    private void writeTuple(long b, int proto, long cHi, long cLo, int cport, long vHi, long vLo, int vport,
                            long dHi, long dLo, int dport, long lHi, long lLo, int lport) {
        putAddr(b, CADDR, cHi, cLo);
        putAddr(b, VADDR, vHi, vLo);
        putAddr(b, DADDR, dHi, dLo);
        putAddr(b, LADDR, lHi, lLo);
        slab.set(SHORT, b + oPorts, (short) cport);
        slab.set(SHORT, b + oPorts + 2, (short) vport);
        slab.set(SHORT, b + oPorts + 4, (short) dport);
        slab.set(SHORT, b + oPorts + 6, (short) lport);
        slab.set(BYTE, b + oProto, (byte) proto);
    }

    private void link(int idx, int inBucket, int outBucket, boolean out, int expires) {
        int s1 = stripe(inBucket);
        int s2 = out ? stripe(outBucket) : s1;
        int first = Math.min(s1, s2);
        int second = Math.max(s1, s2);
        lock(first);
        if (second != first) {
            lock(second);
        }
        try {
            setInt(idx, oInNext, inBuckets[inBucket]);
            inBuckets[inBucket] = idx;
            if (out) {
                setInt(idx, oOutNext, outBuckets[outBucket]);
                outBuckets[outBucket] = idx;
            } else {
                setInt(idx, oOutNext, -1);
            }
            flags(idx, flags(idx) | F_IN_USE);
            wheelRefile(idx, expires);
        } finally {
            if (second != first) {
                unlock(second);
            }
            unlock(first);
        }
    }

    /** Template references live with the template's other fields, under its in-stripe. */
    private void adjustControlled(int template, int delta) {
        int s = stripe(inBucketOf(template));
        lock(s);
        try {
            setInt(template, oControl, getInt(template, oControl) + delta);
        } finally {
            unlock(s);
        }
    }

    // ---- lookups -----------------------------------------------------------------------------------

    private int findIn(int bucket, int proto, long cHi, long cLo, int cport, long vHi, long vLo, int vport, boolean template) {
        for (int i = inBuckets[bucket]; i >= 0; i = getInt(i, oInNext)) {
            long b = base(i);
            int f = slab.get(SHORT, b + oFlags) & 0xFFFF;
            if ((f & F_DEAD) == 0 && ((f & F_TEMPLATE) != 0) == template
                    && (slab.get(BYTE, b + oProto) & 0xFF) == proto
                    && port(b, CPORT) == cport && port(b, VPORT) == vport
                    && addrIs(b, CADDR, cHi, cLo) && addrIs(b, VADDR, vHi, vLo)) {
                return i;
            }
        }
        return -1;
    }

    /** The connection of this client-side tuple, or -1; changes nothing (listings, "where would it go"). */
    public int lookupIn(int proto, long cHi, long cLo, int cport, long vHi, long vLo, int vport) {
        int bucket = hash(proto, cHi, cLo, cport, vHi, vLo, vport);
        int s = stripe(bucket);
        lock(s);
        try {
            return findIn(bucket, proto, cHi, cLo, cport, vHi, vLo, vport, false);
        } finally {
            unlock(s);
        }
    }

    /**
     * The connection whose reply tuple is {@code (daddr, dport) -> (laddr, lport)}, or -1; changes nothing (an
     * ICMP error about a reply belongs to the connection without being one of its packets).
     */
    public int lookupOut(int proto, long dHi, long dLo, int dport, long lHi, long lLo, int lport) {
        int bucket = hash(proto, dHi, dLo, dport, lHi, lLo, lport);
        int s = stripe(bucket);
        lock(s);
        try {
            return findOut(bucket, proto, dHi, dLo, dport, lHi, lLo, lport);
        } finally {
            unlock(s);
        }
    }

    /**
     * A client-to-server packet of a known connection: finds it, advances its TCP state with the segment's
     * flags, and refreshes its timeout. Returns the index or -1.
     */
    public int touchIn(int proto, long cHi, long cLo, int cport, long vHi, long vLo, int vport, int tcpFlags, boolean secure) {
        int bucket = hash(proto, cHi, cLo, cport, vHi, vLo, vport);
        int s = stripe(bucket);
        int idx;
        lock(s);
        try {
            idx = findIn(bucket, proto, cHi, cLo, cport, vHi, vLo, vport, false);
            if (idx >= 0) {
                int f = flags(idx);
                int dir = (f & F_NO_OUTPUT) != 0 ? TcpStateMachine.DIR_INPUT_ONLY : TcpStateMachine.DIR_INPUT;
                int refileAt = advance(idx, proto, f, dir, tcpFlags, secure);
                if (refileAt >= 0) {
                    wheelRefile(idx, refileAt);
                }
                if (syncMaster && syncDue(base(idx), idx, proto, flags(idx))) {
                    idx |= SYNC_DUE;
                }
            }
        } finally {
            unlock(s);
        }
        return idx;
    }

    /**
     * A server-to-client packet (NAT, FullNAT): finds the connection by the reply tuple
     * {@code (daddr, dport) -> (laddr, lport)}, advances the state with the output table and refreshes it.
     */
    public int touchOut(int proto, long dHi, long dLo, int dport, long lHi, long lLo, int lport, int tcpFlags, boolean secure) {
        int bucket = hash(proto, dHi, dLo, dport, lHi, lLo, lport);
        int outStripe = stripe(bucket);
        lock(outStripe);
        int found = findOut(bucket, proto, dHi, dLo, dport, lHi, lLo, lport);
        if (found < 0) {
            unlock(outStripe);
            return -1;
        }
        // State, flags and expiry belong to the entry's in-stripe, which touchIn holds: take it too.
        int inStripe = stripe(inBucketOf(found));
        if (inStripe > outStripe) {
            lock(inStripe);
        } else if (inStripe < outStripe) {
            unlock(outStripe);
            lock(inStripe);
            lock(outStripe);
            found = findOut(bucket, proto, dHi, dLo, dport, lHi, lLo, lport);
            if (found < 0 || stripe(inBucketOf(found)) != inStripe) {
                unlock(outStripe);
                unlock(inStripe);
                return found < 0 ? -1 : touchOut(proto, dHi, dLo, dport, lHi, lLo, lport, tcpFlags, secure);
            }
        }
        try {
            int f = flags(found);
            // A reply proves the director is on the return path after all.
            if ((f & F_NO_OUTPUT) != 0) {
                f &= ~F_NO_OUTPUT;
                flags(found, f);
            }
            int refileAt = advance(found, proto, f, TcpStateMachine.DIR_OUTPUT, tcpFlags, secure);
            if (refileAt >= 0) {
                wheelRefile(found, refileAt);
            }
            return found;
        } finally {
            if (inStripe != outStripe) {
                unlock(inStripe);
            }
            unlock(outStripe);
        }
    }

    private int findOut(int bucket, int proto, long dHi, long dLo, int dport, long lHi, long lLo, int lport) {
        for (int i = outBuckets[bucket]; i >= 0; i = getInt(i, oOutNext)) {
            long b = base(i);
            int f = slab.get(SHORT, b + oFlags) & 0xFFFF;
            if ((f & F_DEAD) == 0 && (slab.get(BYTE, b + oProto) & 0xFF) == proto
                    && port(b, DPORT) == dport && port(b, LPORT) == lport
                    && addrIs(b, DADDR, dHi, dLo) && addrIs(b, LADDR, lHi, lLo)) {
                return i;
            }
        }
        return -1;
    }

    /** The in-chain bucket of an entry, from its stored key. */
    private int inBucketOf(int idx) {
        long b = base(idx);
        return hash(protocol(idx), addrHi(b, CADDR), addrLo(b, CADDR), port(b, CPORT), addrHi(b, VADDR), addrLo(b, VADDR), port(b, VPORT));
    }

    /**
     * State transition and timeout refresh under the entry's in-stripe lock. Returns the second to re-file
     * at when the new timeout ends earlier than the one the wheel holds the entry for, else -1.
     */
    private int advance(int idx, int proto, int f, int dir, int tcpFlags, boolean secure) {
        long b = base(idx);
        int sb = slab.get(BYTE, b + oState) & 0xFF;
        int state = sb & 0x0F;
        int newState = state;
        if (proto == 6) {
            newState = TcpStateMachine.next(state, dir, tcpFlags, secure);
            if (newState != state) {
                slab.set(BYTE, b + oState, (byte) ((sb & 0xF0) | newState));
                boolean wasActive = (f & F_INACTIVE) == 0;
                boolean nowActive = TcpState.of(newState).isActive();
                if (wasActive != nowActive) {
                    flags(idx, nowActive ? f & ~F_INACTIVE : f | F_INACTIVE);
                    Dest d = dests.get(getInt(idx, oDest));
                    if (d != null) {
                        d.connActivity(nowActive);
                    }
                }
            }
        }
        int oldExpires = slab.get(INT, b + oExpires);
        int expires = now() + timeoutOf(proto, newState, f, getInt(idx, oDest), secure);
        slab.set(INT, b + oExpires, expires);
        return expires < oldExpires ? expires : -1;
    }

    /**
     * The live persistence template for this key, with its timeout refreshed (a use re-arms it), or -1.
     * The caller gets one reference on it, which keeps it from expiring: pass it to {@link #insert} with
     * the connection it controls, or give it back with {@link #releaseTemplate}.
     */
    public int touchTemplate(int proto, long cHi, long cLo, long vHi, long vLo, int vport) {
        int bucket = hash(proto, cHi, cLo, 0, vHi, vLo, vport);
        int s = stripe(bucket);
        lock(s);
        try {
            int idx = findIn(bucket, proto, cHi, cLo, 0, vHi, vLo, vport, true);
            if (idx >= 0) {
                setInt(idx, oExpires, now() + timeoutOf(proto, 0, F_TEMPLATE, getInt(idx, oDest), false));
                setInt(idx, oControl, getInt(idx, oControl) + 1);
            }
            return idx;
        } finally {
            unlock(s);
        }
    }

    /** Gives back a reference from {@link #touchTemplate} or {@link #insertTemplate} that no connection took. */
    public void releaseTemplate(int template) {
        adjustControlled(template, -1);
    }

    /** The live template for this key without touching it, or -1. */
    public int lookupTemplate(int proto, long cHi, long cLo, long vHi, long vLo, int vport) {
        int bucket = hash(proto, cHi, cLo, 0, vHi, vLo, vport);
        int s = stripe(bucket);
        lock(s);
        try {
            return findIn(bucket, proto, cHi, cLo, 0, vHi, vLo, vport, true);
        } finally {
            unlock(s);
        }
    }

    /**
     * Makes an entry unreachable for lookups and due now; the next {@link #expire} frees it (or, for a
     * template still controlling connections, once they are gone). Safe from any thread.
     */
    public void kill(int idx) {
        while (true) {
            int s = stripe(inBucketOf(idx));
            lock(s);
            try {
                int f = flags(idx);
                if ((f & F_IN_USE) == 0 || (f & F_DEAD) != 0) {
                    return;
                }
                if (stripe(inBucketOf(idx)) != s) {
                    continue; // freed and reused under us: look again
                }
                flags(idx, f | F_DEAD);
                int now = now();
                setInt(idx, oExpires, now);
                // Freed at the wheel's second after next: a packet that found the entry just before has a
                // full second to finish with it before the slot can be reused.
                wheelRefile(idx, now + 2);
                return;
            } finally {
                unlock(s);
            }
        }
    }

    public boolean isLive(int idx) {
        int f = flags(idx);
        return (f & F_IN_USE) != 0 && (f & F_DEAD) == 0;
    }

    // ---- expiry (housekeeping thread only) ---------------------------------------------------------

    /**
     * Runs the wheel up to the current second: frees every entry whose time has come, re-files those that
     * were touched meanwhile, and keeps templates that still control connections. Returns entries freed.
     */
    public int expire() {
        int now = now();
        int freed = 0;
        int steps = 0;
        while (wheelTick < now && steps < WHEEL) {
            wheelTick++;
            steps++;
            freed += expireSlot(wheelTick, now);
        }
        if (wheelTick < now) {
            // The clock jumped more than a wheel round: every slot has been visited once; catch up.
            wheelTick = now;
        }
        return freed;
    }

    private int expireSlot(int tick, int now) {
        int sentinel = capacity + (tick & (WHEEL - 1));
        int freed = 0;
        while (true) {
            int idx;
            lockWheel();
            try {
                idx = getInt(sentinel, oWheelNext);
                if (idx == sentinel) {
                    return freed;
                }
                // Parked (linked to itself) while we decide, so a concurrent refile stays consistent.
                wheelUnlink(idx);
            } finally {
                unlockWheel();
            }
            if (expireOne(idx, now)) {
                freed++;
            }
        }
    }

    /** Frees idx if its time has come, else files it again. Returns true when freed. */
    private boolean expireOne(int idx, int now) {
        long b = base(idx);
        int proto = protocol(idx);
        int f = flags(idx);
        boolean template = (f & F_TEMPLATE) != 0;
        int inBucket = inBucketOf(idx);
        int outBucket = template ? -1 : hash(proto, addrHi(b, DADDR), addrLo(b, DADDR), port(b, DPORT), addrHi(b, LADDR), addrLo(b, LADDR), port(b, LPORT));
        int s1 = stripe(inBucket);
        int s2 = template ? s1 : stripe(outBucket);
        int first = Math.min(s1, s2);
        int second = Math.max(s1, s2);
        int refileAt = -1;
        int destId;
        int control;
        lock(first);
        if (second != first) {
            lock(second);
        }
        try {
            f = flags(idx);
            int expires = getInt(idx, oExpires);
            control = getInt(idx, oControl);
            destId = getInt(idx, oDest);
            boolean dead = (f & F_DEAD) != 0;
            if (template && control > 0) {
                // A template outlives its timeout while connections it controls are alive; a killed one only
                // until they are gone.
                if (dead) {
                    refileAt = now + 1;
                } else if (expires > now) {
                    refileAt = expires;
                } else {
                    refileAt = now + timeoutOf(proto, 0, f, destId, false);
                    setInt(idx, oExpires, refileAt);
                }
            } else if (!dead && expires > now) {
                refileAt = expires;
            }
            if (refileAt >= 0) {
                wheelRefile(idx, refileAt);
            } else {
                unlinkChain(inBuckets, inBucket, idx, oInNext);
                if (!template) {
                    unlinkChain(outBuckets, outBucket, idx, oOutNext);
                }
                // A data thread may have re-filed it between our parking it and taking the stripe locks.
                wheelRemove(idx);
                // Not in use from here on: kill() and listings leave it alone while we unbind and free.
                flags(idx, 0);
            }
        } finally {
            if (second != first) {
                unlock(second);
            }
            unlock(first);
        }
        if (refileAt >= 0) {
            return false;
        }
        Dest d = dests.get(destId);
        if (template) {
            if (d != null) {
                d.templateUnbound();
            }
        } else {
            if (d != null) {
                d.connUnbound((f & F_INACTIVE) == 0);
            }
            if (control >= 0) {
                adjustControlled(control, -1);
            }
        }
        size.decrementAndGet();
        freeSlot(idx);
        return true;
    }

    private void unlinkChain(int[] buckets, int bucket, int idx, long nextOff) {
        int prev = -1;
        for (int i = buckets[bucket]; i >= 0; i = getInt(i, nextOff)) {
            if (i == idx) {
                int next = getInt(i, nextOff);
                if (prev < 0) {
                    buckets[bucket] = next;
                } else {
                    setInt(prev, nextOff, next);
                }
                return;
            }
            prev = i;
        }
        throw new IllegalStateException("connection " + idx + " missing from its hash chain");
    }

    // ---- whole-table operations (control and housekeeping threads) ---------------------------------

    /** Calls the visitor for every live entry; entries may change while it runs (a listing, not a snapshot). */
    public void forEach(java.util.function.IntConsumer visitor) {
        int hw = highWater.get();
        for (int i = 0; i < hw; i++) {
            if (isLive(i)) {
                visitor.accept(i);
            }
        }
    }

    /** Kills every entry: {@code ipvsadm -C} leaves connections to time out, but a flush of the table does this. */
    public void killAll() {
        forEach(this::kill);
    }

    /** Kills the connections (not templates) bound to a dest: {@code expire_nodest_conn} on removal. */
    public int killDest(int destId) {
        int[] n = new int[1];
        forEach(i -> {
            if (!isTemplate(i) && destId(i) == destId) {
                kill(i);
                n[0]++;
            }
        });
        return n[0];
    }

    /**
     * drop_entry defense (thesis 5.2.9): visits a random window of about 1/32 of the table and kills the
     * half-open connections there (SYN_RECV, SYNACK), the ones a SYN flood creates. Returns how many.
     * IPVS also drops some idle ESTABLISHED and UDP entries by their packet counts; JVS keeps no per-entry
     * packet count, so it leaves those alone.
     */
    public int dropRandomEntries() {
        int hw = highWater.get();
        if (hw == 0) {
            return 0;
        }
        int window = Math.max(1, hw / 32);
        int start = ThreadLocalRandom.current().nextInt(hw);
        int dropped = 0;
        for (int k = 0; k < window; k++) {
            int i = (start + k) % hw;
            if (isLive(i) && !isTemplate(i) && protocol(i) == 6) {
                int st = state(i);
                if (st == TcpState.SYN_RECV.ordinal() || st == TcpState.SYNACK.ordinal()) {
                    kill(i);
                    dropped++;
                }
            }
        }
        return dropped;
    }

    /** Releases the off-heap memory; the table must not be used afterwards. */
    public void close() {
        arena.close();
    }
}
