package org.jvs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The hand-written kernel-format messages of {@link Golden}: decode to the expected records, encode back to the same bytes. */
class GoldenMessageTest {

    static final java.util.List<Golden.Vector> VECTORS = Golden.ALL;

    @ParameterizedTest(name = "{0}")
    @FieldSource("VECTORS")
    void decodesToTheExpectedRecords(Golden.Vector v) {
        SyncDecoder d = new SyncDecoder();
        Collected got = Collected.decode(d, v.bytes(), SyncDecoder.ANY_SYNC_ID);
        assertThat(d.lastReason()).isNull();
        assertThat(d.lastVersion()).isEqualTo(v.version());
        assertThat(d.lastSkipped()).isZero();
        Collected.assertSame(got.conns, v.conns().get());
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("VECTORS")
    void encodesToExactlyTheseBytes(Golden.Vector v) {
        byte[] encoded = Collected.encode(v.version(), v.syncId(), v.conns().get());
        assertThat(HexFormat.ofDelimiter(" ").formatHex(encoded))
                .isEqualTo(HexFormat.ofDelimiter(" ").formatHex(v.bytes()));
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("VECTORS")
    void filtersOnTheSyncIdButSyncIdZeroAcceptsAll(Golden.Vector v) {
        SyncDecoder d = new SyncDecoder();
        assertThat(d.decode(ByteBuffer.wrap(v.bytes()), v.syncId(), c -> { })).isEqualTo(SyncDecoder.Result.ACCEPTED);
        assertThat(d.decode(ByteBuffer.wrap(v.bytes()), 0, c -> { })).isEqualTo(SyncDecoder.Result.ACCEPTED);
        assertThat(d.decode(ByteBuffer.wrap(v.bytes()), (v.syncId() + 1) & 0xFF, c -> { }))
                .isEqualTo(SyncDecoder.Result.DROPPED);
        assertThat(d.lastReason()).isEqualTo(DropReason.SYNCID_MISMATCH);
        assertThat(d.stats().count(DropReason.SYNCID_MISMATCH)).isEqualTo(1);
    }

    @Test
    void v0EncodingOfAV1RecordDropsFwmarkAndTimeoutAsTheKernelDoes() {
        SyncConn c = Golden.drConn().fwmark(7); // timeout 900 and a mark: v0 has no room for either
        assertThat(Collected.encode(SyncVersion.V0, 3, java.util.List.of(c))).isEqualTo(Golden.V0_PLAIN.bytes());
    }

    @Test
    void decodesFromAnOffsetInADirectBufferWithoutMovingItsPosition() {
        byte[] msg = Golden.V1_SEQ.bytes();
        ByteBuffer b = ByteBuffer.allocateDirect(msg.length + 10).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.position(7).put(msg).position(7).limit(7 + msg.length);
        Collected got = new Collected();
        assertThat(new SyncDecoder().decode(b, 2, got)).isEqualTo(SyncDecoder.Result.ACCEPTED);
        assertThat(b.position()).isEqualTo(7);
        Collected.assertSame(got.conns, Golden.V1_SEQ.conns().get());
    }

    @Test
    void decodedPeDataIsReportedNotRefused() {
        SyncDecoder d = new SyncDecoder();
        Collected got = Collected.decode(d, Golden.V1_PE.bytes(), 5);
        assertThat(got.conns.getFirst().peName()).isEqualTo("sip");
        assertThat(new String(got.conns.getFirst().peData(), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("call-1@example");
        assertThat(d.stats().peEntries()).isEqualTo(1);
    }

    @Test
    void statsListingNamesEveryCounter() {
        SyncDecoder d = new SyncDecoder();
        for (Golden.Vector v : Golden.ALL) {
            d.decode(ByteBuffer.wrap(v.bytes()), SyncDecoder.ANY_SYNC_ID, c -> { });
        }
        SyncStats s = d.stats();
        assertThat(s.messages()).isEqualTo(8);
        assertThat(s.v0Messages()).isEqualTo(2);
        assertThat(s.v1Messages()).isEqualTo(6);
        assertThat(s.conns()).isEqualTo(12);
        assertThat(s.templates()).isEqualTo(2);
        assertThat(s.seqEntries()).isEqualTo(2);
        assertThat(s.listing()).contains("messages 8\n", "conns 12\n", "templates 2\n", "drop-size-mismatch 0\n",
                "drop-unknown-mandatory-option 0\n");
    }
}
