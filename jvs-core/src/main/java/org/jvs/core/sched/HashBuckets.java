package org.jvs.core.sched;

import java.util.Set;
import org.jvs.core.Dest;
import org.jvs.core.model.SchedFlag;

/**
 * The static 256-bucket table of the dh and sh schedulers: built on the control thread, indexed by the
 * data plane. Each server gets buckets in proportion to its {@link Dest#lastWeight()}, so quiescing a
 * server (weight 0) or an overload leaves every bucket where it was and moves no other server's clients.
 */
final class HashBuckets {
    static final int SIZE = 256;

    private HashBuckets() {
    }

    /**
     * A fixed shuffle of the bucket positions. Buckets are handed out server by server, then placed by this
     * permutation, so each server's buckets are scattered over the table: when fallback walks past a
     * quiesced server's bucket its clients land on many different neighbours instead of one successor.
     * Fixed (not random) so that every director builds the same table.
     */
    private static final int[] PLACE = shuffle();

    private static int[] shuffle() {
        int[] p = new int[SIZE];
        for (int i = 0; i < SIZE; i++) {
            p[i] = i;
        }
        long state = 0x4275_636B_6574_7321L;
        for (int i = SIZE - 1; i > 0; i--) {
            state = AddrHash.mix(state + 0x9E37_79B9_7F4A_7C15L);
            int j = (int) Long.remainderUnsigned(state, i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * The bucket table for these servers, or null when none has ever had a weight above 0. Counts are
     * apportioned by largest remainder (as exact proportions as 256 buckets allow; with more than 256
     * servers the later ones of equal weight get none). Deterministic in the server order and weights, so
     * an unchanged pool rebuilds the same table.
     */
    static Dest[] build(Dest[] ds) {
        int n = ds.length;
        long total = 0;
        for (Dest d : ds) {
            total += d.lastWeight();
        }
        if (total == 0) {
            return null;
        }
        int[] count = new int[n];
        long[] remainder = new long[n];
        int given = 0;
        for (int i = 0; i < n; i++) {
            long share = (long) SIZE * ds[i].lastWeight();
            count[i] = (int) (share / total);
            remainder[i] = share % total;
            given += count[i];
        }
        // Largest remainders first; ties to the earlier server. Fewer are left than servers with a
        // non-zero remainder, so a positive-weight server is always found.
        while (given < SIZE) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (ds[i].lastWeight() > 0 && (best < 0 || remainder[i] > remainder[best])) {
                    best = i;
                }
            }
            count[best]++;
            remainder[best] = -1;
            given++;
        }
        Dest[] buckets = new Dest[SIZE];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < count[i]; c++) {
                buckets[PLACE[k++]] = ds[i];
            }
        }
        return buckets;
    }

    /**
     * The usable server of the key's bucket; with fallback the first usable one in the following buckets
     * (at most one lap, so a pool with nothing usable costs 256 probes, not a loop).
     */
    static Dest lookup(Dest[] buckets, long hash, boolean fallback) {
        if (buckets == null) {
            return null;
        }
        int b = (int) (hash >>> 56);
        Dest d = buckets[b];
        if (d.isUsable()) {
            return d;
        }
        if (!fallback) {
            return null;
        }
        for (int k = 1; k < SIZE; k++) {
            d = buckets[(b + k) & (SIZE - 1)];
            if (d.isUsable()) {
                return d;
            }
        }
        return null;
    }

    /**
     * Whether the fallback bit is set. sh-fallback and mh-fallback are the same kernel bit (flag-1), so a
     * service keeps its fallback when ipvsadm switches it between sh and mh; either name turns it on.
     */
    static boolean flagBit(Set<SchedFlag> flags, int bit) {
        for (SchedFlag f : flags) {
            if (f.bit() == bit) {
                return true;
            }
        }
        return false;
    }
}
