package org.jvs.packet;

/**
 * Where frames come from and go to, a batch at a time: an AF_PACKET ring in production, {@link InMemoryPacketIo}
 * in tests. Implementations copy frames into and out of the caller's {@link PacketBatch} (or fill it in place)
 * and allocate nothing per frame. One worker thread uses an instance; implementations need not be thread-safe.
 */
public interface PacketIo extends AutoCloseable {

    /**
     * Fills {@code batch} with up to {@link PacketBatch#capacity()} received frames, starting at slot 0, sets
     * {@link PacketBatch#count()} and returns it. Returns 0 at once when nothing is waiting (no blocking).
     */
    int receive(PacketBatch batch);

    /**
     * As {@link #receive(PacketBatch)}, but when nothing is waiting, waits up to {@code timeoutMillis} for a
     * frame (so an idle worker sleeps in the kernel instead of spinning). Implementations that cannot wait
     * return at once.
     */
    default int receive(PacketBatch batch, int timeoutMillis) {
        return receive(batch);
    }

    /**
     * Sends frames {@code 0 .. batch.count() - 1} in order and returns how many were accepted; the rest were
     * not sent (the transmit queue is full) and may be retried or dropped by the caller.
     */
    int send(PacketBatch batch);

    /**
     * Whether frames keep their {@link Offload} metadata through this I/O: received frames come with it, and a sent
     * frame's unfinished checksum or segment size is finished by the kernel. Where not, a sender finishes
     * checksums itself and cannot send a super-frame.
     */
    default boolean carriesOffloads() {
        return false;
    }

    @Override
    default void close() {
    }
}
