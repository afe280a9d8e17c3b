package org.jvs.testkit.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A bounded tshark capture on one interface of a lab host, written to a pcap file. It stops by itself
 * after {@code maxPackets} packets or {@code maxTime}, whichever comes first; {@link #await} waits for
 * that, then {@link #fields} reads the file back through tshark's dissectors (checksum validation on, so
 * {@code ip.checksum.status} and {@code tcp.checksum.status} say good or bad), or {@link #frames} gives the
 * captured bytes. The file is a classic pcap ({@code -F pcap}), simple enough to read here.
 */
public final class Capture implements AutoCloseable {
    /** {@code ip.checksum.status}/{@code tcp.checksum.status} value of a verified, correct checksum. */
    public static final String CHECKSUM_GOOD = "1";
    /** How long {@link #stop} lets dumpcap read the packets still in the kernel's ring. */
    public static final Duration SETTLE = Duration.ofSeconds(1);

    private final LabProcess tshark;
    private final Path pcap;
    private final Duration maxTime;

    private Capture(LabProcess tshark, Path pcap, Duration maxTime) {
        this.tshark = tshark;
        this.pcap = pcap;
        this.maxTime = maxTime;
    }

    static Capture start(Host host, String ifname, String filter, int maxPackets, Duration maxTime, Path pcap, Path log) {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-i", ifname, "-c", Integer.toString(maxPackets),
                "-a", "duration:" + Math.max(1, maxTime.toSeconds()), "-F", "pcap", "-w", pcap.toString()));
        if (filter != null && !filter.isBlank()) {
            cmd.addAll(List.of("-f", filter));
        }
        Capture c = new Capture(LabProcess.start(host, "tshark " + host.name() + ":" + ifname, cmd, log), pcap, maxTime);
        try {
            // Not "Capturing on": tshark prints that before dumpcap has opened anything (a connection made right
            // after it was missing from the capture). "File: ..." comes once dumpcap has opened the interface,
            // attached the filter and opened the output file: packets sent after it are captured.
            c.tshark.awaitOutput("File: \"", Duration.ofSeconds(15));
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Waits (at most the capture's time bound plus 15 s) for the capture to end; throws if tshark failed. */
    public Capture await() {
        int status = tshark.waitFor(maxTime.plusSeconds(15));
        if (status != 0) {
            throw new IllegalStateException("tshark exited with " + status + ": " + tshark.output().strip());
        }
        return this;
    }

    /**
     * Ends the capture once the traffic is over: waits {@link #SETTLE}, then SIGTERM to tshark, which stops, writes
     * out every packet it has read and exits 0 (its normal end). For captures whose end only the test knows,
     * instead of waiting for the time bound. Throws if tshark fails.
     *
     * <p>Why the wait: libpcap's TPACKET_V3 ring hands packets to dumpcap a block at a time, a partly filled
     * block only when its timeout (dumpcap's read timeout, a fraction of a second) retires it, and dumpcap
     * stopped by a signal does not read what is still in the ring: stopped at once, the last packets would be
     * missing (measured: three packets sent right before the signal were all lost; 300 ms later none was).
     */
    public Capture stop() {
        stopAll(List.of(this));
        return this;
    }

    /** {@link #stop} for several captures of the same traffic, with one settling wait for them all. */
    public static void stopAll(List<Capture> captures) {
        LabProcess.sleep(SETTLE.toMillis());
        for (Capture c : captures) {
            int status = c.tshark.stop(Duration.ofSeconds(15));
            if (status != 0) {
                throw new IllegalStateException("tshark exited with " + status + " when stopped: " + c.tshark.output().strip());
            }
        }
    }

    /** The captured frames, whole (from the Ethernet header), in capture order; call after {@link #await}/{@link #stop}. */
    public List<byte[]> frames() {
        try {
            return readPcap(Files.readAllBytes(pcap));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + pcap + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records of a classic pcap file (24-byte file header; per packet a 16-byte header whose third word is the
     * captured length), in either byte order and either time resolution.
     */
    static List<byte[]> readPcap(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < 24) {
            throw new IllegalArgumentException("not a pcap file: " + file.length + " bytes");
        }
        int magic = b.getInt(0);
        if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
            b.order(ByteOrder.BIG_ENDIAN);
        } else if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            throw new IllegalArgumentException(String.format("not a classic pcap file (magic %08x)", magic));
        }
        List<byte[]> frames = new ArrayList<>();
        int at = 24;
        while (at + 16 <= file.length) {
            int length = b.getInt(at + 8);
            if (length < 0 || at + 16 + length > file.length) {
                throw new IllegalArgumentException("pcap record at byte " + at + " runs past the end of the file");
            }
            frames.add(Arrays.copyOfRange(file, at + 16, at + 16 + length));
            at += 16 + length;
        }
        return frames;
    }

    public Path pcap() {
        return pcap;
    }

    /** Every captured packet's values of the given tshark fields ({@code ip.src}, {@code eth.dst}, ...). */
    public List<List<String>> fields(String... fields) {
        return fieldsWhere(null, fields);
    }

    /** As {@link #fields(String...)}, only packets matching a display filter (e.g. {@code tcp.flags.syn==1}). */
    public List<List<String>> fieldsWhere(String displayFilter, String... fields) {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(),
                "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"));
        if (displayFilter != null) {
            cmd.addAll(List.of("-Y", displayFilter));
        }
        for (String f : fields) {
            cmd.addAll(List.of("-e", f));
        }
        String out = Commands.check(Duration.ofSeconds(60), null, cmd).stdout();
        List<List<String>> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) {
                rows.add(Arrays.asList(line.split("\t", -1)));
            }
        }
        return rows;
    }

    /** Stops tshark if it is still running. */
    @Override
    public void close() {
        tshark.close();
    }
}
