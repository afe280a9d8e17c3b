package org.jvs.testkit.netns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Capture#readPcap}: classic pcap records in both byte orders, and clear errors for anything else. */
class CaptureTest {
    private static byte[] pcap(ByteOrder order, int magic, byte[]... records) {
        int size = 24;
        for (byte[] r : records) {
            size += 16 + r.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(order);
        b.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        for (byte[] r : records) {
            b.putInt(1).putInt(2).putInt(r.length).putInt(r.length).put(r);
        }
        return b.array();
    }

    @Test
    void readsEveryRecordInEitherByteOrderAndTimeResolution() {
        byte[] a = {1, 2, 3};
        byte[] b = new byte[60];
        b[59] = 9;
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            for (int magic : new int[] {0xa1b2c3d4, 0xa1b23c4d}) {
                List<byte[]> frames = Capture.readPcap(pcap(order, magic, a, b));
                assertEquals(2, frames.size(), order + " " + Integer.toHexString(magic));
                assertArrayEquals(a, frames.get(0));
                assertArrayEquals(b, frames.get(1));
            }
        }
        assertEquals(0, Capture.readPcap(pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4)).size());
    }

    @Test
    void refusesPcapngTruncatedRecordsAndShortFiles() {
        byte[] ng = pcap(ByteOrder.LITTLE_ENDIAN, 0x0a0d0d0a);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Capture.readPcap(ng)).getMessage()
                .contains("not a classic pcap file (magic 0a0d0d0a)"));
        byte[] whole = pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, new byte[] {1, 2, 3, 4});
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Capture.readPcap(cut)).getMessage()
                .contains("pcap record at byte 24 runs past the end of the file"));
        assertThrows(IllegalArgumentException.class, () -> Capture.readPcap(new byte[10]));
    }
}
