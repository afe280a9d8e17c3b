package org.jvs.core.sched;

/**
 * One stripe of a {@link LocalityCache}: an open-addressing (linear probing) hash table from an address
 * (hi, lo longs) to a value object plus two longs, in parallel primitive arrays. Looking up or updating an
 * entry allocates nothing and boxes nothing; inserting writes into the preallocated arrays and only growing
 * (doubling, rare) allocates. Deletion shifts the following entries back instead of leaving tombstones, so
 * probe sequences stay short however many entries expire.
 *
 * <p>Not thread-safe: callers hold the table's monitor for every call. A monitor rather than a
 * {@code java.util.concurrent} lock because contended monitors park without allocating heap objects.
 */
final class AddrTable {
    /** Decides, under the table's lock, whether an entry goes; it may also replace the entry's value. */
    @FunctionalInterface
    interface SlotFilter {
        boolean remove(AddrTable table, int slot);
    }

    private final long seed;
    private final int maxSize;
    private final int maxCapacity;
    private long[] keyHi;
    private long[] keyLo;
    /** Null marks a free slot. */
    private Object[] values;
    private long[] used;
    private long[] aux;
    private int mask;
    private int size;

    /**
     * @param seed            hash seed; the cache uses the same one for stripe selection
     * @param initialCapacity power of two
     * @param maxSize         hard limit on entries: beyond it {@link #insert} refuses, so memory stays bounded
     *                        even when new keys arrive faster than housekeeping trims them
     */
    AddrTable(long seed, int initialCapacity, int maxSize) {
        if (Integer.bitCount(initialCapacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + initialCapacity);
        }
        this.seed = seed;
        this.maxSize = maxSize;
        // Load factor at most 1/2 keeps probes short and guarantees a free slot (probe loops end).
        this.maxCapacity = Math.max(initialCapacity, Integer.highestOneBit(Math.max(1, maxSize)) << 2);
        allocate(initialCapacity);
    }

    private void allocate(int capacity) {
        keyHi = new long[capacity];
        keyLo = new long[capacity];
        values = new Object[capacity];
        used = new long[capacity];
        aux = new long[capacity];
        mask = capacity - 1;
    }

    static long hash(long seed, long hi, long lo) {
        return AddrHash.hash(seed, hi, lo, 0);
    }

    int size() {
        return size;
    }

    int capacity() {
        return mask + 1;
    }

    /** The slot holding this key, or -1; {@code h} is {@link #hash} of the key under this table's seed. */
    int find(long h, long hi, long lo) {
        int i = (int) h & mask;
        while (true) {
            Object v = values[i];
            if (v == null) {
                return -1;
            }
            if (keyHi[i] == hi && keyLo[i] == lo) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /**
     * Adds a key that is not present; returns its slot, or -1 when the table is at its hard limit (the
     * caller then simply does not cache).
     */
    int insert(long h, long hi, long lo, Object value, long usedAt, long auxValue) {
        if (size >= maxSize) {
            return -1;
        }
        if ((size + 1) * 2 > capacity()) {
            if (capacity() >= maxCapacity) {
                return -1;
            }
            grow();
        }
        int i = (int) h & mask;
        while (values[i] != null) {
            i = (i + 1) & mask;
        }
        keyHi[i] = hi;
        keyLo[i] = lo;
        values[i] = value;
        used[i] = usedAt;
        aux[i] = auxValue;
        size++;
        return i;
    }

    private void grow() {
        long[] oHi = keyHi;
        long[] oLo = keyLo;
        Object[] oValues = values;
        long[] oUsed = used;
        long[] oAux = aux;
        allocate(oValues.length * 2);
        for (int j = 0; j < oValues.length; j++) {
            if (oValues[j] != null) {
                int i = (int) hash(seed, oHi[j], oLo[j]) & mask;
                while (values[i] != null) {
                    i = (i + 1) & mask;
                }
                keyHi[i] = oHi[j];
                keyLo[i] = oLo[j];
                values[i] = oValues[j];
                used[i] = oUsed[j];
                aux[i] = oAux[j];
            }
        }
    }

    Object value(int slot) {
        return values[slot];
    }

    void value(int slot, Object v) {
        if (v == null) {
            throw new IllegalArgumentException("null marks a free slot; remove the entry instead");
        }
        values[slot] = v;
    }

    long used(int slot) {
        return used[slot];
    }

    void used(int slot, long t) {
        used[slot] = t;
    }

    long aux(int slot) {
        return aux[slot];
    }

    void aux(int slot, long a) {
        aux[slot] = a;
    }

    /**
     * Removes the entry at {@code slot} and shifts later entries of its probe run back into the hole, so
     * that every remaining key is still reachable from its home slot without tombstones.
     */
    void removeAt(int slot) {
        int hole = slot;
        int j = slot;
        while (true) {
            j = (j + 1) & mask;
            if (values[j] == null) {
                break;
            }
            int home = (int) hash(seed, keyHi[j], keyLo[j]) & mask;
            // The entry at j may move to the hole only if its home is not cyclically in (hole, j].
            boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!stays) {
                keyHi[hole] = keyHi[j];
                keyLo[hole] = keyLo[j];
                values[hole] = values[j];
                used[hole] = used[j];
                aux[hole] = aux[j];
                hole = j;
            }
        }
        values[hole] = null;
        size--;
    }

    /**
     * Visits every entry once and removes those the filter picks. The walk starts just after a free slot:
     * back-shifts never move an entry across a free slot, so an entry shifted into the current position is
     * one not visited yet and is examined next, and none is skipped or seen twice.
     */
    int removeIf(SlotFilter filter) {
        if (size == 0) {
            return 0;
        }
        int start = 0;
        while (values[start] != null) {
            start++;
        }
        int removed = 0;
        for (int k = 1; k <= mask + 1; k++) {
            int i = (start + k) & mask;
            while (values[i] != null && filter.remove(this, i)) {
                removeAt(i);
                removed++;
            }
        }
        return removed;
    }

    /** The last-use times of all entries, for choosing what to trim. */
    long[] usedTimes() {
        long[] out = new long[size];
        int n = 0;
        for (int i = 0; i <= mask; i++) {
            if (values[i] != null) {
                out[n++] = used[i];
            }
        }
        return out;
    }
}
