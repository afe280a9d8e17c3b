package org.jvs.director;

import java.lang.System.Logger.Level;
import java.time.Duration;
import org.jvs.packet.engine.EngineConfig;
import org.jvs.packet.engine.PacketEngine;

/**
 * The packet engine as one of the director's data planes, run only when the configuration has a {@code packet:}
 * section. It forwards with the director's own {@link org.jvs.core.LoadBalancer}, so {@code jvsadm -L} and its
 * statistics show the engine's connections like any other. Starting opens the AF_PACKET sockets first: without
 * CAP_NET_RAW the director refuses to start and says why.
 */
final class PacketPlane implements DataPlane {
    private static final System.Logger LOG = System.getLogger("org.jvs.director");
    /** Workers notice a stop within their poll timeout (100 ms); this bounds the join whatever the drain time. */
    private static final Duration STOP_BOUND = Duration.ofSeconds(5);

    private final PacketEngine engine;
    private final Director director;

    PacketPlane(Director director, EngineConfig config, int[] held) {
        this.director = director;
        this.engine = PacketEngine.start(director.loadBalancer(), config, org.jvs.core.time.Clock.SYSTEM, held);
    }

    /**
     * For {@link DirectorMain#defaultPlanes()}: the plane when the director's configuration has a {@code packet:}
     * section, else null (no plane). Reads the section from the configuration file the director just loaded.
     */
    static DataPlane ifConfigured(Director director) {
        var whole = Director.load(director.configFile());
        EngineConfig config = whole.packet();
        // VIPs that VRRP carries start held back: this director is not master for them until VRRP says so.
        return config == null ? null : new PacketPlane(director, config, Failover.initiallyHeld(whole));
    }

    PacketEngine engine() {
        return engine;
    }

    @Override
    public String name() {
        return "packet";
    }

    @Override
    public void sync() {
        engine.marks(director.packetMarks()); // the one part of the packet section a reload changes
        PacketEngine.SyncResult r = engine.sync();
        r.vipsUp().forEach(v -> LOG.log(Level.INFO, "packet engine: VIP " + v + " up (gratuitous ARP sent)"));
        r.vipsDown().forEach(v -> LOG.log(Level.INFO, "packet engine: VIP " + v + " down"));
        r.notCarried().forEach(why -> LOG.log(Level.WARNING, "packet engine: not carried: " + why));
        if (r.rulesChanged() && engine.config().nftTable() != null) {
            LOG.log(Level.INFO, "packet engine: nftables table netdev " + engine.config().nftTable() + " now " + engine.owned());
        }
    }

    /** Packets are not drained: the engine stops forwarding at once (connections live on at the real servers). */
    @Override
    public void stop(Duration drain) {
        engine.stop(STOP_BOUND);
    }
}
