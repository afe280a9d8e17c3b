package org.jvs.packet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvs.packet.engine.EngineFixture.CLIENT;
import static org.jvs.packet.engine.EngineFixture.GATEWAY_MAC;
import static org.jvs.packet.engine.EngineFixture.OWN_MAC;
import static org.jvs.packet.engine.EngineFixture.SERVER_SIDE_IP;
import static org.jvs.packet.engine.Frames.ACK;
import static org.jvs.packet.engine.Frames.SYN;
import static org.jvs.packet.engine.Frames.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.packet.Offload;
import org.jvs.packet.TcpHeader;
import org.junit.jupiter.api.Test;

/**
 * IPVS' local node through the worker: a real server that is the director itself (by its own address, as IPVS
 * turns one into LOCALNODE, or by {@code method: local}) gets the client's packet unchanged, handed to the kernel
 * with its offload metadata counted from the IP header; nothing goes out on the wire.
 */
class LocalNodeForwardingTest {
    static final int VIP_LOCAL = ip(10, 0, 0, 120);

    record Delivered(byte[] packet, long meta) {
    }

    static EngineFixture fixture(DestSpec dest, List<Delivered> into) {
        EngineFixture fx = EngineFixture.oneLink(8, true);
        ServiceKey key = new ServiceKey.Virtual(Protocol.TCP, IpAddr.v4(VIP_LOCAL), 80);
        fx.lb.addService(ServiceSpec.of(key, "rr").withEngine(Engine.PACKET));
        fx.lb.addDest(key, dest);
        fx.owned.update(fx.lb);
        LocalNode n = new LocalNode();
        if (into != null) {
            n.use((seg, offset, length, meta) -> into.add(new Delivered(seg.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), meta)),
                    new int[] {SERVER_SIDE_IP});
        }
        fx.worker.localNode(n);
        return fx;
    }

    @Test
    void aServerAtTheDirectorsOwnAddressGetsThePacketUnchangedThroughTheKernel() {
        List<Delivered> got = new ArrayList<>();
        try (EngineFixture fx = fixture(DestSpec.of(IpAddr.v4(SERVER_SIDE_IP), 80, ForwardingMethod.DIRECT_ROUTE), got)) {
            byte[] syn = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_LOCAL, 80, SYN, new byte[0]);
            fx.io.inject(syn);
            fx.worker.poll();

            assertThat(fx.worker.forwardedLocal()).isEqualTo(1);
            assertThat(fx.io.takeSent()).as("nothing on the wire").isNull();
            assertThat(got).hasSize(1);
            assertThat(HexFormat.of().formatHex(got.getFirst().packet()))
                    .isEqualTo(HexFormat.of().formatHex(Arrays.copyOfRange(syn, 14, syn.length)));
            assertThat(got.getFirst().meta()).isEqualTo(Offload.NONE);
        }
    }

    @Test
    void anUnfinishedChecksumGoesInWithItsMetadataCountedFromTheIpHeader() {
        List<Delivered> got = new ArrayList<>();
        try (EngineFixture fx = fixture(DestSpec.of(IpAddr.v4(ip(192, 0, 2, 200)), 80, ForwardingMethod.LOCAL), got)) {
            fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_LOCAL, 80, SYN, new byte[0]));
            byte[] data = Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_LOCAL, 80, ACK, "hello".getBytes());
            fx.io.inject(OffloadForwardingTest.unfinished(data, TcpHeader.CHECKSUM_OFFSET),
                    OffloadForwardingTest.needsChecksum(TcpHeader.CHECKSUM_OFFSET));
            fx.worker.poll();

            assertThat(got).hasSize(2);
            long meta = got.get(1).meta();
            assertThat(Offload.csumStart(meta)).as("the TCP header, from the IP header").isEqualTo(20);
            byte[] p = got.get(1).packet();
            assertThat(Offload.complete(MemorySegment.ofArray(p), 0, p.length, meta)).isTrue();
            assertThat(HexFormat.of().formatHex(p)).isEqualTo(HexFormat.of().formatHex(Arrays.copyOfRange(data, 14, data.length)));
        }
    }

    @Test
    void withoutTheDeviceALocalServersPacketsAreDroppedAndCounted() {
        try (EngineFixture fx = fixture(DestSpec.of(IpAddr.v4(ip(192, 0, 2, 200)), 80, ForwardingMethod.LOCAL), null)) {
            fx.io.inject(Frames.tcp(OWN_MAC, GATEWAY_MAC, CLIENT, 40001, VIP_LOCAL, 80, SYN, new byte[0]));
            fx.worker.poll();
            assertThat(fx.worker.unsupportedMethod()).isEqualTo(1);
            assertThat(fx.worker.forwardedLocal()).isZero();
        }
    }
}
