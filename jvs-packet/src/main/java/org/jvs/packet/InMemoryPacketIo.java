package org.jvs.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@link PacketIo} in memory, for tests: frames injected by the test are received in order; frames sent are
 * kept in order for the test to read back. Two fixed rings (inbound and outbound) of preallocated slots, so
 * injecting, receiving, sending and discarding allocate nothing. Deterministic: no threads, no clocks; a full
 * inbound ring refuses injections, a full outbound ring refuses sends (as a full TX ring does). Single thread.
 * Received frames come with the {@link Offload} metadata the test injected them with (what a kernel hands a
 * forwarder); sent frames keep theirs only when made {@link #withOffloads() with offloads}, as an AF_PACKET socket
 * with offload metadata does; without, the output carries none (as one that cannot).
 */
public final class InMemoryPacketIo implements PacketIo {
    private final int frameSize;
    private final Ring in;
    private final Ring out;
    private boolean offloads;
    private long received;
    private long sent;

    /** {@code slots} frames of up to {@code frameSize} bytes in each direction. */
    public InMemoryPacketIo(int slots, int frameSize) {
        this.frameSize = frameSize;
        Arena arena = Arena.ofAuto();
        this.in = new Ring(arena, slots, frameSize);
        this.out = new Ring(arena, slots, frameSize);
    }

    /** From now on sent frames keep their {@link Offload} metadata ({@link #carriesOffloads()}). */
    public InMemoryPacketIo withOffloads() {
        this.offloads = true;
        return this;
    }

    @Override
    public boolean carriesOffloads() {
        return offloads;
    }

    /** Queues a frame to be received with {@code offload} metadata. */
    public boolean inject(byte[] frame, long offload) {
        return inject(frame, 0, frame.length, offload);
    }

    public boolean inject(byte[] frame, int offset, int length, long offload) {
        if (!inject(frame, offset, length)) {
            return false;
        }
        in.offloads[(in.head + in.size - 1) % in.slots] = offload;
        return true;
    }

    /** Queues a frame to be received; false when the inbound ring is full or the frame is too long. */
    public boolean inject(byte[] frame) {
        return inject(frame, 0, frame.length);
    }

    public boolean inject(byte[] frame, int offset, int length) {
        if (in.full() || length > frameSize) {
            return false;
        }
        int slot = in.pushSlot(length);
        in.offloads[slot] = Offload.NONE;
        MemorySegment.copy(frame, offset, in.slab, ValueLayout.JAVA_BYTE, in.offset(slot), length);
        return true;
    }

    /** Frames injected and not yet received. */
    public int pending() {
        return in.size;
    }

    @Override
    public int receive(PacketBatch batch) {
        int n = Math.min(batch.capacity(), in.size);
        for (int i = 0; i < n; i++) {
            int slot = in.head;
            int len = in.lengths[slot];
            MemorySegment.copy(in.slab, in.offset(slot), batch.segment(), batch.offset(i), Math.min(len, batch.frameSize()));
            batch.length(i, Math.min(len, batch.frameSize()));
            batch.offload(i, in.offloads[slot]);
            in.pop();
        }
        batch.count(n);
        received += n;
        return n;
    }

    @Override
    public int send(PacketBatch batch) {
        int n = 0;
        for (int i = 0; i < batch.count() && !out.full(); i++) {
            int len = Math.min(batch.length(i), frameSize);
            int slot = out.pushSlot(len);
            out.offloads[slot] = offloads ? batch.offload(i) : Offload.NONE;
            MemorySegment.copy(batch.segment(), batch.offset(i), out.slab, out.offset(slot), len);
            n++;
        }
        sent += n;
        return n;
    }

    /** Frames sent and not yet taken or discarded. */
    public int sentCount() {
        return out.size;
    }

    /** The offload metadata of the oldest sent frame (the one {@link #takeSent} returns next). */
    public long peekSentOffload() {
        return out.size == 0 ? Offload.NONE : out.offloads[out.head];
    }

    /** Removes and returns the oldest sent frame, or null (allocates: test side only). */
    public byte[] takeSent() {
        if (out.size == 0) {
            return null;
        }
        int slot = out.head;
        byte[] b = out.slab.asSlice(out.offset(slot), out.lengths[slot]).toArray(ValueLayout.JAVA_BYTE);
        out.pop();
        return b;
    }

    /** Drops every sent frame (no allocation). */
    public void discardSent() {
        while (out.size > 0) {
            out.pop();
        }
    }

    /** Frames received since construction. */
    public long receivedTotal() {
        return received;
    }

    /** Frames accepted by {@link #send} since construction. */
    public long sentTotal() {
        return sent;
    }

    private static final class Ring {
        final MemorySegment slab;
        final int[] lengths;
        final long[] offloads;
        final int slots;
        final int frameSize;
        int head;
        int size;

        Ring(Arena arena, int slots, int frameSize) {
            if (slots < 1 || frameSize < 1) {
                throw new IllegalArgumentException("bad ring shape: " + slots + " x " + frameSize);
            }
            this.slab = arena.allocate((long) slots * frameSize, 64);
            this.lengths = new int[slots];
            this.offloads = new long[slots];
            this.slots = slots;
            this.frameSize = frameSize;
        }

        boolean full() {
            return size == slots;
        }

        long offset(int slot) {
            return (long) slot * frameSize;
        }

        int pushSlot(int length) {
            int slot = (head + size) % slots;
            lengths[slot] = length;
            size++;
            return slot;
        }

        void pop() {
            head = (head + 1) % slots;
            size--;
        }
    }
}
