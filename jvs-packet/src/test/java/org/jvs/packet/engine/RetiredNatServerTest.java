package org.jvs.packet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.packet.engine.EngineFixture.CLIENT;
import static org.jvs.packet.engine.EngineFixture.GATEWAY_MAC;
import static org.jvs.packet.engine.EngineFixture.OWN_MAC;
import static org.jvs.packet.engine.EngineFixture.RS2;
import static org.jvs.packet.engine.EngineFixture.RS2_MAC;
import static org.jvs.packet.engine.EngineFixture.VIP_NAT;
import static org.jvs.packet.engine.Frames.ACK;
import static org.jvs.packet.engine.Frames.SYN;

import java.util.HexFormat;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.packet.IpProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A VS/NAT real server removed ({@code jvsadm -d}) while a connection to it is open: IPVS keeps the server in its
 * trash and keeps forwarding that connection both ways. The engine used to forget the server as a source of
 * replies at once (the owned set was built from the services' current servers only), so the client's requests
 * still reached the server and its answers were left to the kernel and lost (found by PacketNatEndToEndTest).
 */
class RetiredNatServerTest {
    private static final ServiceKey NAT_HTTP = new ServiceKey.Virtual(Protocol.TCP, IpAddr.v4(VIP_NAT), 80);

    private final EngineFixture fx = EngineFixture.oneLink(32);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void repliesOfARemovedServersOpenConnectionAreStillRewrittenUntilItEnds() {
        fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_NAT, 80, SYN, new byte[0]));
        fx.worker.poll();
        fx.io.discardSent();

        fx.lb.deleteDest(NAT_HTTP, IpAddr.v4(RS2), 8080);
        OwnedServices.Snapshot s = fx.owned.update(fx.lb);

        assertThat(s.isNatSource(IpProtocol.TCP, RS2, 8080)).as("retired, with a connection: still a reply source").isTrue();
        fx.io.inject(Frames.tcp(OWN_MAC, RS2_MAC, RS2, 8080, CLIENT, 40001, SYN | ACK, new byte[0]));
        fx.worker.poll();
        assertThat(fx.worker.natReplies()).isEqualTo(1);
        assertThat(HexFormat.of().formatHex(fx.io.takeSent())).isEqualTo(HexFormat.of().formatHex(
                Frames.routed(Frames.tcp(GATEWAY_MAC, OWN_MAC, VIP_NAT, 80, CLIENT, 40001, SYN | ACK, new byte[0]))));
        fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_NAT, 80, ACK, new byte[0]));
        fx.worker.poll();
        assertThat(fx.worker.forwardedNat()).as("and the client's packets still go to it").isEqualTo(2);

        // The connection expires; housekeeping finds the server idle twice and frees it: no longer a reply source.
        fx.clock.advance(java.time.Duration.ofMinutes(20));
        fx.lb.housekeeping();
        fx.clock.advanceSeconds(1);
        fx.lb.housekeeping();
        assertThat(fx.lb.retiredDests()).isEmpty();
        assertThat(fx.owned.update(fx.lb).isNatSource(IpProtocol.TCP, RS2, 8080)).isFalse();
        assertThat(fx.owned.current().isNatSource(IpProtocol.UDP, RS2, 53)).as("its other service is untouched").isTrue();
    }
}
