package org.jvs.core;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Dests by small integer id, so a connection entry stores 4 bytes instead of a reference. A removed dest
 * keeps its id (like IPVS' trash list) until no connection or template refers to it any more; only then
 * is the id reused. Written by the control thread; read by any thread through a volatile array.
 */
public final class DestRegistry {
    private volatile Dest[] byId = new Dest[64];
    private final ArrayDeque<Integer> freeIds = new ArrayDeque<>();
    private int nextId;

    /** The dest with this id, or null. Data-plane safe. */
    public Dest get(int id) {
        Dest[] a = byId;
        return id >= 0 && id < a.length ? a[id] : null;
    }

    int allocate() {
        Integer id = freeIds.poll();
        if (id != null) {
            return id;
        }
        int i = nextId++;
        if (i >= byId.length) {
            byId = Arrays.copyOf(byId, byId.length * 2);
        }
        return i;
    }

    void put(Dest d) {
        byId[d.id()] = d;
    }

    /** Frees ids of retired dests that no connection or template references any more. */
    void reclaim() {
        Dest[] a = byId;
        for (int i = 0; i < nextId; i++) {
            Dest d = a[i];
            if (d != null && !d.isAvailable() && d.activeConns() == 0 && d.inactiveConns() == 0 && d.persistentConns() == 0) {
                a[i] = null;
                freeIds.add(i);
            }
        }
    }

    /** Retired dests still held for their connections (ipvsadm's "trash"). */
    int retiredCount() {
        int n = 0;
        for (Dest d : byId) {
            if (d != null && !d.isAvailable()) {
                n++;
            }
        }
        return n;
    }
}
