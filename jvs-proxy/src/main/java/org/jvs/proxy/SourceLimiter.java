package org.jvs.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The most connections one source address may hold open on one service ({@code max_conn_per_source}, as
 * nginx's {@code limit_conn} on {@code $binary_remote_addr} or an HAProxy stick table's {@code sc_conn_cur}):
 * the defence against one host holding a service's sockets, a slowloris attack among them, that timeouts
 * alone do not give on a layer-4 relay, where a byte every few seconds is traffic like any other.
 *
 * <p>A connection over the limit is closed at accept with a reset, before a server is chosen or a byte read,
 * and counted in {@link #refused()}. Connections are counted only while a limit is set: one accepted while
 * there was none is not counted later, and lowering the limit closes nothing already open (nginx does the same).
 *
 * <p>Threads: {@link #admit} runs on the accepting event loops, {@link #limit(int)} on the control thread. The
 * count of a source lives while it has connections: an entry at zero is marked dead (-1) and removed, so the
 * table holds only sources with open connections, and an acceptor that meets a dead entry takes a new one.
 */
public final class SourceLimiter {
    /** One source's open connections; -1 once removed from the table. */
    static final class Count extends AtomicInteger {
        final InetAddress source;

        Count(InetAddress source) {
            this.source = source;
        }
    }

    private final ConcurrentHashMap<InetAddress, Count> counts = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();
    private volatile int max;

    /** Sets the limit for connections accepted from now on; 0: none. */
    public void limit(int maxPerSource) {
        if (maxPerSource < 0) {
            throw new IllegalArgumentException("connections per source must be >= 0 (0: no limit), got " + maxPerSource);
        }
        this.max = maxPerSource;
    }

    public int limit() {
        return max;
    }

    /** Connections refused over the limit since start. */
    public long refused() {
        return refused.sum();
    }

    /** Source addresses with counted connections open now. */
    public int sources() {
        return counts.size();
    }

    /** Counted connections open now from {@code source} (0 when none or when no limit counted them). */
    public int open(InetAddress source) {
        Count c = counts.get(source);
        return c == null ? 0 : Math.max(0, c.get());
    }

    /**
     * For a channel just accepted: true when it may go on (no limit, or its source is under it; it is then
     * counted until it closes); false when it was over the limit and has been closed with a reset.
     */
    public boolean admit(Channel ch) {
        int m = max;
        if (m == 0 || !(ch.remoteAddress() instanceof InetSocketAddress ra)) {
            return true;
        }
        Count c = acquire(ra.getAddress(), m);
        if (c == null) {
            refused.increment();
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
            return false;
        }
        ch.closeFuture().addListener((ChannelFutureListener) f -> release(c));
        return true;
    }

    /** The source's count after taking one more connection, or null when it holds {@code m} already. */
    Count acquire(InetAddress source, int m) {
        for (;;) {
            Count c = counts.computeIfAbsent(source, Count::new);
            int n = c.get();
            if (n < 0) { // released to zero and being removed: take a fresh entry
                counts.remove(source, c);
                continue;
            }
            if (n >= m) {
                return null;
            }
            if (c.compareAndSet(n, n + 1)) {
                return c;
            }
        }
    }

    void release(Count c) {
        if (c.decrementAndGet() == 0 && c.compareAndSet(0, -1)) {
            counts.remove(c.source, c);
        }
    }
}
