package org.jvs.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PacketIoTest {

    @Test
    void framesComeOutInOrderInBatchesAndSentFramesAreKept() {
        InMemoryPacketIo io = new InMemoryPacketIo(8, 128);
        PacketBatch batch = new PacketBatch(3, 128);
        for (int i = 0; i < 5; i++) {
            assertThat(io.inject(new byte[] {(byte) i, 1, 2, (byte) (10 + i)}, 0, 1 + i % 4)).isTrue();
        }
        assertThat(io.pending()).isEqualTo(5);
        assertThat(io.receive(batch)).isEqualTo(3);
        assertThat(batch.count()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(batch.length(i)).isEqualTo(1 + i % 4);
            assertThat(Net.u8(batch.segment(), batch.offset(i))).isEqualTo(i);
        }
        assertThat(io.send(batch)).isEqualTo(3);
        assertThat(io.receive(batch)).isEqualTo(2);
        assertThat(Net.u8(batch.segment(), batch.offset(0))).isEqualTo(3);
        assertThat(batch.frame(1).byteSize()).isEqualTo(1);
        assertThat(io.receive(batch)).isZero();
        assertThat(batch.count()).isZero();

        assertThat(io.sentCount()).isEqualTo(3);
        assertThat(io.takeSent()).containsExactly(0);
        assertThat(io.takeSent()).containsExactly(1, 1);
        assertThat(io.takeSent()).containsExactly(2, 1, 2);
        assertThat(io.takeSent()).isNull();
        assertThat(io.receivedTotal()).isEqualTo(5);
        assertThat(io.sentTotal()).isEqualTo(3);
    }

    @Test
    void fullRingsRefuse() {
        InMemoryPacketIo io = new InMemoryPacketIo(2, 16);
        assertThat(io.inject(new byte[17])).as("too long").isFalse();
        assertThat(io.inject(new byte[16])).isTrue();
        assertThat(io.inject(new byte[1])).isTrue();
        assertThat(io.inject(new byte[1])).as("inbound full").isFalse();

        PacketBatch batch = new PacketBatch(4, 16);
        for (int i = 0; i < 3; i++) {
            assertThat(batch.add(java.lang.foreign.MemorySegment.ofArray(new byte[] {(byte) i}), 0, 1)).isTrue();
        }
        assertThat(io.send(batch)).as("outbound holds two").isEqualTo(2);
        io.discardSent();
        assertThat(io.sentCount()).isZero();
        assertThat(io.send(batch)).isEqualTo(2);
        assertThat(io.takeSent()).containsExactly(0);
    }

    @Test
    void batchChecksItsShape() {
        PacketBatch batch = new PacketBatch(2, 64);
        assertThat(batch.capacity()).isEqualTo(2);
        assertThat(batch.frameSize()).isEqualTo(64);
        assertThat(batch.offset(1)).isEqualTo(64);
        assertThat(batch.add(java.lang.foreign.MemorySegment.ofArray(new byte[65]), 0, 65)).isFalse();
        assertThatThrownBy(() -> batch.length(0, 65)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> batch.count(3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacketBatch(0, 64)).isInstanceOf(IllegalArgumentException.class);
        assertThat(batch.count(2).clear().count()).isZero();
    }
}
