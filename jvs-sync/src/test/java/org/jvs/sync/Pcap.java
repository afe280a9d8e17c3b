package org.jvs.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes sync messages as a classic pcap file (link type 1, Ethernet) of IPv4/UDP multicast datagrams from
 * 10.0.0.1:40123 to 224.0.0.81:8848, the way a kernel master sends them (TTL 1), with correct IPv4 and UDP
 * checksums so that tshark checks them as good.
 */
final class Pcap {
    private Pcap() {
    }

    static void write(Path file, List<byte[]> payloads) throws IOException {
        int total = 24;
        for (byte[] p : payloads) {
            total += 16 + 14 + 20 + 8 + p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        int seconds = 1_700_000_000;
        for (byte[] p : payloads) {
            int frame = 14 + 20 + 8 + p.length;
            b.order(ByteOrder.LITTLE_ENDIAN).putInt(seconds++).putInt(0).putInt(frame).putInt(frame);
            b.order(ByteOrder.BIG_ENDIAN);
            // Ethernet: the IPv4 multicast MAC of 224.0.0.81, a locally administered source, type IPv4
            b.put(new byte[] {0x01, 0x00, 0x5e, 0x00, 0x00, 0x51, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01});
            b.putShort((short) 0x0800);
            int ip = b.position();
            int src = 0x0A000001;
            int dst = 0xE0000051;
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + p.length)).putShort((short) 0)
                    .putShort((short) 0x4000).put((byte) 1).put((byte) 17).putShort((short) 0).putInt(src).putInt(dst);
            b.putShort(ip + 10, (short) checksum(b, ip, 20, 0));
            int udp = b.position();
            b.putShort((short) 40123).putShort((short) SyncProtocol.DEFAULT_PORT).putShort((short) (8 + p.length))
                    .putShort((short) 0).put(p);
            long pseudo = (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + 17 + 8 + p.length;
            int sum = checksum(b, udp, 8 + p.length, pseudo);
            b.putShort(udp + 6, (short) (sum == 0 ? 0xFFFF : sum));
        }
        Files.write(file, b.array());
    }

    /** The Internet checksum of {@code len} bytes at {@code off}, starting from a partial sum. */
    private static int checksum(ByteBuffer b, int off, int len, long partial) {
        long sum = partial;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += b.getShort(off + i) & 0xFFFF;
        }
        if ((len & 1) != 0) {
            sum += (b.get(off + len - 1) & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
