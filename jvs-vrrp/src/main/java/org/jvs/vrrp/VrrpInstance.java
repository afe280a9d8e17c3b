package org.jvs.vrrp;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

import org.jvs.core.time.Clock;

/**
 * The VRRP state machine of one virtual router (RFC 5798 section 6.4, RFC 3768 section 6.4), as pure logic: time
 * comes from an injected {@link Clock}, timers are deadlines the owner fires with {@link #tick()} (at the latest
 * at {@link #nextDeadline()}), and everything the router does goes out through {@link Output}. Tests drive it
 * with a {@code ManualClock}; the daemon drives it from its protocol thread. Not thread-safe.
 *
 * <p>Rules, with keepalived's choices where the RFCs leave room:
 * <ul>
 * <li>Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time; v3 Skew_Time = (256 − priority) ×
 * Master_Adver_Interval / 256 and a backup learns Master_Adver_Interval from the master's adverts; v2 Skew_Time
 * = (256 − priority) / 256 s and the interval is the configured one.</li>
 * <li>Startup: priority 255 (address owner) becomes master at once; otherwise backup, with the master-down timer
 * at Master_Down_Interval, or, for {@code state MASTER}, one advert interval plus the minimum skew
 * (keepalived: enough to hear an existing master).</li>
 * <li>Backup: a priority-0 advert sets the master-down timer to Skew_Time. An advert is accepted (timer reset,
 * master recorded) when preempt is off, or its priority is at least ours, or preempt_delay is running;
 * otherwise it is discarded and the timer runs out. preempt_delay starts at the first lower-priority advert
 * and stops at a higher-or-equal one (keepalived).</li>
 * <li>Master: a higher priority, or an equal priority from a higher primary address, makes us backup. A
 * lower priority (or equal from a lower address) is answered at once with our own advert, which ends a split
 * brain within one round trip (keepalived: "forcing new election"). A priority-0 advert is answered at once.</li>
 * <li>Leaving master for FAULT or STOP sends a priority-0 advert, so the backup takes over after Skew_Time.</li>
 * <li>Becoming master: a gratuitous ARP burst of garp_master_repeat, a second burst garp_master_delay later,
 * and one of garp_master_refresh_repeat every garp_master_refresh while master (0 = never).</li>
 * </ul>
 */
public final class VrrpInstance {

    /** What the router does; called synchronously from the instance's methods. */
    public interface Output {
        /** Send an advertisement now with this priority (0 on shutdown). */
        void sendAdvert(VrrpInstance instance, int priority);

        /** Send {@code repeat} gratuitous ARPs for every virtual address. */
        void sendGratuitousArp(VrrpInstance instance, int repeat);

        /** State changed: becoming MASTER means the addresses go up, leaving it means they go down. */
        void transition(VrrpInstance instance, VrrpState from, VrrpState to, String reason);
    }

    /** No deadline. */
    public static final long NEVER = Long.MAX_VALUE;
    private static final long SECOND = 1_000_000_000L;
    private static final long CENTI = 10_000_000L;

    private VrrpConfig.Instance config;
    private final Clock clock;
    private final Output out;
    private SyncGroup group;

    private VrrpState state = VrrpState.INIT;
    private int primaryAddress;
    private int priorityDelta;
    private boolean ownFault;
    private String faultReason = "";
    private long masterAdverInterval;
    private long adverDeadline = NEVER;
    private long masterDownDeadline = NEVER;
    /** When the master-down timer was last (re)armed by an accepted advert, startup or a transition. */
    private long masterDownArmed;
    private long garpDeadline = NEVER;
    private long refreshDeadline = NEVER;
    /** preempt_delay: when it ends; 0 = not running. */
    private long preemptUntil;
    private boolean preemptRunning;
    private int masterAddress;
    private int masterPriority = -1;

    private long advertsSent;
    private long advertsReceived;
    private long priorityZeroSent;
    private long priorityZeroReceived;
    private long transitions;
    private long becameMaster;
    private final long[] drops = new long[DropReason.values().length];

    public VrrpInstance(VrrpConfig.Instance config, Clock clock, Output out) {
        this.config = Objects.requireNonNull(config);
        this.clock = Objects.requireNonNull(clock);
        this.out = Objects.requireNonNull(out);
        this.masterAdverInterval = intervalNanos(config);
    }

    // --- configuration and inputs ---------------------------------------------------------------------------

    public VrrpConfig.Instance config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /**
     * A reload with the same identity (interface, VRID, version): the state is kept; a new priority or interval
     * shows in the next advert.
     */
    public void reconfigure(VrrpConfig.Instance c) {
        boolean intervalChanged = !c.advertInt().equals(config.advertInt());
        this.config = c;
        if (intervalChanged && (state != VrrpState.BACKUP || c.version() == 2 || masterPriority < 0)) {
            masterAdverInterval = intervalNanos(c);
        }
        if (state == VrrpState.MASTER && intervalChanged) {
            adverDeadline = Math.min(adverDeadline, clock.nanos() + intervalNanos(c));
        }
    }

    /** The address this router sends from and compares on equal priority (the interface's primary address). */
    public void primaryAddress(int address) {
        this.primaryAddress = address;
    }

    public int primaryAddress() {
        return primaryAddress;
    }

    void group(SyncGroup g) {
        this.group = g;
    }

    public SyncGroup group() {
        return group;
    }

    /** The sum of the weights of tracked objects now counting (see {@link VrrpConfig.Track}). */
    public void priorityDelta(int delta) {
        this.priorityDelta = delta;
    }

    public int priorityDelta() {
        return priorityDelta;
    }

    /** The priority in adverts: 255 for the owner, else configured + tracking weights, kept within 1..254. */
    public int effectivePriority() {
        if (config.priority() == 255) {
            return 255;
        }
        return Math.clamp((long) config.priority() + priorityDelta, 1, 254);
    }

    // --- timers ---------------------------------------------------------------------------------------------

    public static long intervalNanos(VrrpConfig.Instance c) {
        return c.version() == 2 ? (c.advertIntCentis() / 100) * SECOND : c.advertIntCentis() * CENTI;
    }

    /** Skew_Time for this router's priority. */
    public long skewNanos() {
        return skew(256 - effectivePriority());
    }

    private long skew(int factor) {
        return config.version() == 2 ? factor * SECOND / 256 : factor * masterAdverInterval / 256;
    }

    /** Master_Down_Interval. */
    public long masterDownIntervalNanos() {
        return 3 * masterAdverInterval + skewNanos();
    }

    /** The interval in effect: our own as master, the master's (learned, v3) otherwise. */
    public long masterAdverIntervalNanos() {
        return state == VrrpState.MASTER ? intervalNanos(config) : masterAdverInterval;
    }

    public long nextDeadline() {
        return switch (state) {
            case MASTER -> Math.min(adverDeadline, Math.min(garpDeadline, refreshDeadline));
            case BACKUP -> masterDownDeadline;
            default -> NEVER;
        };
    }

    public long masterDownDeadline() {
        return masterDownDeadline;
    }

    /** Fires whatever is due. */
    public void tick() {
        long now = clock.nanos();
        if (state == VrrpState.BACKUP && now >= masterDownDeadline) {
            becomeMaster("master-down timer expired: nothing accepted from "
                    + (masterPriority < 0 ? "any master" : Ipv4.format(masterAddress)) + " for "
                    + millis(now - masterDownArmed) + " (Master_Down_Interval " + millis(masterDownIntervalNanos()) + ")");
            return;
        }
        if (state != VrrpState.MASTER) {
            return;
        }
        if (now >= adverDeadline) {
            advert(effectivePriority());
            adverDeadline = now + intervalNanos(config);
        }
        if (now >= garpDeadline) {
            garpDeadline = NEVER;
            out.sendGratuitousArp(this, config.garpMasterRepeat());
        }
        if (now >= refreshDeadline) {
            refreshDeadline = now + config.garpMasterRefresh().toNanos();
            out.sendGratuitousArp(this, config.garpMasterRefreshRepeat());
        }
    }

    // --- events ---------------------------------------------------------------------------------------------

    /** Startup (RFC: Startup event in Initialize). */
    public void start() {
        if (state != VrrpState.INIT && state != VrrpState.STOP) {
            return;
        }
        masterAdverInterval = intervalNanos(config);
        if (faulted()) {
            enterFault(faultText());
            return;
        }
        if (config.addressOwner()) {
            becomeMaster("priority 255: address owner");
            return;
        }
        long now = clock.nanos();
        if (config.state() == VrrpConfig.InitialState.MASTER) {
            masterDownDeadline = now + masterAdverInterval + skew(1);
            masterDownArmed = now;
        } else {
            masterDownDeadline = now + masterDownIntervalNanos();
            masterDownArmed = now;
        }
        change(VrrpState.BACKUP, "startup");
    }

    /** Shutdown: a master sends a priority-0 advert first. */
    public void stop() {
        if (state == VrrpState.STOP) {
            return;
        }
        if (state == VrrpState.MASTER) {
            advert(0);
        }
        clearTimers();
        change(VrrpState.STOP, "shutdown");
    }

    /**
     * Instance-specific validation of a well-formed advert for this VRID ({@link VrrpPacket#check} passed):
     * TTL, version, v2 authentication and interval, unicast/multicast, address list. Returns null to process it
     * ({@link DropReason#ADDRESS_LIST_MISMATCH} is only counted, as keepalived). Counts what it drops.
     */
    public DropReason validate(VrrpPacket p, int ttl, int destination) {
        DropReason r = validateQuietly(p, ttl, destination);
        if (r != null) {
            drops[r.ordinal()]++;
        }
        return r;
    }

    private DropReason validateQuietly(VrrpPacket p, int ttl, int destination) {
        if (ttl != VrrpPacket.TTL) {
            return DropReason.BAD_TTL;
        }
        if (p.version() != config.version()) {
            return DropReason.BAD_VERSION;
        }
        if (config.version() == 2) {
            int expected = config.authentication() == null ? VrrpPacket.AUTH_NONE : VrrpPacket.AUTH_PASS;
            if (p.authType() != expected) {
                return DropReason.AUTH_TYPE_MISMATCH;
            }
            if (expected == VrrpPacket.AUTH_PASS
                    && !java.security.MessageDigest.isEqual(p.authData(), config.authentication().data())) {
                return DropReason.AUTH_MISMATCH;
            }
            if (p.advertIntSeconds() * 100 != config.advertIntCentis()) {
                return DropReason.INTERVAL_MISMATCH;
            }
        }
        if (Ipv4.isMulticast(destination) == config.unicast()) {
            return DropReason.UNICAST_MULTICAST_MISMATCH;
        }
        int[] got = p.addresses();
        int[] want = config.virtualIpaddress().stream().mapToInt(VrrpConfig.VirtualAddress::address).toArray();
        Arrays.sort(got);
        Arrays.sort(want);
        if (!Arrays.equals(got, want)) {
            drops[DropReason.ADDRESS_LIST_MISMATCH.ordinal()]++;
        }
        return null;
    }

    /** Counts a drop decided elsewhere (the daemon's generic checks). */
    public void countDrop(DropReason r) {
        drops[r.ordinal()]++;
    }

    /** A valid advertisement from {@code source} with {@code priority} and interval (centiseconds). */
    public void receive(int priority, int source, int intervalCentis) {
        advertsReceived++;
        if (priority == 0) {
            priorityZeroReceived++;
        }
        long now = clock.nanos();
        switch (state) {
            case BACKUP -> backupReceive(priority, source, intervalCentis, now);
            case MASTER -> masterReceive(priority, source, intervalCentis, now);
            default -> {
                // INIT, FAULT, STOP: adverts do not move us
            }
        }
    }

    private void backupReceive(int priority, int source, int intervalCentis, long now) {
        int mine = effectivePriority();
        if (priority == 0) {
            masterDownDeadline = now + skewNanos();
            masterDownArmed = now;
            masterAddress = source;
            return;
        }
        boolean delaying = config.preemptDelay().isPositive() && (!preemptRunning || now < preemptUntil);
        if (!config.preempt() || priority >= mine || delaying) {
            if (config.version() == 3) {
                masterAdverInterval = intervalCentis * CENTI;
            }
            masterDownDeadline = now + masterDownIntervalNanos();
            masterDownArmed = now;
            masterAddress = source;
            masterPriority = priority;
            if (config.preemptDelay().isPositive()) {
                if (priority >= mine) {
                    preemptRunning = false;
                } else if (!preemptRunning) {
                    preemptRunning = true;
                    preemptUntil = now + config.preemptDelay().toNanos();
                }
            }
        } else {
            // lower priority and we preempt: discard, the master-down timer runs out
            masterAddress = source;
            masterPriority = priority;
        }
    }

    private void masterReceive(int priority, int source, int intervalCentis, long now) {
        int mine = effectivePriority();
        if (priority == 0) {
            advert(mine);
            adverDeadline = now + intervalNanos(config);
            return;
        }
        int cmp = Ipv4.compare(source, primaryAddress);
        if (priority < mine || (priority == mine && cmp < 0)) {
            // a lower-priority master: answer at once so it yields (split brain ends within one round trip)
            advert(mine);
            adverDeadline = now + intervalNanos(config);
            return;
        }
        if (priority > mine || cmp > 0) {
            if (config.version() == 3) {
                masterAdverInterval = intervalCentis * CENTI;
            } else {
                masterAdverInterval = intervalNanos(config);
            }
            masterAddress = source;
            masterPriority = priority;
            clearTimers();
            masterDownDeadline = now + masterDownIntervalNanos();
            masterDownArmed = now;
            String why = priority > mine
                    ? "advert from " + Ipv4.format(source) + " with higher priority " + priority + ", ours " + mine
                    : "advert from " + Ipv4.format(source) + " with equal priority " + priority + " and a higher address";
            change(VrrpState.BACKUP, why);
            return;
        }
        // equal priority from our own address: ignore
    }

    /** Own fault from tracking (weight-0 interface, script or service down). */
    public void fault(boolean on, String reason) {
        if (on == ownFault && (!on || reason.equals(faultReason))) {
            return;
        }
        ownFault = on;
        faultReason = on ? reason : "";
        if (state == VrrpState.INIT || state == VrrpState.STOP) {
            return;
        }
        if (on) {
            if (state != VrrpState.FAULT) {
                enterFault(reason);
            }
        } else if (state == VrrpState.FAULT && !faulted()) {
            leaveFault("fault cleared");
            if (group != null) {
                group.faultCleared(this);
            }
        }
    }

    public boolean ownFault() {
        return ownFault;
    }

    private boolean faulted() {
        return ownFault || (group != null && group.memberFaulted(this));
    }

    private String faultText() {
        return ownFault ? faultReason : "sync group " + group.name() + ": " + group.faultText();
    }

    // --- sync group forcing -----------------------------------------------------------------------------------

    void followMaster(String reason) {
        if (state == VrrpState.BACKUP) {
            becomeMaster(reason);
        }
    }

    void followBackup(String reason) {
        if (state == VrrpState.MASTER) {
            clearTimers();
            masterDownArmed = clock.nanos();
            masterDownDeadline = masterDownArmed + masterDownIntervalNanos();
            change(VrrpState.BACKUP, reason);
        }
    }

    void followFault(String reason) {
        if (state == VrrpState.BACKUP || state == VrrpState.MASTER) {
            enterFault(reason);
        }
    }

    void followFaultCleared(String reason) {
        if (state == VrrpState.FAULT && !faulted()) {
            leaveFault(reason);
        }
    }

    // --- transitions ----------------------------------------------------------------------------------------

    private void becomeMaster(String reason) {
        long now = clock.nanos();
        clearTimers();
        preemptRunning = false;
        change(VrrpState.MASTER, reason);
        if (state != VrrpState.MASTER) {
            return; // a listener moved us on
        }
        advert(effectivePriority());
        adverDeadline = now + intervalNanos(config);
        out.sendGratuitousArp(this, config.garpMasterRepeat());
        garpDeadline = config.garpMasterDelay().isPositive() ? now + config.garpMasterDelay().toNanos() : NEVER;
        refreshDeadline = config.garpMasterRefresh().isPositive() ? now + config.garpMasterRefresh().toNanos() : NEVER;
        becameMaster++;
    }

    private void enterFault(String reason) {
        if (state == VrrpState.MASTER) {
            advert(0);
        }
        clearTimers();
        change(VrrpState.FAULT, reason);
    }

    private void leaveFault(String reason) {
        masterAdverInterval = intervalNanos(config);
        masterDownArmed = clock.nanos();
        masterDownDeadline = masterDownArmed + masterDownIntervalNanos();
        change(VrrpState.BACKUP, reason);
    }

    private void change(VrrpState to, String reason) {
        VrrpState from = state;
        if (from == to) {
            return;
        }
        state = to;
        transitions++;
        out.transition(this, from, to, reason);
        if (group != null) {
            group.memberChanged(this, from, to, reason);
        }
    }

    private void clearTimers() {
        adverDeadline = NEVER;
        masterDownDeadline = NEVER;
        garpDeadline = NEVER;
        refreshDeadline = NEVER;
    }

    private void advert(int priority) {
        advertsSent++;
        if (priority == 0) {
            priorityZeroSent++;
        }
        out.sendAdvert(this, priority);
    }

    private static String millis(long nanos) {
        return nanos / 1_000_000 + " ms";
    }

    // --- observation ----------------------------------------------------------------------------------------

    public VrrpState state() {
        return state;
    }

    /** The master last heard from (0 if none); ours when master. */
    public int masterAddress() {
        return state == VrrpState.MASTER ? primaryAddress : masterAddress;
    }

    public int lastMasterPriority() {
        return masterPriority;
    }

    public boolean preemptDelayRunning() {
        return preemptRunning && clock.nanos() < preemptUntil;
    }

    public InstanceStatus.Counters counters() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            m.put(r, drops[r.ordinal()]);
        }
        return new InstanceStatus.Counters(advertsSent, advertsReceived, priorityZeroSent, priorityZeroReceived,
                transitions, becameMaster, m);
    }

    @Override
    public String toString() {
        return config.name() + "[" + state + ", priority " + effectivePriority() + "]";
    }
}
