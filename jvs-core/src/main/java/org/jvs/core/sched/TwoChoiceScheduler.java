package org.jvs.core.sched;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.jvs.core.Dest;

/**
 * twos: weighted random two choices. Two servers are drawn at random, each with probability proportional to
 * its weight among the usable ones (the two draws are independent and may hit the same server), and the one
 * with the lower {@code overhead / weight} wins, the first draw on a tie. Comparing only two random
 * candidates spreads load nearly as well as scanning for the least loaded, yet several directors sharing
 * stale load figures do not all pile onto the same "least loaded" server.
 *
 * <p>{@link #preview} cannot foretell random draws; it only shows one possible answer.
 */
public final class TwoChoiceScheduler implements Scheduler {
    private volatile Dest[] dests = new Dest[0];
    /** Null in production: each data-plane thread then uses its own {@link ThreadLocalRandom}. */
    private final RandomGenerator random;

    public TwoChoiceScheduler() {
        this(null);
    }

    /**
     * For tests: a fixed random source. Not thread safe in general, so only for single-threaded use; a
     * {@link ThreadLocalRandom} must not be stored either, since one fetched on another thread is not seeded
     * for this one.
     */
    TwoChoiceScheduler(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public String name() {
        return "twos";
    }

    @Override
    public void update(Dest[] newDests) {
        dests = newDests;
    }

    @Override
    public Dest schedule(Flow flow) {
        Dest[] ds = dests;
        // Long: thousands of servers at weight 65535 exceed an int.
        long total = 0;
        for (Dest d : ds) {
            if (d.isUsable()) {
                total += d.weight();
            }
        }
        if (total <= 0) {
            return null;
        }
        RandomGenerator r = random != null ? random : ThreadLocalRandom.current();
        long draw1 = r.nextLong(total);
        long draw2 = r.nextLong(total);

        Dest first = null;
        Dest second = null;
        Dest lastUsable = null;
        long upTo = 0;
        for (Dest d : ds) {
            if (!d.isUsable()) {
                continue;
            }
            int w = d.weight();
            if (w <= 0) {
                continue;
            }
            lastUsable = d;
            upTo += w;
            if (first == null && draw1 < upTo) {
                first = d;
            }
            if (second == null && draw2 < upTo) {
                second = d;
            }
            if (first != null && second != null) {
                break;
            }
        }
        // Weights or usability changed between the two passes and a draw fell past the new total: the
        // last usable server stands in, rather than refusing the connection.
        if (first == null) {
            first = lastUsable;
        }
        if (second == null) {
            second = lastUsable;
        }
        if (first == null || second == first) {
            return first;
        }
        long w1 = first.weight();
        long w2 = second.weight();
        // A weight that dropped to 0 since the draw (quiesced meanwhile) loses; otherwise cross
        // multiplication as in wlc.
        if (w1 <= 0) {
            return w2 > 0 ? second : null;
        }
        if (w2 > 0 && first.overhead() * w2 > second.overhead() * w1) {
            return second;
        }
        return first;
    }
}
