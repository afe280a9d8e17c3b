package org.jvs.director;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jvs.cli.IpvsadmCommand;
import org.jvs.cli.JsonWriter;
import org.jvs.cli.SyncControl;
import org.jvs.core.model.ConfigException;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ServiceKey;
import org.jvs.director.config.DirectorConfig;
import org.jvs.sync.SyncConfig;
import org.jvs.sync.SyncDaemons;
import org.jvs.sync.SyncVersion;
import org.jvs.vrrp.InstanceStatus;
import org.jvs.vrrp.KernelVipHandler;
import org.jvs.vrrp.VipHandler;
import org.jvs.vrrp.VrrpConfig;
import org.jvs.vrrp.VrrpDaemon;

/**
 * The director's half of high availability: its connection sync daemons ({@code sync:}, {@code jvsadm
 * --start-daemon}) and its VRRP instances ({@code vrrp:}). Virtual addresses that are VIPs of packet-engine
 * services move by telling the engine to answer ARP for them or hold them back; every other virtual address
 * (a socket-engine VIP, the NAT real servers' gateway) is added to and removed from the kernel's interface, as
 * keepalived does. Gratuitous ARP goes out for both with keepalived's delay and repeat rules. A service named in
 * {@code track_service} counts as failed while its health-check quorum is lost (polled every second).
 */
final class Failover implements SyncControl, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.jvs.director");

    private final Director director;
    private final SyncDaemons sync;
    private VrrpDaemon vrrp;
    private volatile Map<String, ServiceKey> serviceNames = Map.of();
    /** Packet-engine VIPs (as ints) that VRRP holds back right now. */
    private final TreeSet<Integer> held = new TreeSet<>();

    Failover(Director director) {
        this.director = director;
        this.sync = new SyncDaemons(director.loadBalancer());
    }

    /** The VIPs a packet engine starting now must hold back: every packet-engine VIP some VRRP instance carries. */
    static int[] initiallyHeld(DirectorConfig config) {
        TreeSet<Integer> engineVips = engineVips(config);
        TreeSet<Integer> out = new TreeSet<>();
        for (VrrpConfig.Instance i : config.vrrp().instances()) {
            for (VrrpConfig.VirtualAddress a : i.virtualIpaddress()) {
                if (engineVips.contains(a.address())) {
                    out.add(a.address());
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static TreeSet<Integer> engineVips(DirectorConfig config) {
        TreeSet<Integer> vips = new TreeSet<>();
        if (config.packet() == null) {
            return vips;
        }
        for (DirectorConfig.Service s : config.services()) {
            if (s.spec().engine() == Engine.PACKET && s.spec().key() instanceof ServiceKey.Virtual v && !v.v6()) {
                vips.add(v.address().v4Int());
            }
        }
        return vips;
    }

    /** At start and on every reload: the file's sync daemons and VRRP instances. */
    synchronized void configure(DirectorConfig config) throws IOException {
        Map<String, ServiceKey> names = new HashMap<>();
        for (DirectorConfig.Service s : config.services()) {
            if (s.name() != null) {
                names.put(s.name(), s.spec().key());
            }
        }
        serviceNames = names;
        sync.apply(config.sync());
        VrrpConfig vc = config.vrrp();
        if (vrrp == null && !vc.instances().isEmpty()) {
            for (int v : initiallyHeld(config)) {
                held.add(v);
            }
            vrrp = new VrrpDaemon(vc, VrrpDaemon.Options.defaults().withVipHandler(new DirectorVips(engineVips(config))));
            trackServices();
            vrrp.start();
        } else if (vrrp != null && vc.instances().isEmpty()) {
            vrrp.close();
            vrrp = null;
        } else if (vrrp != null) {
            vrrp.apply(vc);
        }
    }

    /** Once a second (housekeeping): feeds each tracked service's quorum to VRRP. */
    void tick() {
        VrrpDaemon v = vrrp;
        if (v != null) {
            trackServices();
        }
    }

    private void trackServices() {
        var health = director.health().view();
        for (VrrpConfig.Instance i : vrrp.config().instances()) {
            for (VrrpConfig.Track t : i.trackService()) {
                ServiceKey k = serviceNames.get(t.name());
                boolean up = k != null && director.loadBalancer().service(k) != null;
                if (up) {
                    var sh = health.service(k);
                    up = sh == null || sh.quorumUp();
                }
                vrrp.setTrackedService(t.name(), up);
            }
        }
    }

    List<InstanceStatus> vrrpStatus() {
        VrrpDaemon v = vrrp;
        return v == null ? List.of() : v.status();
    }

    SyncDaemons syncDaemons() {
        return sync;
    }

    // ---- jvsadm --start-daemon / --stop-daemon / -L --daemon ---------------------------------------------

    @Override
    public void start(IpvsadmCommand.StartDaemon c) {
        try {
            SyncConfig.Daemon d = new SyncConfig.Daemon(SyncConfig.Role.parse(c.state()), c.mcastInterface(), c.syncId(), c.maxLen(),
                    c.group() == null ? null : c.group().toInetAddress(), c.port(), c.ttl());
            if (c.version() >= 0) {
                SyncConfig now = sync.config();
                sync.apply(new SyncConfig(c.version() == 0 ? SyncVersion.V0 : SyncVersion.V1, now.threshold(), now.period(), now.daemons()));
            }
            sync.start(d);
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    @Override
    public void stop(IpvsadmCommand.StopDaemon c) {
        try {
            sync.stop(SyncConfig.Role.parse(c.state()));
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    @Override
    public String listing() {
        return sync.listing();
    }

    @Override
    public String json() {
        JsonWriter w = new JsonWriter().beginObject().name("daemons").beginArray();
        var m = sync.master();
        if (m != null) {
            var k = m.counters();
            w.beginObject().name("state").value("master").name("mcast_interface").value(m.daemon().mcastInterface())
                    .name("syncid").value(m.daemon().syncId()).name("maxlen").value(m.maxLen())
                    .name("group").value(m.daemon().group().getHostAddress()).name("port").value(m.daemon().port())
                    .name("ttl").value(m.daemon().ttl()).name("version").value(m.version().number())
                    .name("messages").value(k.messages()).name("records").value(k.records()).name("bytes").value(k.bytes())
                    .name("send_errors").value(k.sendErrors()).name("queue_overflows").value(k.queueOverflows())
                    .endObject();
        }
        var b = sync.backup();
        if (b != null) {
            var st = b.stats();
            w.beginObject().name("state").value("backup").name("mcast_interface").value(b.daemon().mcastInterface())
                    .name("syncid").value(b.daemon().syncId()).name("maxlen").value(b.maxLen())
                    .name("group").value(b.daemon().group().getHostAddress()).name("port").value(b.daemon().port())
                    .name("datagrams").value(b.datagrams()).name("messages").value(st.messages())
                    .name("dropped").value(st.dropped()).name("applied").value(b.outcome(org.jvs.core.LoadBalancer.SyncOutcome.APPLIED))
                    .name("no_service").value(b.outcome(org.jvs.core.LoadBalancer.SyncOutcome.NO_SERVICE))
                    .name("no_dest").value(b.outcome(org.jvs.core.LoadBalancer.SyncOutcome.NO_DEST))
                    .endObject();
        }
        return w.endArray().endObject().toString();
    }

    @Override
    public synchronized void close() {
        if (vrrp != null) {
            vrrp.close(); // priority-0 adverts: the backup takes over after its skew time, not three intervals
            vrrp = null;
        }
        sync.close();
    }

    /** Engine VIPs through the packet engine, the rest on the kernel's interfaces. */
    private final class DirectorVips implements VipHandler {
        private final TreeSet<Integer> engineVips;
        private final KernelVipHandler kernel = new KernelVipHandler();

        DirectorVips(TreeSet<Integer> engineVips) {
            this.engineVips = engineVips;
        }

        @Override
        public void open(VrrpConfig config) {
            kernel.open(config);
        }

        @Override
        public void up(VrrpConfig.Instance instance, List<VrrpConfig.VirtualAddress> addresses) {
            kernel.up(instance, kernelOnes(addresses));
            move(addresses, false);
        }

        @Override
        public void down(VrrpConfig.Instance instance, List<VrrpConfig.VirtualAddress> addresses) {
            move(addresses, true);
            kernel.down(instance, kernelOnes(addresses));
        }

        @Override
        public void announce(VrrpConfig.Instance instance, List<VrrpConfig.VirtualAddress> addresses, int repeat) {
            kernel.announce(instance, addresses, repeat);
        }

        @Override
        public void close() {
            kernel.close();
        }

        private List<VrrpConfig.VirtualAddress> kernelOnes(List<VrrpConfig.VirtualAddress> addresses) {
            List<VrrpConfig.VirtualAddress> out = new ArrayList<>();
            for (VrrpConfig.VirtualAddress a : addresses) {
                if (!engineVips.contains(a.address())) {
                    out.add(a);
                }
            }
            return out;
        }

        private void move(List<VrrpConfig.VirtualAddress> addresses, boolean hold) {
            boolean changed = false;
            synchronized (held) {
                for (VrrpConfig.VirtualAddress a : addresses) {
                    if (engineVips.contains(a.address())) {
                        changed |= hold ? held.add(a.address()) : held.remove(a.address());
                    }
                }
                if (!changed) {
                    return;
                }
                int[] now = held.stream().mapToInt(Integer::intValue).toArray();
                for (DataPlane p : director.planes()) {
                    if (p instanceof PacketPlane pp) {
                        pp.engine().hold(now);
                        LOG.log(Level.INFO, "packet engine: VRRP " + (hold ? "holds back " : "releases ") + addresses);
                    }
                }
            }
        }
    }
}
