package org.jvs.proxy.http.sched;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real server as the layer-7 schedulers see it: its load in request units (the thesis' {@code n.conns}:
 * requests in flight, a dynamic one counting 2), its weight and its thresholds {@code low}/{@code high}
 * (thesis defaults 30 and 60). The engine {@link #begin begins} and {@link #end ends} each request.
 *
 * @param index position in the service's server list, 0..63 (the bit in a target's server set)
 */
public final class L7Server {

    public static final int DEFAULT_LOW = 30;
    public static final int DEFAULT_HIGH = 60;
    public static final int MAX_SERVERS = 64;

    private final int index;
    private final String name;
    private final int low;
    private final int high;
    private final AtomicInteger conns = new AtomicInteger();
    private volatile int weight;
    /** The core's server whose weight this one follows, or null (then {@link #weight(int)} sets it). */
    private final org.jvs.core.Dest dest;

    public L7Server(int index, String name, int weight, int low, int high) {
        this(index, name, weight, low, high, null);
    }

    /**
     * A server that follows {@code dest}: the weight health checks, dynamic feedback and {@code jvsadm -e}
     * give the core's server is read on every pick, so a failed server leaves at once, with no copy to sync.
     */
    public L7Server(int index, String name, int weight, int low, int high, org.jvs.core.Dest dest) {
        if (index < 0 || index >= MAX_SERVERS) {
            throw new IllegalArgumentException("a layer-7 service has at most " + MAX_SERVERS + " servers");
        }
        if (low < 0 || high <= low) {
            throw new IllegalArgumentException("server " + name + ": thresholds need 0 <= low < high (got " + low + ", " + high + ")");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("server " + name + ": weight must be >= 0");
        }
        this.index = index;
        this.name = name;
        this.weight = weight;
        this.low = low;
        this.high = high;
        this.dest = dest;
    }

    public L7Server(int index, String name, int weight) {
        this(index, name, weight, DEFAULT_LOW, DEFAULT_HIGH);
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    public int low() {
        return low;
    }

    public int high() {
        return high;
    }

    public int weight() {
        org.jvs.core.Dest d = dest;
        if (d != null) {
            return d.isUsable() ? d.weight() : 0;
        }
        return weight;
    }

    public org.jvs.core.Dest dest() {
        return dest;
    }

    /** Health checks and dynamic feedback set it; 0 takes the server out of scheduling. */
    public void weight(int w) {
        if (w < 0) {
            throw new IllegalArgumentException("weight must be >= 0");
        }
        if (dest != null) {
            throw new IllegalStateException("server " + name + " follows the director's weight; change it there");
        }
        weight = w;
    }

    public boolean usable() {
        return weight() > 0;
    }

    public int conns() {
        return conns.get();
    }

    public long bit() {
        return 1L << index;
    }

    /** A request starts on this server: {@code units} is 2 for a dynamic request, 1 for a static one. */
    public void begin(int units) {
        conns.addAndGet(units);
    }

    public void end(int units) {
        conns.addAndGet(-units);
    }

    @Override
    public String toString() {
        return name + "(w" + weight() + ", " + conns.get() + ")";
    }
}
