package org.jvs.proxy.http.sched;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.jvs.proxy.http.RequestHead;

/**
 * The thesis' {@code server[target]} / {@code serverSet[target]}: request target (a 64-bit hash of its
 * path) → set of server bits, with the time the set last changed and last served, its request count and
 * the first bytes of its path for the listing (copied once, when the target enters). A fixed-size,
 * set-associative table (8 ways per bucket) so it never grows or allocates: a new target in a full bucket
 * takes the place of the one idle longest. Buckets are guarded by striped locks held for a few reads.
 */
final class TargetTable {

    private static final int WAYS = 8;
    private static final int STRIPES = 64;
    /** Bytes of a target's path kept for {@code jvsadm -L --l7}. */
    static final int NAME_BYTES = 48;

    private final long[] keys;
    private final long[] sets;
    private final long[] modified;
    private final long[] used;
    private final long[] requests;
    private final byte[] names;
    private final byte[] nameLengths;
    private final int bucketMask;
    private final Object[] locks = new Object[STRIPES];

    /** @param capacity targets kept, rounded up to a power of two of at least 8 */
    TargetTable(int capacity) {
        int n = Integer.highestOneBit(Math.max(WAYS, capacity) - 1) << 1;
        keys = new long[n];
        sets = new long[n];
        modified = new long[n];
        used = new long[n];
        requests = new long[n];
        names = new byte[n * NAME_BYTES];
        nameLengths = new byte[n];
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

    /**
     * A slot for a new {@code key}: an empty one, else the one idle longest; caller holds {@link #lock}.
     * The path's first {@link #NAME_BYTES} bytes are kept for the listing (null: none).
     */
    int insert(long key, long now, RequestHead head) {
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
        requests[victim] = 0;
        int len = head == null ? 0 : head.copyPath(names, victim * NAME_BYTES, NAME_BYTES);
        nameLengths[victim] = (byte) Math.min(len, NAME_BYTES + 1); // NAME_BYTES + 1: cut short
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

    /** The target of {@code slot} was served now. */
    void touch(int slot, long now) {
        used[slot] = now;
        requests[slot]++;
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

    /** Targets in the table now (a walk over it: control plane only). */
    int size() {
        int n = 0;
        for (int s = 0; s < STRIPES; s++) {
            synchronized (locks[s]) {
                for (int b = s; b <= bucketMask; b += STRIPES) {
                    for (int i = b * WAYS; i < b * WAYS + WAYS; i++) {
                        if (sets[i] != 0) {
                            n++;
                        }
                    }
                }
            }
        }
        return n;
    }

    /** The {@code n} targets with the most requests, busiest first (control plane only). */
    List<Locality.Target> busiest(int n, long now) {
        PriorityQueue<Locality.Target> top = new PriorityQueue<>(
                Comparator.comparingLong(Locality.Target::requests));
        for (int s = 0; s < STRIPES && n > 0; s++) {
            synchronized (locks[s]) {
                for (int b = s; b <= bucketMask; b += STRIPES) {
                    for (int i = b * WAYS; i < b * WAYS + WAYS; i++) {
                        if (sets[i] == 0 || top.size() == n && requests[i] <= top.peek().requests()) {
                            continue;
                        }
                        int len = nameLengths[i] & 0xFF;
                        String path = new String(names, i * NAME_BYTES, Math.min(len, NAME_BYTES), StandardCharsets.ISO_8859_1);
                        top.add(new Locality.Target(len > NAME_BYTES ? path + "..." : path, sets[i], requests[i],
                                now - used[i], now - modified[i]));
                        if (top.size() > n) {
                            top.poll();
                        }
                    }
                }
            }
        }
        List<Locality.Target> out = new ArrayList<>(top);
        out.sort(Comparator.comparingLong(Locality.Target::requests).reversed());
        return out;
    }
}
