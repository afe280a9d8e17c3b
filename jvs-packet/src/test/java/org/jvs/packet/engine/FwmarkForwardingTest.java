package org.jvs.packet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.packet.engine.EngineFixture.CLIENT;
import static org.jvs.packet.engine.EngineFixture.CLIENT_MAC;
import static org.jvs.packet.engine.EngineFixture.GATEWAY_MAC;
import static org.jvs.packet.engine.EngineFixture.OWN_MAC;
import static org.jvs.packet.engine.EngineFixture.RS1;
import static org.jvs.packet.engine.EngineFixture.RS1_MAC;
import static org.jvs.packet.engine.EngineFixture.RS2;
import static org.jvs.packet.engine.EngineFixture.RS2_MAC;
import static org.jvs.packet.engine.Frames.ACK;
import static org.jvs.packet.engine.Frames.SYN;

import java.util.HexFormat;
import java.util.List;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Persistence;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.packet.EthernetFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Firewall-mark services through the worker: the mark rules classify (protocol, VIP, port) into the mark, the mark
 * finds the service, persistence spans every port of the mark, NAT keeps each packet's own port when the server's is
 * 0 and rewrites its replies back; the VIP is answered for. A mark without a service is nobody's.
 */
class FwmarkForwardingTest {
    static final int VIP_MARK = Frames.ip(10, 0, 0, 110);
    private final EngineFixture fx = EngineFixture.oneLink(8);

    @AfterEach
    void close() {
        fx.close();
    }

    private void markService(ForwardingMethod method, Persistence persistence) {
        ServiceKey key = new ServiceKey.Fwmark(7, false);
        ServiceSpec spec = ServiceSpec.of(key, "rr").withEngine(Engine.PACKET);
        fx.lb.addService(persistence == null ? spec : spec.withPersistence(persistence));
        fx.lb.addDest(key, DestSpec.of(IpAddr.v4(RS1), 0, method));
        fx.lb.addDest(key, DestSpec.of(IpAddr.v4(RS2), 0, method));
        fx.owned.marks(List.of(new MarkRule(7, 6, VIP_MARK, 80, 80), new MarkRule(7, 6, VIP_MARK, 443, 443),
                new MarkRule(9, 0, VIP_MARK, 5000, 5999)));
        fx.owned.update(fx.lb);
    }

    private static String hex(byte[] f) {
        return f == null ? null : HexFormat.of().formatHex(f);
    }

    @Test
    void persistenceSpansThePortsOfAMark() {
        markService(ForwardingMethod.DIRECT_ROUTE, new Persistence(300, 32));
        byte[] web = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_MARK, 80, SYN, new byte[0]);
        byte[] tls = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_MARK, 443, SYN, new byte[0]);
        byte[] web2 = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40002, VIP_MARK, 80, SYN, new byte[0]);
        fx.io.inject(web);
        fx.io.inject(tls);
        fx.io.inject(web2);
        fx.worker.poll();

        byte[] first = fx.io.takeSent();
        long mac = java.nio.ByteBuffer.wrap(first).getLong(0) >>> 16;
        assertThat(mac).isIn(RS1_MAC, RS2_MAC);
        assertThat(hex(fx.io.takeSent())).as("443 with the same server").isEqualTo(hex(Frames.withMacs(tls, mac, OWN_MAC)));
        assertThat(hex(fx.io.takeSent())).isEqualTo(hex(Frames.withMacs(web2, mac, OWN_MAC)));
        assertThat(fx.worker.forwardedDr()).isEqualTo(3);
    }

    @Test
    void withoutPersistenceTheMarkIsOneServiceScheduledInTurn() {
        markService(ForwardingMethod.DIRECT_ROUTE, null);
        fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_MARK, 80, SYN, new byte[0]));
        fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_MARK, 443, SYN, new byte[0]));
        fx.worker.poll();

        long a = java.nio.ByteBuffer.wrap(fx.io.takeSent()).getLong(0) >>> 16;
        long b = java.nio.ByteBuffer.wrap(fx.io.takeSent()).getLong(0) >>> 16;
        assertThat(List.of(a, b)).containsExactlyInAnyOrder(RS1_MAC, RS2_MAC);
        assertThat(fx.lb.service(new ServiceKey.Fwmark(7, false)).stats().totals().conns()).isEqualTo(2);
    }

    @Test
    void natKeepsEachPacketsPortAndRewritesTheRepliesBack() {
        markService(ForwardingMethod.NAT, new Persistence(300, 32));
        fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40000, VIP_MARK, 443, SYN, new byte[0]));
        fx.worker.poll();
        byte[] in = fx.io.takeSent();
        int rip = java.nio.ByteBuffer.wrap(in).getInt(30);
        long rsMac = rip == RS1 ? RS1_MAC : RS2_MAC;
        assertThat(hex(in)).isEqualTo(hex(Frames.tcp(rsMac, OWN_MAC, CLIENT, 40000, rip, 443, SYN, new byte[0])));

        fx.io.inject(Frames.tcp(OWN_MAC, rsMac, rip, 443, CLIENT, 40000, SYN | ACK, new byte[0]));
        fx.worker.poll();
        assertThat(hex(fx.io.takeSent())).isEqualTo(hex(
                Frames.routed(Frames.tcp(GATEWAY_MAC, OWN_MAC, VIP_MARK, 443, CLIENT, 40000, SYN | ACK, new byte[0]))));
    }

    @Test
    void theMarksVipIsAnsweredForAndOtherPortsOrAMarkWithoutServiceAreNobodys() {
        markService(ForwardingMethod.DIRECT_ROUTE, null);
        fx.io.inject(Frames.arp(EthernetFrame.BROADCAST, CLIENT_MAC, 1, CLIENT_MAC, CLIENT, 0, VIP_MARK));
        fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40003, VIP_MARK, 22, SYN, new byte[0]));
        fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40004, VIP_MARK, 5000, SYN, new byte[0]));
        fx.worker.poll();

        assertThat(fx.worker.arpReplies()).isEqualTo(1);
        assertThat(fx.worker.forwarded()).isZero();
        assertThat(fx.worker.passed()).as("port 22, and mark 9 which no service has").isEqualTo(2);
        assertThat(OwnedServices.notCarried(fx.lb.services(), List.of(new MarkRule(9, 0, VIP_MARK, 1, 2))))
                .contains("fwmark 7: no rule of packet.marks gives this mark, so no packet belongs to it");
    }
}
