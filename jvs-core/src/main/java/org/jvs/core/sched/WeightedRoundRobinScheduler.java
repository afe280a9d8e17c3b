package org.jvs.core.sched;

import java.util.concurrent.atomic.AtomicLong;
import org.jvs.core.Dest;

/**
 * wrr: interleaved weighted round robin (thesis 4.1.2). A current weight {@code cw} starts at the largest
 * weight and drops by the gcd of the weights each time the scan wraps past the end of the list; the next
 * usable server whose weight is at least {@code cw} is picked. Weights 4, 3, 2 give {@code AABABCABC}: the
 * heavy servers' turns are spread over the cycle instead of arriving in bursts.
 *
 * <p>Index and {@code cw} live together in one {@link AtomicLong} so that a pick is a single CAS: two
 * threads can never pair one thread's index with the other's weight, and every pick is one step of the same
 * serial sequence.
 */
public final class WeightedRoundRobinScheduler implements Scheduler {
    /** Index -1: nothing picked yet, so the first scan starts at index 0 without lowering cw. */
    private static final long INITIAL = pack(-1, 0);
    /** Returned by {@link #next} when no server is usable; never a real state (index -1, cw -1). */
    private static final long NONE = -1L;

    /** One immutable snapshot so the data plane never mixes a new list with an old max or gcd. */
    private record Table(Dest[] dests, int max, int gcd) {
    }

    private volatile Table table = new Table(new Dest[0], 0, 1);
    /** High 32 bits: index of the last pick; low 32 bits: cw. */
    private final AtomicLong state = new AtomicLong(INITIAL);

    @Override
    public String name() {
        return "wrr";
    }

    @Override
    public void update(Dest[] dests) {
        int max = 0;
        int gcd = 0;
        for (Dest d : dests) {
            int w = d.weight();
            if (w > 0) {
                max = Math.max(max, w);
                gcd = gcd(gcd, w);
            }
        }
        Table t = new Table(dests, max, Math.max(gcd, 1));
        table = t;
        // CAS rather than set: a pick racing with this either lands first and is clamped here, or fails its
        // own CAS and is redone against the new table; a plain set could erase that pick's step.
        while (true) {
            long s = state.get();
            long clamped = clamp(t, s);
            if (state.compareAndSet(s, clamped)) {
                return;
            }
        }
    }

    /**
     * Keeps the rotation going across a change instead of restarting it, which would favour the head of the
     * list whenever weights are edited often (dynamic feedback). cw must not exceed the new maximum (or
     * passes would pick nothing) and must be a multiple of the new gcd, or the cycle would no longer be the
     * exact interleaving; rounding up keeps the servers that were still due in this round first in line.
     */
    private static long clamp(Table t, long s) {
        int n = t.dests.length;
        int i = Math.min(index(s), n - 1);
        int cw = cw(s);
        if (t.max == 0) {
            return pack(i, 0);
        }
        if (cw <= 0 || cw > t.max) {
            cw = t.max;
        } else {
            cw = Math.min(t.max, Math.ceilDiv(cw, t.gcd) * t.gcd);
        }
        return pack(i, cw);
    }

    @Override
    public Dest schedule(Flow flow) {
        while (true) {
            Table t = table;
            long s = state.get();
            long n = next(t, s);
            if (n == NONE) {
                return null;
            }
            if (state.compareAndSet(s, n)) {
                return t.dests[index(n)];
            }
        }
    }

    @Override
    public Dest preview(Flow flow) {
        Table t = table;
        long n = next(t, state.get());
        return n == NONE ? null : t.dests[index(n)];
    }

    /**
     * The state after the next pick from {@code s}, or {@link #NONE}. A whole pass over the list that finds
     * nothing is handled in one jump of cw down to the best weight that pass saw, instead of stepping cw
     * down one gcd per pass: same resulting sequence, but bounded (at most three passes) even with weights
     * 65535 and 1 and the heavy server overloaded.
     */
    private static long next(Table t, long s) {
        Dest[] ds = t.dests;
        int n = ds.length;
        int max = t.max;
        if (n == 0 || max == 0) {
            return NONE;
        }
        int g = t.gcd;
        int i = index(s);
        int cw = cw(s);
        if (i < -1 || i >= n) {
            // Left over from a longer list (update raced with a pick): treat as the end of the list.
            i = n - 1;
        }
        if (cw <= 0 || cw > max) {
            cw = max;
        }
        boolean fullPass = i == -1;
        int passMax = 0;
        for (int steps = 3 * n + 1; steps > 0; steps--) {
            i++;
            if (i == n) {
                i = 0;
                if (fullPass) {
                    if (passMax == 0) {
                        return NONE;
                    }
                    cw = lowerTo(cw, passMax, g);
                } else {
                    cw -= g;
                    if (cw <= 0) {
                        cw = max;
                    }
                }
                fullPass = true;
                passMax = 0;
            }
            Dest d = ds[i];
            if (d.isUsable()) {
                int w = d.weight();
                if (w >= cw) {
                    return pack(i, cw);
                }
                passMax = Math.max(passMax, w);
            }
        }
        // Only reachable when servers keep changing usability during this very scan.
        return NONE;
    }

    /**
     * The first value of cw - g, cw - 2g, ... that some usable server (best weight {@code best}) reaches.
     * With consistent weights every value is a multiple of g, so this is exactly {@code best}; the fallback
     * covers weights edited but not yet passed to {@link #update}.
     */
    private static int lowerTo(int cw, int best, int g) {
        int lowered = cw - Math.ceilDiv(cw - best, g) * g;
        return lowered > 0 ? lowered : best;
    }

    private static long pack(int index, int cw) {
        return ((long) index << 32) | (cw & 0xFFFF_FFFFL);
    }

    private static int index(long s) {
        return (int) (s >> 32);
    }

    private static int cw(long s) {
        return (int) s;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int r = a % b;
            a = b;
            b = r;
        }
        return a;
    }
}
