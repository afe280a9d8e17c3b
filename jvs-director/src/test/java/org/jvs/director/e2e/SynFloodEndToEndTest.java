package org.jvs.director.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jvs.director.api.Json;
import org.jvs.packet.flood.SynFlood;
import org.jvs.testkit.netns.CommandResult;
import org.jvs.testkit.netns.Lab;
import org.jvs.testkit.netns.LabProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A spoofed SYN flood at a VS/DR service while a legitimate client asks for pages, with and without IPVS' DoS
 * defences (docs/core.md, "DoS defenses"). The flood is {@link SynFlood} from the client namespace: random sources
 * of 198.18.0.0/15, {@value #FLOOD_PPS} SYNs/s, for at most {@value #FLOOD_SECONDS} s, against a connection table of
 * {@value #TABLE} entries. Each spoofed SYN leaves a SYN_RECV entry: 60 s of life normally, so the table is full after
 * about 14 s and every new connection is refused; 10 s with secure_tcp, so the flood holds about 6 000 entries and
 * the table never fills. The sizes are small so that the whole story fits in seconds; the arithmetic is the same as
 * a 1 048 576-entry table under 100 000 SYNs/s. Root only (CI runs as root); every flood and director is stopped
 * after its test, also on failure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class SynFloodEndToEndTest {
    static final int TABLE = 8192;
    static final int FLOOD_PPS = 600;
    static final int FLOOD_SECONDS = 40;
    /** Legitimate requests per phase, each on a new connection, each bounded by curl's own timeouts. */
    static final int REQUESTS = 50;

    Lab lab;
    LabDirector director;
    LabProcess flood;

    @BeforeAll
    void buildLab() {
        lab = Lab.builder(Lab.Topology.DR).realServers(3).build();
        lab.startNginx();
    }

    @AfterAll
    void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @AfterEach
    void stop() {
        if (flood != null) {
            flood.close();
            flood = null;
        }
        if (director != null) {
            director.close();
            director = null;
        }
    }

    /** What one phase saw: legitimate successes, the connection table, the director's memory. */
    record Phase(int ok, long entries, long refused, long rssKib) {
    }

    @Test
    void withoutDefencesTheFloodFillsTheTableAndLegitimateClientsAreRefused() throws Exception {
        Phase quiet = start("");
        assertThat(quiet.ok()).as("before the flood").isEqualTo(REQUESTS);
        floodUntilFull();
        Phase during = phase();
        report("no defence", quiet, during);
        assertThat(during.entries()).as("the table is full").isEqualTo(TABLE);
        assertThat(during.refused()).as("connections refused for want of room").isPositive();
        assertThat(during.ok()).as("legitimate requests that got through the full table").isLessThan(REQUESTS / 10);
    }

    @Test
    void withSecureTcpTheFloodsEntriesExpireInTenSecondsAndEveryLegitimateRequestSucceeds() throws Exception {
        Phase quiet = start("  defense: {secure_tcp: 3}\n");
        assertThat(quiet.ok()).isEqualTo(REQUESTS);
        startFlood();
        sleepSeconds(18); // past the 14 s in which the flood fills the table without a defence
        Phase during = phase();
        report("secure_tcp=3", quiet, during);
        assertThat(during.ok()).as("legitimate requests during the flood").isEqualTo(REQUESTS);
        assertThat(during.refused()).as("nothing refused for want of room").isZero();
        assertThat(during.entries()).as("the flood's entries stay bounded: about 10 s of it").isBetween(3_000L, 7_800L);
        assertThat(during.rssKib()).as("the director's memory stays bounded").isLessThan(quiet.rssKib() + 64 * 1024);
    }

    @Test
    void automaticDefencesTurnOnWhenTheTableNearsFullAndMakeRoom() throws Exception {
        Phase quiet = start("  defense: {drop_entry: 1, drop_packet: 1, secure_tcp: 1}\n");
        assertThat(quiet.ok()).isEqualTo(REQUESTS);
        assertThat(defense()).containsEntry("drop_entry", 1L).containsEntry("secure_tcp", 1L);
        startFlood();
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Object> d = defense();
        while (!Long.valueOf(2).equals(d.get("drop_entry")) && System.nanoTime() < end) {
            Thread.sleep(250);
            d = defense();
        }
        assertThat(d).as("the table within its low water counts as low memory").containsEntry("drop_entry", 2L)
                .containsEntry("drop_packet", 2L).containsEntry("secure_tcp", 2L);
        sleepSeconds(12); // the flood's entries made after the switch live 10 s, and drop_entry kills some each second
        Phase during = phase();
        report("automatic (1,1,1)", quiet, during);
        // The table hovers at its low water: below it the defences stand down, above it drop_packet refuses 1 in
        // rate new connections, legitimate ones too, so some get through (none do without a defence), not all.
        assertThat(during.ok()).as("legitimate requests through the automatic defences").isPositive();
    }

    // --- the lab's parts --------------------------------------------------------------------------------------

    /** A director with a {@value #TABLE}-entry table and {@code defense} (YAML lines); the quiet phase. */
    private Phase start(String defense) throws Exception {
        director = LabDirector.start(lab, LabDirector.service(lab, "rr", 0), "",
                "  conn_table_size: " + TABLE + "\n" + defense);
        return phase();
    }

    private void startFlood() {
        flood = lab.start(lab.client(), "flood", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                SynFlood.class.getName(), "--iface", "eth0", "--dst-mac", lab.director().mac("eth0"), "--dst", lab.vip(),
                "--port", Integer.toString(Lab.HTTP_PORT), "--seconds", Integer.toString(FLOOD_SECONDS),
                "--rate", Integer.toString(FLOOD_PPS));
        flood.awaitOutput("t=1s ", Duration.ofSeconds(30));
    }

    private void floodUntilFull() throws Exception {
        startFlood();
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (entries() < TABLE && System.nanoTime() < end) {
            Thread.sleep(250);
        }
    }

    /**
     * {@value #REQUESTS} GETs of the VIP, ten at a time, each on a new connection with 1 s to connect and 2 s in all
     * (a refused one costs its second, so a phase takes at most about 10 s); how many answered 200.
     */
    private Phase phase() throws IOException {
        String url = "http://" + lab.vip() + ":" + Lab.HTTP_PORT + "/";
        CommandResult r = lab.client().run(Duration.ofSeconds(60), "bash", "-c",
                "seq " + REQUESTS + " | xargs -P 10 -I{} curl -s -o /dev/null --connect-timeout 1 -m 2 -w '%{http_code}\\n' "
                        + url);
        int ok = (int) r.stdout().lines().filter(l -> l.strip().equals("200")).count();
        Map<String, Object> v4 = ipv4Table();
        return new Phase(ok, (Long) v4.get("entries"), (Long) v4.get("refused_when_full"), rssKib(director.pid()));
    }

    private long entries() {
        return (Long) ipv4Table().get("entries");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> ipv4Table() {
        return ((java.util.List<Map<String, Object>>) defense().get("conn_tables")).getFirst();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> defense() {
        return (Map<String, Object>) Json.parse(director.api("/v1/defense"));
    }

    private static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    private void report(String defence, Phase quiet, Phase during) {
        System.out.printf("syn flood %d/s, table %d, %s: legitimate %d/%d before, %d/%d during; entries %d -> %d,"
                        + " refused %d; director RSS %d -> %d MiB%n", FLOOD_PPS, TABLE, defence, quiet.ok(), REQUESTS,
                during.ok(), REQUESTS, quiet.entries(), during.entries(), during.refused(), quiet.rssKib() >> 10,
                during.rssKib() >> 10);
    }

    private static void sleepSeconds(int s) throws InterruptedException {
        Thread.sleep(s * 1000L);
    }
}
