package org.jvs.vrrp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Writes classic pcap files (Ethernet) and reads them back through tshark, for golden tests of our frames. */
final class Pcap {
    private Pcap() {
    }

    static void write(Path file, List<byte[]> frames) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.write(h.array());
        int t = 1;
        for (byte[] f : frames) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt(t++).putInt(0).putInt(f.length).putInt(f.length);
            out.write(r.array());
            out.write(f);
        }
        Files.write(file, out.toByteArray());
    }

    /** Ethernet (to 01:00:5e:00:00:12 from 02:00:00:00:00:01) + the IPv4 packet. */
    static byte[] ethernet(byte[] ip) {
        byte[] f = new byte[14 + ip.length];
        byte[] hdr = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x12, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00};
        System.arraycopy(hdr, 0, f, 0, 14);
        System.arraycopy(ip, 0, f, 14, ip.length);
        return f;
    }

    /** One row of tab-separated fields per packet, from {@code tshark -r file -T fields}. */
    static List<List<String>> fields(Path file, String... fields) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-r", file.toString(), "-o", "ip.check_checksum:TRUE",
                "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("tshark failed: " + new String(err));
        }
        List<List<String>> rows = new ArrayList<>();
        for (String line : new String(out).split("\n")) {
            if (!line.isEmpty()) {
                rows.add(List.of(line.split("\t", -1)));
            }
        }
        return rows;
    }
}
