package org.jvs.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * The read-size policy of one spliced channel, which also counts what the channel takes in. Netty's splice
 * reports every {@code splice(2)} into the pipe to the channel's read handle ({@code lastBytesRead}) and
 * nothing else: its promise completes only when the whole requested length has passed, so a relay that
 * waited for it would never see a small request. This handle is how the relay learns, per read round, how
 * many bytes it spliced, so the core counts them and refreshes the connection as it does for copied reads.
 *
 * <p>One per channel (it is its own handle); used on the channel's event loop only. The guess is fixed at
 * {@link SocketEngine#MAX_READ}: it bounds one round of splicing as it bounds one copied read.
 */
final class SpliceMeter implements RecvByteBufAllocator, RecvByteBufAllocator.ExtendedHandle {
    private static final FixedRecvByteBufAllocator SIZES = new FixedRecvByteBufAllocator(SocketEngine.MAX_READ);

    private final ExtendedHandle sizes = (ExtendedHandle) SIZES.newHandle();
    private long bytes;

    /** Bytes taken in since the last call. */
    long take() {
        long n = bytes;
        bytes = 0;
        return n;
    }

    @Override
    public Handle newHandle() {
        return this;
    }

    @Override
    public void lastBytesRead(int n) {
        if (n > 0) {
            bytes += n;
        }
        sizes.lastBytesRead(n);
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
        return sizes.allocate(alloc);
    }

    @Override
    public int guess() {
        return sizes.guess();
    }

    @Override
    public void reset(ChannelConfig config) {
        sizes.reset(config);
    }

    @Override
    public void incMessagesRead(int n) {
        sizes.incMessagesRead(n);
    }

    @Override
    public int lastBytesRead() {
        return sizes.lastBytesRead();
    }

    @Override
    public void attemptedBytesRead(int n) {
        sizes.attemptedBytesRead(n);
    }

    @Override
    public int attemptedBytesRead() {
        return sizes.attemptedBytesRead();
    }

    @Override
    public boolean continueReading() {
        return sizes.continueReading();
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier more) {
        return sizes.continueReading(more);
    }

    @Override
    public void readComplete() {
        sizes.readComplete();
    }
}
