package org.jvs.sync;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jvs.core.LoadBalancer;
import org.jvs.core.conn.ConnTable;
import org.jvs.core.conn.SyncQueue;

/**
 * The master sync daemon: takes the entries the data path found due ({@link SyncQueue}, IPVS' threshold and
 * period rules in the connection table), encodes each with its persistence template in front of it, and
 * multicasts a message when it is full or 100 ms after its first record, whichever comes first. One thread;
 * nothing allocated per record or message. Messages go out of {@code mcast_interface} to the group with the
 * configured TTL and multicast loopback off, so a director running a backup daemon too never hears itself.
 */
public final class SyncMaster implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.jvs.sync");
    /** The longest a record waits in a part-filled message (the spec's 100 ms). */
    static final long FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long the thread naps when the queue is empty: bounds the added latency, costs ~200 wake-ups/s. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final int QUEUE_CAPACITY = 1 << 16;

    private final LoadBalancer lb;
    private final SyncConfig.Daemon daemon;
    private final SyncVersion version;
    private final int threshold;
    private final int period;
    private final int maxLen;
    private final SyncQueue queue = new SyncQueue(QUEUE_CAPACITY);
    private final DatagramChannel channel;
    private final InetSocketAddress target;
    private final ByteBuffer buffer;
    private final SyncEncoder encoder = new SyncEncoder();
    private final SyncConn conn = new SyncConn();
    private final Thread thread;
    private volatile boolean running = true;
    private long firstPending;

    private final LongAdder messages = new LongAdder();
    private final LongAdder records = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder sendErrors = new LongAdder();
    private final LongAdder gone = new LongAdder();
    private final LongAdder socketEngine = new LongAdder();
    private final LongAdder unrepresentable = new LongAdder();

    /**
     * Opens the multicast socket and starts the thread; from then on the balancer queues due entries. Fails with a
     * message naming the interface when it does not exist or has no IPv4 multicast.
     */
    public static SyncMaster start(LoadBalancer lb, SyncConfig.Daemon daemon, SyncVersion version, int threshold, int period) throws IOException {
        return new SyncMaster(lb, daemon, version, threshold, period);
    }

    private SyncMaster(LoadBalancer lb, SyncConfig.Daemon daemon, SyncVersion version, int threshold, int period) throws IOException {
        this.lb = lb;
        this.daemon = daemon;
        this.version = version;
        this.threshold = threshold;
        this.period = period;
        this.maxLen = daemon.maxLen() != 0 ? SyncProtocol.clampMaxLen(daemon.maxLen(), true, false) : SyncProtocol.masterMaxLen(false);
        NetworkInterface nif = SyncBackup.networkInterface(daemon.mcastInterface());
        this.channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
            channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, daemon.ttl());
            channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException("sync master on " + daemon.mcastInterface() + ": " + e.getMessage(), e);
        }
        this.target = new InetSocketAddress(daemon.group(), daemon.port());
        this.buffer = ByteBuffer.allocateDirect(maxLen);
        encoder.begin(buffer.clear(), version, daemon.syncId(), maxLen);
        this.thread = Thread.ofPlatform().daemon().name("jvs-sync-master").unstarted(this::run);
        lb.syncMaster(queue, threshold, period);
        thread.start();
        LOG.log(Level.INFO, "sync master: " + describe());
    }

    private void run() {
        while (running) {
            int item = queue.poll();
            if (item == SyncQueue.EMPTY) {
                if (encoder.count() > 0 && System.nanoTime() - firstPending >= FLUSH_NANOS) {
                    flush();
                } else {
                    LockSupport.parkNanos(IDLE_NANOS);
                }
                continue;
            }
            boolean v6 = (item & SyncQueue.V6) != 0;
            int idx = item & ~SyncQueue.V6;
            ConnTable t = lb.connTable(v6);
            if (!t.isLive(idx)) {
                gone.increment();
                continue;
            }
            int template = t.template(idx);
            if (template >= 0) {
                add(t, template);
            }
            add(t, idx);
        }
        if (encoder.count() > 0) {
            flush();
        }
    }

    private void add(ConnTable t, int idx) {
        switch (ConnRecords.fill(conn, lb, t, idx)) {
            case GONE -> {
                gone.increment();
                return;
            }
            case SOCKET_ENGINE -> {
                socketEngine.increment();
                return;
            }
            case OK -> {
            }
        }
        if (!encoder.add(conn)) {
            SyncEncoder.Rejection why = encoder.lastRejection();
            if (why != SyncEncoder.Rejection.NO_ROOM && why != SyncEncoder.Rejection.FULL) {
                unrepresentable.increment(); // v0 and IPv6: the kernel's v0 master skips them too
                return;
            }
            flush();
            if (!encoder.add(conn)) {
                unrepresentable.increment();
                return;
            }
        }
        if (encoder.count() == 1) {
            firstPending = System.nanoTime();
        }
        records.increment();
    }

    private void flush() {
        int len = encoder.finish();
        buffer.position(0).limit(len);
        try {
            channel.send(buffer, target);
            messages.increment();
            bytes.add(len);
        } catch (IOException e) {
            // A down interface or a full socket buffer: the periodic resend carries these entries again.
            if (sendErrors.sum() == 0) {
                LOG.log(Level.WARNING, "sync master: sending to " + target + " on " + daemon.mcastInterface() + ": " + e.getMessage());
            }
            sendErrors.increment();
        }
        encoder.begin(buffer.clear(), version, daemon.syncId(), maxLen);
    }

    /** ipvsadm's {@code -L --daemon} line. */
    public String describe() {
        return "master sync daemon (mcast=" + daemon.mcastInterface() + ", syncid=" + daemon.syncId() + ", maxlen=" + maxLen
                + ", group=" + daemon.group().getHostAddress() + ", port=" + daemon.port() + ", ttl=" + daemon.ttl() + ")";
    }

    public SyncConfig.Daemon daemon() {
        return daemon;
    }

    public SyncVersion version() {
        return version;
    }

    public int maxLen() {
        return maxLen;
    }

    public int threshold() {
        return threshold;
    }

    public int period() {
        return period;
    }

    /** What the master has sent and skipped since it started. */
    public record Counters(long messages, long records, long bytes, long sendErrors, long gone, long socketEngine,
                           long unrepresentable, long queueOverflows) {
    }

    public Counters counters() {
        return new Counters(messages.sum(), records.sum(), bytes.sum(), sendErrors.sum(), gone.sum(), socketEngine.sum(),
                unrepresentable.sum(), queue.overflows());
    }

    /** Stops queueing, sends what is pending, and closes the socket. */
    @Override
    public void close() {
        lb.syncMaster(null, threshold, period);
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "sync master: closing: " + e.getMessage());
        }
        LOG.log(Level.INFO, "sync master stopped: " + counters());
    }

    static void check(NetworkInterface nif, String name) throws SocketException {
        if (!nif.supportsMulticast()) {
            throw new SocketException("interface " + name + " has no multicast");
        }
    }
}
