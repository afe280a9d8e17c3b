package org.jvs.packet.engine;

import static org.jvs.packet.engine.Frames.ip;

import org.jvs.core.LoadBalancer;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.time.ManualClock;

/** A real {@link LoadBalancer} with a few IPv4 services, a neighbour table and a worker over it. */
final class EngineFixture implements AutoCloseable {
    static final long OWN_MAC = 0x02_00_00_00_00_01L;
    static final long GATEWAY_MAC = 0x02_00_00_00_00_feL;
    static final long CLIENT_MAC = 0x02_00_00_00_00_c1L;
    static final long RS1_MAC = 0x02_00_00_00_01_01L;
    static final long RS2_MAC = 0x02_00_00_00_01_02L;

    static final int CLIENT = ip(192, 0, 2, 7);
    /** TCP :80 VS/DR to RS1. */
    static final int VIP_DR = ip(10, 0, 0, 100);
    /** TCP :80 VS/NAT to RS2:8080, UDP :53 VS/NAT to RS2 port 0 (keeps 53). */
    static final int VIP_NAT = ip(10, 0, 0, 101);
    /** TCP :80 VS/DR to a server whose MAC is unknown. */
    static final int VIP_NO_NEIGHBOUR = ip(10, 0, 0, 102);
    /** TCP :80 with no real server. */
    static final int VIP_EMPTY = ip(10, 0, 0, 103);
    static final int RS1 = ip(10, 0, 1, 1);
    static final int RS2 = ip(10, 0, 1, 2);
    static final int RS_UNKNOWN = ip(10, 0, 1, 9);

    final LoadBalancer lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(4096, 64), new ManualClock());
    final NeighbourTable neighbours = new NeighbourTable();
    final PacketWorker worker;

    EngineFixture(int batch) {
        service(Protocol.TCP, VIP_DR, 80, RS1, 80, ForwardingMethod.DIRECT_ROUTE);
        service(Protocol.TCP, VIP_NAT, 80, RS2, 8080, ForwardingMethod.NAT);
        service(Protocol.UDP, VIP_NAT, 53, RS2, 0, ForwardingMethod.NAT);
        service(Protocol.TCP, VIP_NO_NEIGHBOUR, 80, RS_UNKNOWN, 80, ForwardingMethod.DIRECT_ROUTE);
        lb.addService(ServiceSpec.of(new ServiceKey.Virtual(Protocol.TCP, IpAddr.v4(VIP_EMPTY), 80), "rr"));
        neighbours.put(RS1, RS1_MAC);
        neighbours.put(RS2, RS2_MAC);
        worker = new PacketWorker(lb, neighbours, OWN_MAC, GATEWAY_MAC, new int[] {VIP_NAT, VIP_DR}, batch, 2048);
    }

    private void service(Protocol proto, int vip, int vport, int rip, int rport, ForwardingMethod m) {
        ServiceKey key = new ServiceKey.Virtual(proto, IpAddr.v4(vip), vport);
        lb.addService(ServiceSpec.of(key, "rr"));
        lb.addDest(key, DestSpec.of(IpAddr.v4(rip), rport, m));
    }

    @Override
    public void close() {
        lb.close();
    }
}
