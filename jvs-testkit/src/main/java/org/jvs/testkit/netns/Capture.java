package org.jvs.testkit.netns;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A bounded tshark capture on one interface of a lab host, written to a pcap file. It stops by itself
 * after {@code maxPackets} packets or {@code maxTime}, whichever comes first; {@link #await} waits for
 * that, then {@link #fields} reads the file back through tshark's dissectors (checksum validation on, so
 * {@code ip.checksum.status} and {@code tcp.checksum.status} say good or bad).
 */
public final class Capture implements AutoCloseable {
    /** {@code ip.checksum.status}/{@code tcp.checksum.status} value of a verified, correct checksum. */
    public static final String CHECKSUM_GOOD = "1";

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
                "-a", "duration:" + Math.max(1, maxTime.toSeconds()), "-w", pcap.toString()));
        if (filter != null && !filter.isBlank()) {
            cmd.addAll(List.of("-f", filter));
        }
        Capture c = new Capture(LabProcess.start(host, "tshark " + host.name() + ":" + ifname, cmd, log), pcap, maxTime);
        try {
            // dumpcap prints this once the interface is open: packets sent after it are captured.
            c.tshark.awaitOutput("Capturing on", Duration.ofSeconds(15));
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
