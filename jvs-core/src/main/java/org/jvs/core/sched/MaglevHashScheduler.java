package org.jvs.core.sched;

import java.util.Arrays;
import java.util.Comparator;
import org.jvs.core.Dest;
import org.jvs.core.model.SchedFlag;

/**
 * mh: Maglev consistent hashing (Eisenbud et al., NSDI 2016). Each server walks its own permutation of a
 * prime-sized lookup table ({@code offset + j * skip mod M}) and claims the first free slot on each turn;
 * a flow's source address (and port with {@code mh-port}) hashed mod M names its slot. Removing one of N
 * servers moves little more than its own 1/N of the keys, and any director with the same configuration
 * builds the same table, so a group of directors behind ECMP agrees on every flow without sharing state.
 *
 * <p>The table is built on the control thread in {@link #update} and published with the servers it
 * indexes through one volatile field; {@link #schedule} reads it and allocates nothing.
 */
public final class MaglevHashScheduler implements Scheduler {
    // Fixed seeds, never random: every director must compute the same offsets, skips and key hashes.
    private static final long SEED_OFFSET = 0x4D47_4C56_6F66_6673L;
    private static final long SEED_SKIP = 0x4D47_4C56_736B_6970L;
    private static final long SEED_KEY = 0x4D47_4C56_6B65_7921L;
    /** Rehash attempts before the last-resort walk over the servers. */
    static final int FALLBACK_REHASHES = 32;

    /** The published state: the servers (in build order) and, per slot, the index of its server. */
    private record Lookup(Dest[] dests, int[] table) {
    }

    private static final Lookup EMPTY = new Lookup(new Dest[0], null);

    private final int size;
    private final boolean fallback;
    private final boolean hashPort;
    private volatile Lookup lookup = EMPTY;
    /** The weights the current table was built from (control thread only), to skip identical rebuilds. */
    private int[] builtWeights = new int[0];

    public MaglevHashScheduler(SchedulerContext context) {
        this.size = context.service().mhTableSize();
        this.fallback = HashBuckets.flagBit(context.service().flags(), SchedFlag.MH_FALLBACK.bit());
        this.hashPort = HashBuckets.flagBit(context.service().flags(), SchedFlag.MH_PORT.bit());
    }

    @Override
    public String name() {
        return "mh";
    }

    /**
     * Rebuilds the table from the servers' last positive weights. Servers are ordered by address and port
     * first, so the table depends on the configuration only and not on the order servers were added in:
     * two directors configured in a different order still agree. Quiescing keeps lastWeight, so it leaves
     * the table (and everybody else's clients) alone; it is detected here and costs no rebuild.
     */
    @Override
    public void update(Dest[] dests) {
        Dest[] members = Arrays.stream(dests)
                .filter(d -> d.lastWeight() > 0)
                .sorted(Comparator.comparing(Dest::address).thenComparingInt(Dest::port))
                .toArray(Dest[]::new);
        int[] weights = new int[members.length];
        for (int i = 0; i < members.length; i++) {
            weights[i] = members[i].lastWeight();
        }
        Lookup current = lookup;
        if (Arrays.equals(current.dests(), members, (a, b) -> a == b ? 0 : 1) && Arrays.equals(builtWeights, weights)) {
            return;
        }
        lookup = members.length == 0 ? EMPTY : new Lookup(members, populate(members, weights, size));
        builtWeights = weights;
    }

    /**
     * The Maglev population loop with weights as turns: per round each server claims {@code weight / gcd}
     * slots, each the next free one along its own permutation. With equal weights every server ends with
     * floor(M/N) or ceil(M/N) slots.
     */
    static int[] populate(Dest[] members, int[] weights, int m) {
        int n = members.length;
        long[] next = new long[n];
        long[] skip = new long[n];
        int g = 0;
        for (int i = 0; i < n; i++) {
            Dest d = members[i];
            long hi = d.address().hi();
            long lo = d.address().lo();
            next[i] = Long.remainderUnsigned(AddrHash.hash(SEED_OFFSET, hi, lo, d.port()), m);
            skip[i] = Long.remainderUnsigned(AddrHash.hash(SEED_SKIP, hi, lo, d.port()), m - 1) + 1;
            g = gcd(g, weights[i]);
        }
        int[] turns = new int[n];
        for (int i = 0; i < n; i++) {
            turns[i] = weights[i] / g;
        }
        int[] table = new int[m];
        Arrays.fill(table, -1);
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                for (int t = 0; t < turns[i]; t++) {
                    // m is prime and 0 < skip < m, so the walk visits every slot: a free one is found.
                    long c = next[i];
                    while (table[(int) c] >= 0) {
                        c += skip[i];
                        if (c >= m) {
                            c -= m;
                        }
                    }
                    table[(int) c] = i;
                    c += skip[i];
                    next[i] = c >= m ? c - m : c;
                    if (++filled == m) {
                        return table;
                    }
                }
            }
        }
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    @Override
    public Dest schedule(Flow flow) {
        Lookup l = lookup;
        int[] table = l.table();
        if (table == null) {
            return null;
        }
        Dest[] ds = l.dests();
        long h = AddrHash.hash(SEED_KEY, flow.srcHi, flow.srcLo, hashPort ? flow.srcPort : 0);
        Dest d = ds[table[(int) Long.remainderUnsigned(h, size)]];
        if (d.isUsable()) {
            return d;
        }
        if (!fallback) {
            return null;
        }
        // Deterministic rehashes spread a failed server's clients over the others in table proportions.
        for (int k = 0; k < FALLBACK_REHASHES; k++) {
            h = AddrHash.mix(h + 0x9E37_79B9_7F4A_7C15L);
            d = ds[table[(int) Long.remainderUnsigned(h, size)]];
            if (d.isUsable()) {
                return d;
            }
        }
        // Nearly everything is down: walk the servers from a key-chosen start so a usable one, if any, is
        // still found, in bounded time and the same for every director.
        int n = ds.length;
        int start = (int) Long.remainderUnsigned(h, n);
        for (int k = 0; k < n; k++) {
            d = ds[start + k < n ? start + k : start + k - n];
            if (d.isUsable()) {
                return d;
            }
        }
        return null;
    }

    /** The server owning each table slot (tests measure balance and disruption on it). */
    Dest[] slots() {
        Lookup l = lookup;
        if (l.table() == null) {
            return new Dest[0];
        }
        Dest[] out = new Dest[size];
        for (int i = 0; i < size; i++) {
            out[i] = l.dests()[l.table()[i]];
        }
        return out;
    }
}
