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
    private final java.util.Set<Integer> idleOnce = new java.util.HashSet<>();
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

    /**
     * Frees ids of retired dests that no connection or template references any more. An id is freed only
     * when its dest was found idle on two rounds in a row (a second apart): a data-plane thread that
     * scheduled it just before its removal has long finished binding its connection by then.
     */
    void reclaim() {
        Dest[] a = byId;
        for (int i = 0; i < nextId; i++) {
            Dest d = a[i];
            if (d == null || d.isAvailable()) {
                continue;
            }
            boolean idle = d.activeConns() == 0 && d.inactiveConns() == 0 && d.persistentConns() == 0;
            if (idle && idleOnce.contains(i)) {
                a[i] = null;
                idleOnce.remove(i);
                freeIds.add(i);
            } else if (idle) {
                idleOnce.add(i);
            } else {
                idleOnce.remove(i);
            }
        }
    }

    /** Retired dests still held for their connections (ipvsadm's "trash"), in id order. Any thread. */
    java.util.List<Dest> retired() {
        java.util.List<Dest> out = new java.util.ArrayList<>();
        for (Dest d : byId) {
            if (d != null && !d.isAvailable()) {
                out.add(d);
            }
        }
        return out;
    }
}
