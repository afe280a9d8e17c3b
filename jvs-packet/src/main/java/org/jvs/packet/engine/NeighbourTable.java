package org.jvs.packet.engine;

import java.util.Arrays;

/**
 * IPv4 address to MAC address, the next hop the engine writes into a frame it forwards to a real server.
 * For now the control plane fills it ({@link #put}); resolving by ARP comes later.
 *
 * <p>Copy-on-write: writers (any thread, serialised) build a new open-addressing table and publish it through
 * a volatile field; {@link #lookup} reads one snapshot, takes no lock and allocates nothing, so a worker may
 * call it for every packet while the control plane changes entries.
 */
public final class NeighbourTable {
    /** {@link #lookup} result when the address has no entry. */
    public static final long NONE = -1L;

    private static final long EMPTY = -1L;

    /** keys[i] and macs[i]; a slot is free when macs[i] == EMPTY. Length a power of two, at most half full. */
    private record Table(int[] keys, long[] macs, int size) {
    }

    private volatile Table table = new Table(new int[8], filled(8), 0);

    /** The MAC (low 48 bits) for {@code address}, or {@link #NONE}. */
    public long lookup(int address) {
        Table t = table;
        int mask = t.keys.length - 1;
        for (int i = hash(address) & mask; ; i = (i + 1) & mask) {
            long mac = t.macs[i];
            if (mac == EMPTY) {
                return NONE;
            }
            if (t.keys[i] == address) {
                return mac;
            }
        }
    }

    /** Adds or replaces the entry for {@code address}; {@code mac} is the low 48 bits. */
    public synchronized void put(int address, long mac) {
        if ((mac >>> 48) != 0) {
            throw new IllegalArgumentException("MAC address must fit 48 bits: " + Long.toHexString(mac));
        }
        Table t = table;
        boolean present = lookup(address) != NONE;
        int size = present ? t.size : t.size + 1;
        int capacity = t.keys.length;
        while (size * 2 > capacity) {
            capacity *= 2;
        }
        int[] keys = new int[capacity];
        long[] macs = filled(capacity);
        for (int i = 0; i < t.keys.length; i++) {
            if (t.macs[i] != EMPTY && t.keys[i] != address) {
                insert(keys, macs, t.keys[i], t.macs[i]);
            }
        }
        insert(keys, macs, address, mac);
        table = new Table(keys, macs, size);
    }

    /** Removes the entry for {@code address}, if any. */
    public synchronized void remove(int address) {
        Table t = table;
        if (lookup(address) == NONE) {
            return;
        }
        int[] keys = new int[t.keys.length];
        long[] macs = filled(t.keys.length);
        for (int i = 0; i < t.keys.length; i++) {
            if (t.macs[i] != EMPTY && t.keys[i] != address) {
                insert(keys, macs, t.keys[i], t.macs[i]);
            }
        }
        table = new Table(keys, macs, t.size - 1);
    }

    public int size() {
        return table.size;
    }

    private static void insert(int[] keys, long[] macs, int address, long mac) {
        int mask = keys.length - 1;
        int i = hash(address) & mask;
        while (macs[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        keys[i] = address;
        macs[i] = mac;
    }

    private static long[] filled(int n) {
        long[] a = new long[n];
        Arrays.fill(a, EMPTY);
        return a;
    }

    private static int hash(int address) {
        int h = address * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
