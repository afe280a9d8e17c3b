package org.jvs.core.defense;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jvs.core.model.ConfigException;

/**
 * The three DoS defense strategies of IPVS (thesis 5.2.9; the {@code drop_entry}, {@code drop_packet},
 * {@code secure_tcp}, {@code amemthresh} and {@code am_droprate} sysctls) and their memory-driven switching.
 *
 * <p>Each strategy has a mode: 0 off; 1 automatic, armed but idle; 2 automatic and active because available
 * memory fell below the threshold (goes back to 1 when it recovers); 3 always active. Like the kernel sysctl,
 * a mode set to 1 reads back as 2 while memory is low. Transitions happen in {@link #update()}, which
 * housekeeping calls once a second, and right after every setter (as the kernel's sysctl handler does), so a
 * new setting takes effect at once.
 *
 * <ul>
 *   <li>drop_entry: {@link #dropEntryActive()} tells the connection table's housekeeping to drop entries at
 *       random (SYN_RECV first) to make room.
 *   <li>drop_packet: {@link #shouldDropPacket()} refuses 1 in {@code rate} connection-creating packets. In
 *       automatic mode {@code rate = threshold / (threshold - available)}: 1 (drop all) when memory is gone,
 *       growing as memory approaches the threshold. In mode 3 the rate is {@code am_droprate}.
 *   <li>secure_tcp: {@link #secureTcpActive()} selects the secure transition tables and timeouts.
 * </ul>
 *
 * <p>Threads: the housekeeping thread calls {@link #update()}, the control thread the setters (both serialised
 * by a private lock, held only for a few field writes); data-plane threads call the three queries, which read
 * volatile fields and, for packet dropping, count down an {@link AtomicInteger}: no lock, no allocation.
 *
 * <p>An available-memory figure below zero means "unknown" (e.g. /proc/meminfo unreadable) and is treated as
 * enough memory: a broken probe must not start dropping traffic.
 */
public final class DefenseState {
    public static final int MODE_OFF = 0;
    public static final int MODE_AUTO = 1;
    public static final int MODE_AUTO_ACTIVE = 2;
    public static final int MODE_ALWAYS = 3;

    /** am_droprate default of IPVS. */
    public static final int DEFAULT_AM_DROPRATE = 10;
    /** The unit of amemthresh: the kernel counts it in pages of 4 KiB. */
    public static final long PAGE_BYTES = 4096;
    /** amemthresh default of IPVS: 1024 pages of 4 KiB. */
    public static final long DEFAULT_THRESHOLD_BYTES = 1024L * PAGE_BYTES;

    private final LongSupplier availableMemoryBytes;
    private final Object lock = new Object();

    // Settings and the memory figure: written under lock, volatile for the getters.
    private volatile int dropEntryMode;
    private volatile int dropPacketMode;
    private volatile int secureTcpMode;
    private volatile long threshold;
    private volatile int amDropRate = DEFAULT_AM_DROPRATE;
    private volatile long available = -1;

    // What the data plane reads.
    private volatile boolean dropEntry;
    private volatile boolean secureTcp;
    private volatile int dropRate;
    private final AtomicInteger dropCountdown = new AtomicInteger();

    /**
     * All strategies off. {@code availableMemoryBytes} is called once per setter and once per
     * {@link #update()} while a strategy is automatic, never on the data plane; in production {@link AvailableMemory#fromProcMeminfo()}.
     *
     * @throws ConfigException if the threshold is negative
     */
    public DefenseState(LongSupplier availableMemoryBytes, long thresholdBytes) {
        checkThreshold(thresholdBytes);
        this.availableMemoryBytes = availableMemoryBytes;
        this.threshold = thresholdBytes;
    }

    /**
     * Re-reads available memory and applies the mode transitions (IPVS update_defense_level). Memory is read
     * only while some strategy is automatic (mode 1 or 2): modes 0 and 3 do not depend on it, and reading
     * /proc/meminfo costs 0.1–0.8 ms on the housekeeping thread, which shares a core with the data plane.
     */
    public void update() {
        long avail = anyAutomatic() ? availableMemoryBytes.getAsLong() : available; // outside the lock: a file read
        synchronized (lock) {
            apply(avail);
        }
    }

    private boolean anyAutomatic() {
        return automatic(dropEntryMode) || automatic(dropPacketMode) || automatic(secureTcpMode);
    }

    private static boolean automatic(int mode) {
        return mode == MODE_AUTO || mode == MODE_AUTO_ACTIVE;
    }

    // ---- data plane ------------------------------------------------------------------------------------

    /** Whether housekeeping should drop connection entries at random to free memory. */
    public boolean dropEntryActive() {
        return dropEntry;
    }

    /** Whether the secure_tcp transition tables and timeouts are in force. */
    public boolean secureTcpActive() {
        return secureTcp;
    }

    /**
     * Asked for each packet that would create a connection: true for exactly one in every {@code rate} calls
     * while a drop rate is in force (the {@code rate}-th, 2·{@code rate}-th, ... call), false otherwise.
     * Every call is one successful compare-and-set on the countdown, so the one-in-{@code rate} count holds
     * across threads too.
     */
    public boolean shouldDropPacket() {
        int r = dropRate;
        if (r <= 0) {
            return false;
        }
        for (;;) {
            int c = dropCountdown.get();
            if (c > 1) {
                if (dropCountdown.compareAndSet(c, c - 1)) {
                    return false;
                }
            } else if (dropCountdown.compareAndSet(c, r)) {
                return true;
            }
        }
    }

    // ---- settings ---------------------------------------------------------------------------------------

    public void setDropEntryMode(int mode) {
        checkMode("drop_entry", mode);
        set(() -> dropEntryMode = mode);
    }

    public void setDropPacketMode(int mode) {
        checkMode("drop_packet", mode);
        set(() -> dropPacketMode = mode);
    }

    public void setSecureTcpMode(int mode) {
        checkMode("secure_tcp", mode);
        set(() -> secureTcpMode = mode);
    }

    /** amemthresh, in bytes; 0 means memory is never low. */
    public void setThreshold(long bytes) {
        checkThreshold(bytes);
        set(() -> threshold = bytes);
    }

    /** am_droprate: drop 1 in this many connection-creating packets in drop_packet mode 3. */
    public void setAmDropRate(int rate) {
        if (rate < 1) {
            throw new ConfigException("am_droprate " + rate + " out of range 1.." + Integer.MAX_VALUE
                    + " (to stop dropping packets set drop_packet to 0)");
        }
        set(() -> amDropRate = rate);
    }

    public int dropEntryMode() {
        return dropEntryMode;
    }

    public int dropPacketMode() {
        return dropPacketMode;
    }

    public int secureTcpMode() {
        return secureTcpMode;
    }

    public long threshold() {
        return threshold;
    }

    public int amDropRate() {
        return amDropRate;
    }

    /** The drop rate in force: 0 when no packets are dropped, else one in this many. */
    public int dropRate() {
        return dropRate;
    }

    /**
     * The available memory seen by the last update that read it, in bytes; negative if unknown or not read
     * yet. Updates read it only while a strategy is automatic; every setter reads it.
     */
    public long availableMemory() {
        return available;
    }

    @Override
    public String toString() {
        return "DefenseState[drop_entry=" + dropEntryMode + ", drop_packet=" + dropPacketMode + ", secure_tcp="
                + secureTcpMode + ", amemthresh=" + threshold + ", am_droprate=" + amDropRate + ", available="
                + available + ", drop_rate=" + dropRate + "]";
    }

    // ---- internals --------------------------------------------------------------------------------------

    private void set(Runnable change) {
        long avail = availableMemoryBytes.getAsLong();
        synchronized (lock) {
            change.run();
            apply(avail);
        }
    }

    /** Caller holds {@link #lock}. */
    private void apply(long avail) {
        available = avail;
        long thresh = threshold;
        boolean low = avail >= 0 && avail < thresh;

        dropEntryMode = transition(dropEntryMode, low);
        dropEntry = active(dropEntryMode);

        dropPacketMode = transition(dropPacketMode, low);
        int rate = switch (dropPacketMode) {
            case MODE_AUTO_ACTIVE -> autoRate(thresh, avail);
            case MODE_ALWAYS -> amDropRate;
            default -> 0;
        };
        if (rate != dropRate) {
            // Countdown first, then the rate: a data-plane thread that sees the new rate sees a full countdown.
            dropCountdown.set(rate);
            dropRate = rate;
        }

        secureTcpMode = transition(secureTcpMode, low);
        secureTcp = active(secureTcpMode);
    }

    /** Automatic modes follow memory (1 -> 2 when low, 2 -> 1 when recovered); 0 and 3 never move. */
    private static int transition(int mode, boolean low) {
        return switch (mode) {
            case MODE_AUTO, MODE_AUTO_ACTIVE -> low ? MODE_AUTO_ACTIVE : MODE_AUTO;
            default -> mode;
        };
    }

    private static boolean active(int mode) {
        return mode == MODE_AUTO_ACTIVE || mode == MODE_ALWAYS;
    }

    /** threshold / (threshold - available), at least 1; only called when available < threshold. */
    static int autoRate(long threshold, long available) {
        long r = threshold / (threshold - available);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, r));
    }

    private static void checkMode(String name, int mode) {
        if (mode < MODE_OFF || mode > MODE_ALWAYS) {
            throw new ConfigException(name + " mode " + mode
                    + " out of range 0..3 (0 off, 1 automatic, 2 automatic and active, 3 always)");
        }
    }

    private static void checkThreshold(long bytes) {
        if (bytes < 0) {
            throw new ConfigException("amemthresh " + bytes + " bytes must not be negative");
        }
    }
}
