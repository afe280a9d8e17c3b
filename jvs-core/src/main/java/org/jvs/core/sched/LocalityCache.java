package org.jvs.core.sched;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The destination-address table of the locality schedulers (lblc, lblcr): {@value #STRIPES} independently
 * locked {@link AddrTable} stripes chosen by the key's hash. A data-plane thread holds one stripe's monitor
 * only for the decision about one destination, so threads working on different destinations rarely meet,
 * and the housekeeping and control threads take one stripe at a time, never the whole table.
 *
 * <p>Size: a soft bound ({@code maxEntries}) that {@link #trim} restores by dropping the least recently
 * used entries, and a hard bound (four times that, spread over the stripes) beyond which new destinations
 * are scheduled without being cached, so a flood of distinct destinations between two housekeeping runs
 * cannot exhaust memory.
 */
final class LocalityCache {
    static final int STRIPE_BITS = 4;
    static final int STRIPES = 1 << STRIPE_BITS;
    private static final int INITIAL_STRIPE_CAPACITY = 64;

    private final long seed;
    private final int maxEntries;
    private final AddrTable[] stripes = new AddrTable[STRIPES];

    LocalityCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        }
        // A per-table random seed: this table is private to one director, and a seed an attacker cannot
        // know keeps chosen destination addresses from piling into one probe run.
        this.seed = ThreadLocalRandom.current().nextLong();
        this.maxEntries = maxEntries;
        int hardPerStripe = Math.max(4, (int) Math.min(Integer.MAX_VALUE / 8, 4L * maxEntries / STRIPES + 1));
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new AddrTable(seed, INITIAL_STRIPE_CAPACITY, hardPerStripe);
        }
    }

    long hash(long hi, long lo) {
        return AddrTable.hash(seed, hi, lo);
    }

    /** The stripe of a key hash: its top bits, independent of the low bits that index inside the stripe. */
    AddrTable stripe(long h) {
        return stripes[(int) (h >>> (64 - STRIPE_BITS))];
    }

    int size() {
        int n = 0;
        for (AddrTable t : stripes) {
            synchronized (t) {
                n += t.size();
            }
        }
        return n;
    }

    /** Applies the filter to every entry, one stripe (one short lock) at a time. */
    int removeIf(AddrTable.SlotFilter filter) {
        int removed = 0;
        for (AddrTable t : stripes) {
            synchronized (t) {
                removed += t.removeIf(filter);
            }
        }
        return removed;
    }

    /** Drops entries last used before {@code cutoff} (clock nanos; compared as differences, overflow-safe). */
    int expire(long cutoff) {
        return removeIf((t, s) -> t.used(s) - cutoff < 0);
    }

    /**
     * Brings the table back to {@code maxEntries} by dropping the least recently used entries. The cutoff
     * time is chosen from a snapshot outside the locks (sorting may take a while); entries used again since
     * the snapshot are newer than the cutoff and survive.
     */
    int trim() {
        long[][] parts = new long[STRIPES][];
        int total = 0;
        for (int i = 0; i < STRIPES; i++) {
            synchronized (stripes[i]) {
                parts[i] = stripes[i].usedTimes();
            }
            total += parts[i].length;
        }
        int excess = total - maxEntries;
        if (excess <= 0) {
            return 0;
        }
        long[] all = new long[total];
        int n = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, all, n, p.length);
            n += p.length;
        }
        // Clock values are monotonic nanos; order them as differences from the oldest to be overflow-safe.
        long base = all[0];
        for (long t : all) {
            if (t - base < 0) {
                base = t;
            }
        }
        for (int i = 0; i < total; i++) {
            all[i] -= base;
        }
        Arrays.sort(all);
        long cutoff = all[excess - 1];
        int older = 0;
        for (long t : all) {
            if (t < cutoff) {
                older++;
            }
        }
        // Everything older than the cutoff goes, and of the entries used exactly at the cutoff only as many
        // as needed: with a coarse clock many entries share a time, and all of them need not go.
        int[] atCutoff = {excess - older};
        long b = base;
        return removeIf((t, s) -> {
            long age = t.used(s) - b;
            if (age < cutoff) {
                return true;
            }
            if (age == cutoff && atCutoff[0] > 0) {
                atCutoff[0]--;
                return true;
            }
            return false;
        });
    }
}
