package org.jvs.core;

import java.util.Collection;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.sched.Flow;

/**
 * The data plane's view of the services: an immutable open-addressing table the control thread rebuilds
 * and publishes on every change, so a per-packet lookup is a few array reads and no lock. Lookup order as
 * IPVS: firewall mark first, then (protocol, address, port), then the port-0 catch-all of that address.
 */
final class ServiceTable {
    static final ServiceTable EMPTY = build(java.util.List.of());

    private final int[] meta;
    private final long[] hi;
    private final long[] lo;
    private final Service[] byAddress;
    private final int mask;
    private final long[] marks;
    private final Service[] byMark;
    private final int markMask;

    private ServiceTable(int size) {
        int n = tableSize(size);
        meta = new int[n];
        hi = new long[n];
        lo = new long[n];
        byAddress = new Service[n];
        mask = n - 1;
        marks = new long[n];
        byMark = new Service[n];
        markMask = n - 1;
    }

    private static int tableSize(int entries) {
        return Integer.highestOneBit(Math.max(8, entries * 4) - 1) << 1;
    }

    static ServiceTable build(Collection<Service> services) {
        ServiceTable t = new ServiceTable(services.size());
        for (Service s : services) {
            switch (s.key()) {
                case ServiceKey.Virtual v -> t.putAddress(v.protocol().number(), v.address().v6(), v.address().hi(), v.address().lo(), v.port(), s);
                case ServiceKey.Fwmark m -> t.putMark(markKey(m.mark(), m.v6()), s);
            }
        }
        return t;
    }

    /** Packs protocol, port and family; bit 0 marks a used slot. */
    private static int metaOf(int proto, boolean v6, int port) {
        return (proto << 18) | (port << 2) | (v6 ? 2 : 0) | 1;
    }

    private static int slot(int m, long h, long l) {
        long x = (h * 0x9E3779B97F4A7C15L) ^ l ^ ((long) m << 29);
        x ^= x >>> 31;
        x *= 0xBF58476D1CE4E5B9L;
        x ^= x >>> 29;
        return (int) x;
    }

    /** A mark is 32 bits; the family goes above them, so IPv4 and IPv6 marks never meet. */
    private static long markKey(int mark, boolean v6) {
        return (v6 ? 1L << 32 : 0) | (mark & 0xFFFF_FFFFL);
    }

    private static int markSlot(long key) {
        long x = key * 0x9E3779B97F4A7C15L;
        return (int) (x ^ (x >>> 32));
    }

    private void putAddress(int proto, boolean v6, long h, long l, int port, Service s) {
        int m = metaOf(proto, v6, port);
        int i = slot(m, h, l) & mask;
        while (meta[i] != 0) {
            i = (i + 1) & mask;
        }
        meta[i] = m;
        hi[i] = h;
        lo[i] = l;
        byAddress[i] = s;
    }

    private void putMark(long key, Service s) {
        int i = markSlot(key) & markMask;
        while (byMark[i] != null) {
            i = (i + 1) & markMask;
        }
        marks[i] = key;
        byMark[i] = s;
    }

    Service lookup(Flow f) {
        if (f.fwmark != 0) {
            Service s = byMark(markKey(f.fwmark, f.v6));
            if (s != null) {
                return s;
            }
        }
        Service s = byAddress(metaOf(f.protocol, f.v6, f.dstPort), f.dstHi, f.dstLo);
        if (s == null && f.dstPort != 0) {
            s = byAddress(metaOf(f.protocol, f.v6, 0), f.dstHi, f.dstLo);
        }
        return s;
    }

    private Service byAddress(int m, long h, long l) {
        for (int i = slot(m, h, l) & mask; meta[i] != 0; i = (i + 1) & mask) {
            if (meta[i] == m && hi[i] == h && lo[i] == l) {
                return byAddress[i];
            }
        }
        return null;
    }

    private Service byMark(long key) {
        for (int i = markSlot(key) & markMask; byMark[i] != null; i = (i + 1) & markMask) {
            if (marks[i] == key) {
                return byMark[i];
            }
        }
        return null;
    }
}
