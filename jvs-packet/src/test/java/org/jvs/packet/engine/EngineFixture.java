package org.jvs.packet.engine;

import static org.jvs.packet.engine.Frames.ip;

import org.jvs.core.LoadBalancer;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.time.ManualClock;
import org.jvs.packet.InMemoryPacketIo;

/**
 * A real {@link LoadBalancer} with a few IPv4 packet-engine services and workers over in-memory links.
 *
 * <p>{@link #oneLink}: one interface facing clients and servers (10.0.1.254/24, the servers' subnet); clients
 * are beyond the gateway 10.0.1.1. {@link #twoLinks}: link 0 faces clients (192.0.2.1/24, the client
 * 192.0.2.7 is on it, gateway 192.0.2.254), link 1 faces servers (10.0.1.254/24); the director routes between
 * them. Servers' and the gateway's MACs are static entries unless a test wants them resolved.
 */
final class EngineFixture implements AutoCloseable {
    /** Room for a 16 KiB super-frame. */
    static final int FRAME_SIZE = 20_000;
    static final long OWN_MAC = 0x02_00_00_00_00_01L;
    static final long OWN_MAC_1 = 0x02_00_00_00_00_02L;
    static final long GATEWAY_MAC = 0x02_00_00_00_00_feL;
    static final long CLIENT_MAC = 0x02_00_00_00_00_c1L;
    static final long RS1_MAC = 0x02_00_00_00_01_01L;
    static final long RS2_MAC = 0x02_00_00_00_01_02L;
    static final long RS_UNKNOWN_MAC = 0x02_00_00_00_01_09L;

    static final int CLIENT = ip(192, 0, 2, 7);
    static final int FAR_CLIENT = ip(198, 51, 100, 9);
    /** TCP :80 VS/DR to RS1. */
    static final int VIP_DR = ip(10, 0, 0, 100);
    /** TCP :80 VS/NAT to RS2:8080, UDP :53 VS/NAT to RS2 port 0 (keeps 53). */
    static final int VIP_NAT = ip(10, 0, 0, 101);
    /** TCP :80 VS/DR to a server whose MAC is not configured. */
    static final int VIP_NO_NEIGHBOUR = ip(10, 0, 0, 102);
    /** TCP :80 with no real server. */
    static final int VIP_EMPTY = ip(10, 0, 0, 103);
    /** TCP :80, a socket-engine service: never the packet engine's. */
    static final int VIP_SOCKET = ip(10, 0, 0, 104);
    static final int RS1 = ip(10, 0, 1, 1);
    static final int RS2 = ip(10, 0, 1, 2);
    static final int RS_UNKNOWN = ip(10, 0, 1, 9);
    static final int SERVER_SIDE_IP = ip(10, 0, 1, 254);
    static final int GATEWAY_ONE_LINK = ip(10, 0, 1, 253);
    static final int CLIENT_SIDE_IP = ip(192, 0, 2, 1);
    static final int GATEWAY_TWO_LINKS = ip(192, 0, 2, 254);

    final ManualClock clock = new ManualClock(1_000_000_000_000L);
    final LoadBalancer lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(4096, 64), clock);
    final OwnedServices owned = new OwnedServices();
    final Link[] links;
    final InMemoryPacketIo[] ios;
    /** One worker per link, receiving from {@code ios[i]}. */
    final PacketWorker[] workers;
    /** Link 0's io and worker. */
    final InMemoryPacketIo io;
    final PacketWorker worker;

    static EngineFixture oneLink(int batch) {
        return oneLink(batch, false);
    }

    /** As {@link #oneLink(int)}; {@code offloads}: the in-memory link carries offload metadata both ways. */
    static EngineFixture oneLink(int batch, boolean offloads) {
        return oneLink(batch, offloads, Link.DEFAULT_MTU);
    }

    /** As {@link #oneLink(int, boolean)}, the link's MTU {@code mtu}. */
    static EngineFixture oneLink(int batch, boolean offloads, int mtu) {
        return new EngineFixture(batch, offloads, new Link[] {
                new Link("eth0", EngineConfig.Role.BOTH, OWN_MAC, SERVER_SIDE_IP, 24, new NeighbourTable(256), mtu)},
                GATEWAY_ONE_LINK);
    }

    static EngineFixture twoLinks(int batch) {
        return new EngineFixture(batch, false, new Link[] {
                new Link("eth0", EngineConfig.Role.CLIENT, OWN_MAC, CLIENT_SIDE_IP, 24, new NeighbourTable(256)),
                new Link("eth1", EngineConfig.Role.SERVER, OWN_MAC_1, SERVER_SIDE_IP, 24, new NeighbourTable(256))},
                GATEWAY_TWO_LINKS);
    }

    private EngineFixture(int batch, boolean offloads, Link[] links, int gateway) {
        this.links = links;
        service(Protocol.TCP, VIP_DR, 80, RS1, 80, ForwardingMethod.DIRECT_ROUTE);
        service(Protocol.TCP, VIP_NAT, 80, RS2, 8080, ForwardingMethod.NAT);
        service(Protocol.UDP, VIP_NAT, 53, RS2, 0, ForwardingMethod.NAT);
        service(Protocol.TCP, VIP_NO_NEIGHBOUR, 80, RS_UNKNOWN, 80, ForwardingMethod.DIRECT_ROUTE);
        lb.addService(packet(ServiceSpec.of(new ServiceKey.Virtual(Protocol.TCP, IpAddr.v4(VIP_EMPTY), 80), "rr")));
        ServiceKey socket = new ServiceKey.Virtual(Protocol.TCP, IpAddr.v4(VIP_SOCKET), 80);
        lb.addService(ServiceSpec.of(socket, "rr"));
        lb.addDest(socket, DestSpec.of(IpAddr.v4(RS1), 80, ForwardingMethod.NAT));
        owned.update(lb);
        Link server = links[links.length - 1];
        server.neighbours().put(RS1, RS1_MAC);
        server.neighbours().put(RS2, RS2_MAC);
        links[0].neighbours().put(gateway, GATEWAY_MAC);
        ios = new InMemoryPacketIo[links.length];
        for (int i = 0; i < links.length; i++) {
            ios[i] = new InMemoryPacketIo(Math.max(64, batch * 2), FRAME_SIZE);
            if (offloads) {
                ios[i].withOffloads();
            }
        }
        workers = new PacketWorker[links.length];
        for (int i = 0; i < links.length; i++) {
            workers[i] = new PacketWorker(lb, links, i, owned, gateway, clock, ios.clone(), batch, FRAME_SIZE);
        }
        io = ios[0];
        worker = workers[0];
    }

    private static ServiceSpec packet(ServiceSpec s) {
        return s.withEngine(Engine.PACKET);
    }

    private void service(Protocol proto, int vip, int vport, int rip, int rport, ForwardingMethod m) {
        ServiceKey key = new ServiceKey.Virtual(proto, IpAddr.v4(vip), vport);
        lb.addService(packet(ServiceSpec.of(key, "rr")));
        lb.addDest(key, DestSpec.of(IpAddr.v4(rip), rport, m));
    }

    @Override
    public void close() {
        lb.close();
    }
}
