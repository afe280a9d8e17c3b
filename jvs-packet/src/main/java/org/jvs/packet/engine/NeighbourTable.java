package org.jvs.packet.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * IPv4 address to MAC address on one link: the next hops the engine writes into the frames it forwards (real
 * servers, clients on a connected subnet, the gateway), resolved by the engine's own ARP.
 *
 * <p>Every worker of the engine reads and writes it, so it is a fixed-size open-addressing table that takes no
 * lock and allocates nothing per packet: a slot is claimed once with a compare-and-set on its address (never
 * reused for another address while the table lives), and its MAC and timestamps are single-word writes.
 * {@link #resolve} is the data path: a usable MAC, or a miss; either way it says when an ARP request is due
 * and hands that duty to exactly one caller (a compare-and-set on the slot's last-probe time), which is the
 * per-address rate limit. {@link #learn} records what ARP traffic shows. {@link #compact} (control thread)
 * rebuilds the table without long-dead entries.
 *
 * <p>Life of an entry, in the spirit of the kernel's neighbour states: unknown → a request is sent (at most
 * one per {@link #RETRY_MILLIS}) up to {@link #MAX_PROBES} times, then the address rests for
 * {@link #FAILED_HOLD_MILLIS} before the next round; an answer makes it reachable for
 * {@link #REACHABLE_MILLIS}; after that it stays usable while unicast re-probes go to the known MAC, and if
 * {@link #MAX_PROBES} of them go unanswered the MAC is forgotten. Entries {@link #put} by hand never age.
 */
public final class NeighbourTable {
    /** No usable MAC, and no ARP request due from this caller. */
    public static final long NONE = -1L;
    /** No usable MAC: the caller must send a broadcast ARP request now (it won the rate limit). */
    public static final long MISS_PROBE = -2L;
    /** Set on a usable MAC (bits 0..47) when the caller must also send a unicast re-probe to it now. */
    public static final long PROBE = 1L << 62;
    public static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    public static final long REACHABLE_MILLIS = 60_000;
    public static final long RETRY_MILLIS = 1_000;
    public static final int MAX_PROBES = 3;
    public static final long FAILED_HOLD_MILLIS = 10_000;
    /** {@link #compact} drops entries nobody confirmed for this long. */
    public static final long FORGET_MILLIS = 300_000;

    private static final long NEVER = Long.MIN_VALUE / 4;
    /** The group bit of a MAC address (first octet's lowest bit): never a neighbour's own address. */
    private static final long MULTICAST_BIT = 0x0100_0000_0000L;
    private static final long PERMANENT = Long.MAX_VALUE / 4;
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** Slot arrays; address 0 (never a neighbour) marks a free slot. */
    private static final class Slots {
        final int[] keys;
        final long[] macs;
        final long[] confirmed;
        final long[] probed;
        final int[] probes;

        Slots(int capacity) {
            keys = new int[capacity];
            macs = new long[capacity];
            confirmed = new long[capacity];
            probed = new long[capacity];
            probes = new int[capacity];
            java.util.Arrays.fill(macs, NONE);
            java.util.Arrays.fill(confirmed, NEVER);
            java.util.Arrays.fill(probed, NEVER);
        }
    }

    private final int capacity;
    private volatile Slots slots;

    /** A table of {@code capacity} addresses (rounded up to a power of two, at least 16). */
    public NeighbourTable(int capacity) {
        if (capacity < 1 || capacity > 1 << 24) {
            throw new IllegalArgumentException("neighbour table capacity " + capacity + " outside 1..16777216");
        }
        this.capacity = Math.max(16, Integer.highestOneBit(capacity - 1) << 1);
        this.slots = new Slots(this.capacity);
    }

    public NeighbourTable() {
        this(4096);
    }

    /**
     * The data path: the MAC to write for {@code address} at time {@code now} (milliseconds), possibly with
     * {@link #PROBE} set; or {@link #MISS_PROBE} (send a broadcast request, then drop the packet); or
     * {@link #NONE} (drop it: a request is already out, or the address is resting after failed ones, or the
     * table is full).
     */
    public long resolve(int address, long now) {
        Slots s = slots;
        int i = claim(s, address);
        if (i < 0) {
            return NONE;
        }
        long mac = (long) LONGS.getAcquire(s.macs, i);
        long confirmed = (long) LONGS.getAcquire(s.confirmed, i);
        if (mac != NONE && now - confirmed < REACHABLE_MILLIS) {
            return mac; // also every permanent entry: confirmed lies far in the future
        }
        long probed = (long) LONGS.getAcquire(s.probed, i);
        int probes = (int) INTS.getAcquire(s.probes, i);
        if (probes >= MAX_PROBES) {
            if (now - probed < RETRY_MILLIS) {
                return mac; // the last try may still be answered
            }
            if (mac != NONE) {
                LONGS.compareAndSet(s.macs, i, mac, NONE); // stale and silent: forget it
                mac = NONE;
            }
            if (now - probed < FAILED_HOLD_MILLIS) {
                return NONE;
            }
            if (LONGS.compareAndSet(s.probed, i, probed, now)) {
                INTS.setRelease(s.probes, i, 1);
                return MISS_PROBE;
            }
            return NONE;
        }
        if (now - probed >= RETRY_MILLIS && LONGS.compareAndSet(s.probed, i, probed, now)) {
            INTS.getAndAdd(s.probes, i, 1);
            return mac == NONE ? MISS_PROBE : mac | PROBE;
        }
        return mac;
    }

    /**
     * What ARP showed: {@code address} is at {@code mac} at time {@code now}. Updates an existing entry; adds one
     * only when {@code create} (the sender was talking to us, as the kernel also learns). Entries put by hand
     * are left alone. Returns whether an entry was written.
     */
    public boolean learn(int address, long mac, long now, boolean create) {
        if (address == 0 || (mac >>> 48) != 0) {
            return false;
        }
        Slots s = slots;
        int i = create ? claim(s, address) : find(s, address);
        if (i < 0 || (long) LONGS.getAcquire(s.confirmed, i) == PERMANENT) {
            return false;
        }
        LONGS.setRelease(s.macs, i, mac);
        LONGS.setRelease(s.confirmed, i, now);
        INTS.setRelease(s.probes, i, 0);
        LONGS.setRelease(s.probed, i, NEVER);
        return true;
    }

    /**
     * What an IPv4 frame from a neighbour on this link showed: {@code address} sent it from {@code mac} (a new
     * VS/NAT client on a connected subnet). Used only when no MAC is known for the address: the entry is created
     * stale, usable at once and re-probed by unicast on its first use, so the neighbour's ARP answer confirms it and
     * {@link #MAX_PROBES} unanswered probes forget it, as for any aged entry. A known MAC (learned or static) is
     * never changed this way. Why: without it the first reply to a client the engine has not resolved yet was
     * dropped while ARP ran (a SYN-ACK retransmitted a second later; a UDP answer lost), where the kernel queues
     * it. Returns whether an entry was written.
     */
    public boolean glean(int address, long mac, long now) {
        if (address == 0 || (mac >>> 48) != 0 || (mac & MULTICAST_BIT) != 0 || mac == 0) {
            return false;
        }
        Slots s = slots;
        int i = claim(s, address);
        if (i < 0 || !LONGS.compareAndSet(s.macs, i, NONE, mac)) {
            return false;
        }
        LONGS.setRelease(s.confirmed, i, now - REACHABLE_MILLIS);
        INTS.setRelease(s.probes, i, 0);
        LONGS.setRelease(s.probed, i, NEVER);
        return true;
    }

    /** A static entry that never ages and ARP never changes ({@code mac}: low 48 bits). */
    public synchronized void put(int address, long mac) {
        if ((mac >>> 48) != 0) {
            throw new IllegalArgumentException("MAC address must fit 48 bits: " + Long.toHexString(mac));
        }
        if (address == 0) {
            throw new IllegalArgumentException("0.0.0.0 cannot be a neighbour");
        }
        Slots s = slots;
        int i = claim(s, address);
        if (i < 0) {
            throw new IllegalStateException("neighbour table full (" + capacity + " addresses)");
        }
        LONGS.setRelease(s.macs, i, mac);
        LONGS.setRelease(s.confirmed, i, PERMANENT);
    }

    /** Forgets {@code address} (the slot stays claimed until the next {@link #compact}). */
    public void remove(int address) {
        Slots s = slots;
        int i = find(s, address);
        if (i >= 0) {
            LONGS.setRelease(s.macs, i, NONE);
            LONGS.setRelease(s.confirmed, i, NEVER);
            INTS.setRelease(s.probes, i, 0);
            LONGS.setRelease(s.probed, i, NEVER);
        }
    }

    /** The MAC known for {@code address} whatever its age, or {@link #NONE}. Allocation-free. */
    public long lookup(int address) {
        Slots s = slots;
        int i = find(s, address);
        return i < 0 ? NONE : (long) LONGS.getAcquire(s.macs, i);
    }

    /** Addresses with a known MAC. */
    public int size() {
        Slots s = slots;
        int n = 0;
        for (int i = 0; i < s.keys.length; i++) {
            if ((int) INTS.getAcquire(s.keys, i) != 0 && (long) LONGS.getAcquire(s.macs, i) != NONE) {
                n++;
            }
        }
        return n;
    }

    /** Claimed slots, known or not. */
    int claimed() {
        Slots s = slots;
        int n = 0;
        for (int key : s.keys) {
            n += key != 0 ? 1 : 0;
        }
        return n;
    }

    /**
     * Control thread, from time to time: when more than half the slots are claimed, rebuilds the table with
     * only the static entries and those confirmed or probed within {@link #FORGET_MILLIS}. A worker writing
     * into the old table at that moment loses its write; the next packet simply resolves again.
     */
    public synchronized void compact(long now) {
        Slots s = slots;
        if (claimed() * 2 <= capacity) {
            return;
        }
        Slots fresh = new Slots(capacity);
        for (int i = 0; i < s.keys.length; i++) {
            int key = (int) INTS.getAcquire(s.keys, i);
            long confirmed = (long) LONGS.getAcquire(s.confirmed, i);
            long probed = (long) LONGS.getAcquire(s.probed, i);
            if (key != 0 && (now - confirmed < FORGET_MILLIS || now - probed < FORGET_MILLIS)) {
                int j = claim(fresh, key);
                fresh.macs[j] = s.macs[i];
                fresh.confirmed[j] = confirmed;
                fresh.probed[j] = probed;
                fresh.probes[j] = s.probes[i];
            }
        }
        slots = fresh;
    }

    /** The slot of {@code address}, claiming a free one if needed; -1 when the table is full or address is 0. */
    private static int claim(Slots s, int address) {
        return slot(s, address, true);
    }

    /** The slot of {@code address}, or -1. */
    private static int find(Slots s, int address) {
        return slot(s, address, false);
    }

    /**
     * Linear probing from the address's hash to its slot or the first free one, which {@code claim} takes with a
     * compare-and-set. Two workers claiming the same address probe the same sequence, so it ends in one slot.
     */
    private static int slot(Slots s, int address, boolean claim) {
        if (address == 0) {
            return -1;
        }
        int mask = s.keys.length - 1;
        int start = hash(address) & mask;
        int i = start;
        do {
            int key = (int) INTS.getAcquire(s.keys, i);
            if (key == address) {
                return i;
            }
            if (key == 0) {
                if (!claim) {
                    return -1;
                }
                if (INTS.compareAndSet(s.keys, i, 0, address) || (int) INTS.getAcquire(s.keys, i) == address) {
                    return i; // ours, or another worker's claim for the same address
                }
            }
            i = (i + 1) & mask;
        } while (i != start);
        return -1;
    }

    private static int hash(int address) {
        int h = address * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
