package org.jvs.core.conn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The entries due for synchronization, handed from the data-plane threads that find them due to the one
 * thread of the sync master that encodes and sends them. A bounded multi-producer, single-consumer ring of
 * ints (a Vyukov queue: one sequence number per cell), so a producer never blocks and never allocates; when
 * the ring is full the entry is counted and dropped, and IPVS' periodic resend (every {@code period} packets)
 * carries it later. An element is a connection index with {@link #V6} set for the IPv6 table; the consumer
 * reads the entry's fields when it sends, so it sends the latest state, not the state at the time of the offer.
 */
public final class SyncQueue {
    /** Marks an index of the IPv6 connection table. */
    public static final int V6 = 1 << 31;

    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);

    private final int mask;
    private final int[] items;
    private final long[] sequence;
    private final AtomicLong tail = new AtomicLong();
    private long head;
    private final LongAdder overflows = new LongAdder();

    public SyncQueue(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("sync queue capacity " + capacity + ": need a power of two >= 2");
        }
        this.mask = capacity - 1;
        this.items = new int[capacity];
        this.sequence = new long[capacity];
        for (int i = 0; i < capacity; i++) {
            sequence[i] = i;
        }
    }

    /** Any thread: queues {@code item}; false (and counted) when the ring is full. */
    public boolean offer(int item) {
        while (true) {
            long t = tail.get();
            int cell = (int) t & mask;
            long seq = (long) SEQ.getAcquire(sequence, cell);
            if (seq == t) {
                if (tail.compareAndSet(t, t + 1)) {
                    items[cell] = item;
                    SEQ.setRelease(sequence, cell, t + 1);
                    return true;
                }
            } else if (seq < t) {
                overflows.increment();
                return false;
            }
            // seq > t: another producer took this cell; read the tail again.
        }
    }

    /** The consumer thread only: the next item, or {@link #EMPTY}. */
    public int poll() {
        int cell = (int) head & mask;
        long seq = (long) SEQ.getAcquire(sequence, cell);
        if (seq != head + 1) {
            return EMPTY;
        }
        int item = items[cell];
        SEQ.setRelease(sequence, cell, head + mask + 1);
        head++;
        return item;
    }

    /** What {@link #poll} returns when nothing is queued: no valid element has every bit but the top one set. */
    public static final int EMPTY = 0x7FFF_FFFF;

    /** Entries dropped because the ring was full. */
    public long overflows() {
        return overflows.sum();
    }

    public int capacity() {
        return mask + 1;
    }
}
