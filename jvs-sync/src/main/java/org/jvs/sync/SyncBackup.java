package org.jvs.sync;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.jvs.core.LoadBalancer;

/**
 * The backup sync daemon: joins the sync group on {@code mcast_interface}, decodes every message (v0 and v1, as
 * the kernel tells them apart), keeps only its sync ID's (all with sync ID 0, as IPVS does), and creates or
 * updates each connection and template in the director's table with the master's state and timeout, bound to
 * this director's own service and real server. A record for a service or server this director does not have is
 * counted and dropped, never guessed. One thread; a malformed message is counted by its reason and dropped
 * without touching the table.
 */
public final class SyncBackup implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.jvs.sync");

    private final LoadBalancer lb;
    private final SyncConfig.Daemon daemon;
    private final int maxLen;
    private final DatagramChannel channel;
    private final MembershipKey membership;
    private final ByteBuffer buffer;
    private final SyncDecoder decoder = new SyncDecoder();
    private final Thread thread;
    private volatile boolean running = true;
    private final Map<LoadBalancer.SyncOutcome, LongAdder> outcomes = new EnumMap<>(LoadBalancer.SyncOutcome.class);
    private final LongAdder datagrams = new LongAdder();

    public static SyncBackup start(LoadBalancer lb, SyncConfig.Daemon daemon) throws IOException {
        return new SyncBackup(lb, daemon);
    }

    private SyncBackup(LoadBalancer lb, SyncConfig.Daemon daemon) throws IOException {
        this.lb = lb;
        this.daemon = daemon;
        for (LoadBalancer.SyncOutcome o : LoadBalancer.SyncOutcome.values()) {
            outcomes.put(o, new LongAdder());
        }
        NetworkInterface nif = networkInterface(daemon.mcastInterface());
        this.maxLen = daemon.maxLen() != 0 ? SyncProtocol.clampMaxLen(daemon.maxLen(), false, false)
                : SyncProtocol.backupMaxLen(nif.getMTU(), false);
        this.channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            // Bound to the group, so only the group's datagrams to this port arrive, not unicast ones.
            channel.bind(new InetSocketAddress(daemon.group(), daemon.port()));
            this.membership = channel.join(daemon.group(), nif);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException("sync backup on " + daemon.mcastInterface() + ", group " + daemon.group().getHostAddress()
                    + ":" + daemon.port() + ": " + e.getMessage(), e);
        }
        // One byte more than a message may be: a longer datagram shows as oversized instead of silently cut.
        this.buffer = ByteBuffer.allocateDirect(maxLen + 1);
        this.thread = Thread.ofPlatform().daemon().name("jvs-sync-backup").unstarted(this::run);
        thread.start();
        LOG.log(Level.INFO, "sync backup: " + describe());
    }

    static NetworkInterface networkInterface(String name) throws IOException {
        NetworkInterface nif;
        try {
            nif = NetworkInterface.getByName(name);
        } catch (SocketException e) {
            throw new IOException("sync daemon: interface " + name + ": " + e.getMessage(), e);
        }
        if (nif == null) {
            throw new IOException("sync daemon: no interface named " + name);
        }
        SyncMaster.check(nif, name);
        return nif;
    }

    private void run() {
        int expected = daemon.syncId() == 0 ? SyncDecoder.ANY_SYNC_ID : daemon.syncId();
        while (running) {
            try {
                buffer.clear();
                if (channel.receive(buffer) == null) {
                    continue;
                }
                buffer.flip();
                datagrams.increment();
                decoder.decode(buffer, expected, this::apply);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "sync backup: receive: " + e.getMessage());
            } catch (RuntimeException e) {
                // Nothing a master sends may stop the backup: log it and take the next message.
                LOG.log(Level.ERROR, "sync backup: applying a message failed", e);
            }
        }
    }

    private void apply(SyncConn c) {
        LoadBalancer.SyncOutcome o = lb.applySynced(c.v6(), c.protocol(), c.caddrHi(), c.caddrLo(), c.cport(),
                c.vaddrHi(), c.vaddrLo(), c.vport(), c.daddrHi(), c.daddrLo(), c.dport(), c.fwmark(), c.template(),
                c.template() ? 0 : c.state(), (int) Math.min(Integer.MAX_VALUE, c.timeout()));
        outcomes.get(o).increment();
    }

    /** ipvsadm's {@code -L --daemon} line. */
    public String describe() {
        return "backup sync daemon (mcast=" + daemon.mcastInterface() + ", syncid=" + daemon.syncId() + ", maxlen=" + maxLen
                + ", group=" + daemon.group().getHostAddress() + ", port=" + daemon.port() + ", ttl=" + daemon.ttl() + ")";
    }

    public SyncConfig.Daemon daemon() {
        return daemon;
    }

    public int maxLen() {
        return maxLen;
    }

    /** The decoder's counters: messages by version, accepted, dropped by reason. */
    public SyncStats stats() {
        return decoder.stats();
    }

    public long datagrams() {
        return datagrams.sum();
    }

    /** Records applied, and refused because this director has no such service or server, or a full table. */
    public long outcome(LoadBalancer.SyncOutcome o) {
        return outcomes.get(o).sum();
    }

    @Override
    public void close() {
        running = false;
        try {
            membership.drop();
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "sync backup: closing: " + e.getMessage());
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.log(Level.INFO, "sync backup stopped: " + datagrams.sum() + " datagrams, " + outcome(LoadBalancer.SyncOutcome.APPLIED) + " records applied");
    }
}
