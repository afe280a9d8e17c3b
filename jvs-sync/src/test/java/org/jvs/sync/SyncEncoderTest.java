package org.jvs.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.jvs.core.model.IpAddr;
import org.junit.jupiter.api.Test;

/** Limits and refusals of {@link SyncEncoder}: what does not fit, what v0 cannot say, what is a caller's error. */
class SyncEncoderTest {

    private final ByteBuffer buf = ByteBuffer.allocate(70000);
    private final SyncEncoder enc = new SyncEncoder();

    @Test
    void aKernelSizedV1MessageTakesFortyIpv4EntriesAndRefusesTheFortyFirstWithoutWriting() {
        enc.begin(buf, SyncVersion.V1, 1, SyncProtocol.masterMaxLen(false));
        SyncConn c = Golden.drConn();
        for (int i = 0; i < 40; i++) {
            assertThat(enc.add(c.cport(1000 + i))).isTrue();
        }
        assertThat(enc.length()).isEqualTo(8 + 40 * 36);
        byte[] before = Arrays.copyOf(buf.array(), 1500);
        assertThat(enc.add(c)).isFalse();
        assertThat(enc.lastRejection()).isEqualTo(SyncEncoder.Rejection.NO_ROOM);
        assertThat(Arrays.copyOf(buf.array(), 1500)).isEqualTo(before);
        assertThat(enc.finish()).isEqualTo(1448);
        assertThat(buf.position()).isEqualTo(1448);
    }

    @Test
    void paddingCountsAgainstMaxLen() {
        SyncConn seq = Golden.V1_SEQ.conns().get().getFirst(); // 62 bytes: the next entry needs 2 bytes of padding
        enc.begin(buf, SyncVersion.V1, 1, 8 + 62 + 36 + 1);
        assertThat(enc.add(seq)).isTrue();
        assertThat(enc.add(Golden.drConn())).isFalse(); // 8 + 62 + 2 + 36 = 108 > 107
        assertThat(enc.lastRejection()).isEqualTo(SyncEncoder.Rejection.NO_ROOM);
        enc.begin(buf.clear(), SyncVersion.V1, 1, 108);
        assertThat(enc.add(seq)).isTrue();
        assertThat(enc.add(Golden.drConn())).isTrue();
        assertThat(enc.finish()).isEqualTo(108);
    }

    @Test
    void nrConnsStopsAt255EvenWithRoomLeft() {
        enc.begin(buf, SyncVersion.V0, 1, 65535);
        SyncConn c = Golden.drConn();
        for (int i = 0; i < 255; i++) {
            assertThat(enc.add(c)).isTrue();
        }
        assertThat(enc.add(c)).isFalse();
        assertThat(enc.lastRejection()).isEqualTo(SyncEncoder.Rejection.FULL);
        assertThat(enc.finish()).isEqualTo(4 + 255 * 24);
        assertThat(buf.get(0) & 0xFF).isEqualTo(255);
    }

    @Test
    void v0RefusesWhatItCannotCarry() {
        enc.begin(buf, SyncVersion.V0, 1, 1472);
        SyncConn v6 = Golden.V1_IPV6.conns().get().getFirst();
        assertThat(enc.add(v6)).isFalse();
        assertThat(enc.lastRejection()).isEqualTo(SyncEncoder.Rejection.V0_IPV6);
        assertThat(enc.add(Golden.V1_PE.conns().get().getFirst())).isFalse();
        assertThat(enc.lastRejection()).isEqualTo(SyncEncoder.Rejection.V0_UNREPRESENTABLE);
        assertThat(enc.add(Golden.drConn().seq(1, 2, 3, 4, 5, 6))).isFalse(); // sequence data but no SEQ flags
        assertThat(enc.lastRejection()).isEqualTo(SyncEncoder.Rejection.V0_UNREPRESENTABLE);
        assertThat(enc.length()).isEqualTo(4);
        assertThat(enc.add(Golden.drConn())).isTrue();
        assertThat(enc.lastRejection()).isEqualTo(SyncEncoder.Rejection.NONE);
    }

    @Test
    void hashedIsClearedAndV0KeepsOnlySixteenFlagBits() {
        SyncConn c = Golden.drConn().flags(ConnFlags.DROUTE | ConnFlags.HASHED | ConnFlags.NFCT);
        byte[] v1 = Collected.encode(SyncVersion.V1, 7, List.of(c));
        assertThat(ByteBuffer.wrap(v1).getInt(8 + 4)).isEqualTo(ConnFlags.DROUTE | ConnFlags.NFCT);
        byte[] v0 = Collected.encode(SyncVersion.V0, 3, List.of(c));
        assertThat(ByteBuffer.wrap(v0).getShort(4 + 20)).isEqualTo((short) ConnFlags.DROUTE);
    }

    @Test
    void callerErrorsThrow() {
        enc.begin(buf, SyncVersion.V1, 1, 1472);
        assertThatThrownBy(() -> enc.add(Golden.drConn().flags(ConnFlags.IN_SEQ)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sequence data");
        byte[] d = {1, 2, 3};
        assertThatThrownBy(() -> enc.add(Golden.drConn().peData(d, 0, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PE name");
        assertThatThrownBy(() -> enc.add(Golden.drConn().caddr(0, 1L << 32)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bits");
        assertThatThrownBy(() -> new SyncEncoder().begin(ByteBuffer.allocate(100), SyncVersion.V1, 1, 1472))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SyncEncoder().begin(buf, SyncVersion.V1, 256, 1472))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SyncEncoder().add(Golden.drConn())).isInstanceOf(IllegalStateException.class);
        enc.finish();
        assertThatThrownBy(enc::finish).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new SyncConn().cport(65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SyncConn().addresses(IpAddr.parse("10.0.0.1"), IpAddr.parse("::1"),
                IpAddr.parse("10.0.0.2"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEmptyMessageIsJustAHeaderAndDecodesAsEmpty() {
        for (SyncVersion v : SyncVersion.values()) {
            byte[] msg = Collected.encode(v, 4, List.of());
            assertThat(msg).hasSize(v.headerLength());
            SyncDecoder d = new SyncDecoder();
            assertThat(d.decode(ByteBuffer.wrap(msg), 4, c -> { })).isEqualTo(SyncDecoder.Result.ACCEPTED);
            assertThat(d.lastVersion()).isEqualTo(v);
            assertThat(d.lastDelivered()).isZero();
        }
    }

    @Test
    void maxLenRulesOfTheKernel() {
        assertThat(SyncProtocol.masterMaxLen(false)).isEqualTo(1472);
        assertThat(SyncProtocol.masterMaxLen(true)).isEqualTo(1452);
        assertThat(SyncProtocol.backupMaxLen(9000, false)).isEqualTo(8972);
        assertThat(SyncProtocol.backupMaxLen(1280, true)).isEqualTo(1452); // the MTU is clamped up to 1500
        assertThat(SyncProtocol.clampMaxLen(100, false, false)).isEqualTo(1024);
        assertThat(SyncProtocol.clampMaxLen(100, true, false)).isEqualTo(100);
        assertThat(SyncProtocol.clampMaxLen(70000, true, false)).isEqualTo(65507);
    }
}
