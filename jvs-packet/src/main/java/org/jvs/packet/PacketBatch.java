package org.jvs.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A reusable batch of frames: one slab of {@code capacity * frameSize} bytes, frame {@code i} at
 * {@link #offset(int) i * frameSize}, with its length and its {@link Offload} metadata alongside (what the kernel
 * said about an unfinished checksum or a super-frame; {@link Offload#NONE} for an ordinary frame). Nothing is allocated after construction;
 * flyweights wrap {@code (segment(), offset(i), length(i))} directly. Owned by one worker thread.
 */
public final class PacketBatch {
    private final MemorySegment slab;
    private final int capacity;
    private final int frameSize;
    private final int[] lengths;
    private final long[] offloads;
    private int count;

    /** A batch whose slab lives as long as the batch is reachable. */
    public PacketBatch(int capacity, int frameSize) {
        this(Arena.ofAuto(), capacity, frameSize);
    }

    /** A batch whose slab is allocated from {@code arena} (and freed when it closes). */
    public PacketBatch(Arena arena, int capacity, int frameSize) {
        if (capacity < 1 || frameSize < 1 || (long) capacity * frameSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bad batch shape: " + capacity + " frames of " + frameSize + " bytes");
        }
        this.capacity = capacity;
        this.frameSize = frameSize;
        this.slab = arena.allocate((long) capacity * frameSize, 64);
        this.lengths = new int[capacity];
        this.offloads = new long[capacity];
    }

    public MemorySegment segment() {
        return slab;
    }

    public int capacity() {
        return capacity;
    }

    /** The largest frame a slot holds. */
    public int frameSize() {
        return frameSize;
    }

    /** Frames in use, slots {@code 0 .. count - 1}. */
    public int count() {
        return count;
    }

    public PacketBatch count(int n) {
        if (n < 0 || n > capacity) {
            throw new IllegalArgumentException("count " + n + " outside 0.." + capacity);
        }
        count = n;
        return this;
    }

    public PacketBatch clear() {
        count = 0;
        return this;
    }

    /** Absolute offset of slot {@code i} in {@link #segment()}. */
    public long offset(int i) {
        return (long) i * frameSize;
    }

    public int length(int i) {
        return lengths[i];
    }

    public PacketBatch length(int i, int length) {
        if (length < 0 || length > frameSize) {
            throw new IllegalArgumentException("frame length " + length + " outside 0.." + frameSize);
        }
        lengths[i] = length;
        offloads[i] = Offload.NONE;
        return this;
    }

    /** The {@link Offload} metadata of frame {@code i}. */
    public long offload(int i) {
        return offloads[i];
    }

    public PacketBatch offload(int i, long metadata) {
        offloads[i] = metadata;
        return this;
    }

    /**
     * Appends a copy of {@code length} bytes at {@code src[offset]} as the next, ordinary frame; false (and nothing
     * changed) when the batch is full or the frame too long.
     */
    public boolean add(MemorySegment src, long offset, int length) {
        return add(src, offset, length, Offload.NONE);
    }

    /** As {@link #add(MemorySegment, long, int)}, with the frame's {@link Offload} metadata. */
    public boolean add(MemorySegment src, long offset, int length, long offload) {
        if (count == capacity || length < 0 || length > frameSize) {
            return false;
        }
        MemorySegment.copy(src, offset, slab, offset(count), length);
        offloads[count] = offload;
        lengths[count++] = length;
        return true;
    }

    /**
     * Where the next frame is to be written in place, {@code length} bytes at most; -1 when the batch is full or the
     * frame too long. {@link #commit} then appends it.
     */
    public long next(int length) {
        return count == capacity || length < 0 || length > frameSize ? -1 : offset(count);
    }

    /** Appends the frame written at {@link #next}: {@code length} bytes, with {@code offload} metadata. */
    public void commit(int length, long offload) {
        offloads[count] = offload;
        lengths[count++] = length;
    }

    /** A view of frame {@code i} (allocates a slice object: for tests and cold paths). */
    public MemorySegment frame(int i) {
        return slab.asSlice(offset(i), lengths[i]);
    }
}
