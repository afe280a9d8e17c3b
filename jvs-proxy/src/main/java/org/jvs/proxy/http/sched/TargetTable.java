package org.jvs.proxy.http.sched;

/**
 * The thesis' {@code server[target]} / {@code serverSet[target]}: request target (a 64-bit hash of its
 * path) → set of server bits, with the time the set last changed and last served. A fixed-size,
 * set-associative table (8 ways per bucket) so it never grows or allocates: a new target in a full bucket
 * takes the place of the one idle longest. Buckets are guarded by striped locks held for a few reads.
 */
final class TargetTable {

    private static final int WAYS = 8;
    private static final int STRIPES = 64;

    private final long[] keys;
    private final long[] sets;
    private final long[] modified;
    private final long[] used;
    private final int bucketMask;
    private final Object[] locks = new Object[STRIPES];

    /** @param capacity targets kept, rounded up to a power of two of at least 8 */
    TargetTable(int capacity) {
        int n = Integer.highestOneBit(Math.max(WAYS, capacity) - 1) << 1;
        keys = new long[n];
        sets = new long[n];
        modified = new long[n];
        used = new long[n];
        bucketMask = n / WAYS - 1;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    Object lock(long key) {
        return locks[bucket(key) & (STRIPES - 1)];
    }

    private int bucket(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & bucketMask;
    }

    /** Slot of {@code key}, or -1; caller holds {@link #lock}. Key 0 is stored as 1 (0 marks empty). */
    int find(long key) {
        long k = key == 0 ? 1 : key;
        int base = bucket(key) * WAYS;
        for (int i = base; i < base + WAYS; i++) {
            if (keys[i] == k && sets[i] != 0) {
                return i;
            }
        }
        return -1;
    }

    /** A slot for a new {@code key}: an empty one, else the one idle longest; caller holds {@link #lock}. */
    int insert(long key, long now) {
        long k = key == 0 ? 1 : key;
        int base = bucket(key) * WAYS;
        int victim = base;
        for (int i = base; i < base + WAYS; i++) {
            if (sets[i] == 0) {
                victim = i;
                break;
            }
            if (used[i] < used[victim]) {
                victim = i;
            }
        }
        keys[victim] = k;
        sets[victim] = 0;
        modified[victim] = now;
        used[victim] = now;
        return victim;
    }

    long set(int slot) {
        return sets[slot];
    }

    void set(int slot, long members, long now) {
        if (members != sets[slot]) {
            sets[slot] = members;
            modified[slot] = now;
        }
    }

    long modified(int slot) {
        return modified[slot];
    }

    void touch(int slot, long now) {
        used[slot] = now;
    }

    /** Forgets targets idle since before {@code cutoff}; returns how many are left. */
    int expire(long cutoff) {
        int left = 0;
        for (int s = 0; s < STRIPES; s++) {
            synchronized (locks[s]) {
                for (int b = s; b <= bucketMask; b += STRIPES) {
                    for (int i = b * WAYS; i < b * WAYS + WAYS; i++) {
                        if (sets[i] != 0 && used[i] < cutoff) {
                            sets[i] = 0;
                        } else if (sets[i] != 0) {
                            left++;
                        }
                    }
                }
            }
        }
        return left;
    }
}
