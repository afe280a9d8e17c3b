package org.jvs.director.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jvs.testkit.netns.Host;
import org.jvs.testkit.netns.Lab;
import org.junit.jupiter.api.Test;

/**
 * VS/DR through the packet engine in the DR lab (client, director and real servers on one bridge; the VIP on the
 * real servers' lo, which never answer ARP for it). The shared cases are in {@link PacketEndToEnd}; here the wire
 * check of DR and the lab's own tear-down after a failed test.
 */
class PacketDrEndToEndTest extends PacketEndToEnd {
    private static final int ETHERNET_HEADER = 14;

    PacketDrEndToEndTest() {
        super(Lab.Topology.DR, "-g");
    }

    @Override
    void assertOutCounters(LabDirector.Stats s, List<Long> receivedFromVip) {
        // The real servers answer the client directly: the director never sees a reply.
        assertThat(s.service().outPkts()).as(s.text()).isZero();
        assertThat(s.service().outBytes()).as(s.text()).isZero();
    }

    @Test
    void everyFrameReachesARealServerAsTheClientSentItButForTheEthernetAddresses() {
        Wire wire = threeConnectionsOnTheWire("tcp and dst host " + lab.vip() + " and dst port " + Lab.HTTP_PORT);

        String directorMac = lab.director().mac("eth0");
        String clientMac = lab.client().mac("eth0");
        List<byte[]> sent = wire.client().frames();
        assertThat(sent).as("frames the client sent to the VIP").hasSizeGreaterThanOrEqualTo(3 * 5);
        Map<String, Integer> expected = new HashMap<>();
        for (byte[] f : sent) {
            assertThat(mac(f, 0)).as("client frame's destination: the director answered ARP for the VIP").isEqualTo(directorMac);
            assertThat(mac(f, 6)).isEqualTo(clientMac);
            expected.merge(fromIp(f), 1, Integer::sum);
        }
        Map<String, Integer> arrived = new HashMap<>();
        for (int i = 0; i < wire.servers().size(); i++) {
            Host rs = lab.realServer(i + 1);
            String rsMac = rs.mac("eth0");
            List<byte[]> got = wire.servers().get(i).frames();
            assertThat(got).as("%s got its connection", rs.name()).isNotEmpty();
            for (byte[] f : got) {
                assertThat(mac(f, 0)).as("to %s's MAC", rs.name()).isEqualTo(rsMac);
                assertThat(mac(f, 6)).as("from the director's MAC").isEqualTo(directorMac);
                arrived.merge(fromIp(f), 1, Integer::sum);
            }
        }
        // Byte for byte from the IP header on (addresses, id, TTL, checksums, sequence numbers, payload), and every
        // frame exactly once: DR touches nothing but the Ethernet addresses.
        assertThat(arrived).isEqualTo(expected);
    }

    @Test
    void aLabWhoseTestFailsInsideItClosesAndLeavesNoNamespaceOrProcess() {
        String[] prefix = new String[1];
        long[] pid = new long[1];
        Throwable failure = catchThrowable(() -> {
            try (Lab small = Lab.dr(1)) {
                prefix[0] = small.prefix();
                LabDirector d = LabDirector.start(small, LabDirector.service(small, "rr", 0));
                pid[0] = d.pid();
                assertThat(Lab.namespaces()).as("the lab exists while open").anyMatch(ns -> ns.startsWith(prefix[0]));
                assertThat(d.stats().service().conns()).as("a failing assertion inside the lab").isEqualTo(-1);
            }
        });

        assertThat(failure).isInstanceOf(AssertionError.class).hasMessageContaining("a failing assertion inside the lab");
        assertThat(Lab.namespaces()).as("namespaces after close").noneMatch(ns -> ns.startsWith(prefix[0]));
        assertThat(ProcessHandle.of(pid[0]).filter(ProcessHandle::isAlive)).as("the director process").isEmpty();
    }

    /** Ethernet address at {@code offset} as {@code aa:bb:cc:dd:ee:ff}. */
    private static String mac(byte[] frame, int offset) {
        return HexFormat.ofDelimiter(":").formatHex(frame, offset, offset + 6);
    }

    private static String fromIp(byte[] frame) {
        return HexFormat.of().formatHex(frame, ETHERNET_HEADER, frame.length);
    }

    /**
     * IPVS' expire_nodest_conn, which users ask for: a UDP flow whose real server was removed keeps going to that
     * (dead) server for as long as it keeps sending, since every datagram refreshes its entry; with
     * {@code expire_nodest_conn: yes} the removal forgets the server's entries, and the flow's next datagram is
     * scheduled to a live server.
     */
    @Test
    void aUdpFlowSticksToARemovedServerUnlessExpireNodestConnIsOn() throws Exception {
        for (boolean expire : new boolean[] {false, true}) {
            director = LabDirector.start(lab, LabDirector.service(lab, "udp", UDP_PORT, "rr", 0), "",
                    "  conn_table_size: 65536\n  expire_nodest_conn: " + expire + "\n");
            try (UdpNameServers servers = new UdpNameServers();
                 java.net.DatagramSocket flow = lab.client().call(java.net.DatagramSocket::new)) {
                flow.setSoTimeout(1000);
                String first = ask(flow, "hello");
                assertThat(first).startsWith("rs");
                servers.stop(first);
                director.jvsadm("-d", "-u", lab.vip() + ":" + UDP_PORT, "-r", lab.realServers().stream()
                        .filter(h -> h.name().equals(first)).findFirst().orElseThrow().address());
                List<String> after = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    after.add(ask(flow, "again " + i));
                }
                if (expire) {
                    // The removal killed the flow's entry at once, so not even one datagram is lost (IPVS drops the
                    // first one that finds the entry, then forgets it).
                    assertThat(after).as("the flow is scheduled again, to one live server")
                            .doesNotContainNull().doesNotContain(first).containsOnly(after.getFirst());
                } else {
                    assertThat(after).as("the flow keeps going to %s, which no longer answers", first).containsOnlyNulls();
                }
            }
            director.close();
            director = null;
        }
    }

    /**
     * IPVS' expire_quiescent_template: a persistent client whose server was set to weight 0 (quiesced) keeps
     * getting that server for every new connection while its template lives; with
     * {@code expire_quiescent_template: yes} the template is given up and the next connection goes to a server
     * in service.
     */
    @Test
    void aPersistentClientStaysWithAQuiescedServerUnlessExpireQuiescentTemplateIsOn() {
        for (boolean expire : new boolean[] {false, true}) {
            director = LabDirector.start(lab, LabDirector.service(lab, "rr", 300), "",
                    "  conn_table_size: 65536\n  expire_quiescent_template: " + expire + "\n");
            List<String> before = curlVip(2);
            assertThat(before).containsOnly(before.getFirst());
            String pinned = before.getFirst();
            director.jvsadm("-e", "-t", director.vipPort(), "-r", lab.realServers().stream()
                    .filter(h -> h.name().equals(pinned)).findFirst().orElseThrow().address() + ":" + Lab.HTTP_PORT, "-g", "-w", "0");
            List<String> after = curlVip(4);
            if (expire) {
                assertThat(after).as("the template of a quiesced server is given up").doesNotContain(pinned)
                        .containsOnly(after.getFirst());
            } else {
                assertThat(after).as("the template keeps the client on %s at weight 0", pinned).containsOnly(pinned);
            }
            director.close();
            director = null;
        }
    }

    /**
     * A real server's cable pulled under load (its link down: no reset, no ICMP, its packets just vanish): the
     * health check takes it out within its window, and from then on every new connection succeeds. Two curl loops in
     * the client make new connections for 14 s (each bounded by 2 s); the cable goes back in afterwards, also on
     * failure.
     */
    @Test
    void aRealServerWhoseLinkGoesDownLeavesTheScheduleAndEveryNewConnectionAfterTheWindowSucceeds() throws Exception {
        director = LabDirector.start(lab, LabDirector.service(lab, "rr", 0).replace("    engine: packet\n",
                "    engine: packet\n    health_check: {type: tcp, delay_loop: 1s, connect_timeout: 1s, retry: 1,"
                        + " delay_before_retry: 500ms, warmup: 0}\n"));
        Host victim = lab.realServer(3);
        long end = System.currentTimeMillis() + 14_000;
        String loop = "while [ $(date +%s%3N) -lt " + end + " ]; do s=$(date +%s%3N); c=$(curl -s -o /dev/null -m 2 -w '%{http_code} %{local_port}' http://"
                + lab.vip() + "/); echo \"$s $(date +%s%3N) $c\"; done";
        java.util.concurrent.CompletableFuture<String> load = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                lab.client().exec(java.time.Duration.ofSeconds(40), "bash", "-c", "(" + loop + ") & (" + loop + ") & wait").stdout());
        long pulled;
        long marked;
        try {
            Thread.sleep(3_000);
            pulled = System.currentTimeMillis();
            lab.cable(victim, false);
            long bound = pulled + 15_000;
            // The window ends when the server is out of the schedule (gone from -L -n), which follows its DOWN state:
            // a connection scheduled between the two still goes to it.
            while (!director.jvsadm("-L", "-n", "--health").lines()
                    .anyMatch(l -> l.contains(victim.address() + ":" + Lab.HTTP_PORT) && l.contains("DOWN"))
                    || director.jvsadm("-L", "-n").contains(victim.address() + ":" + Lab.HTTP_PORT)) {
                assertThat(System.currentTimeMillis()).as("%s marked down", victim.name()).isLessThan(bound);
                Thread.sleep(50);
            }
            marked = System.currentTimeMillis();
            load.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            lab.cable(victim, true);
        }
        List<long[]> requests = load.get().lines().map(l -> l.split(" "))
                .map(f -> new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), f.length > 3 ? Long.parseLong(f[3]) : 0}).toList();
        long before = requests.stream().filter(r -> r[1] < pulled).count();
        long beforeFailed = requests.stream().filter(r -> r[1] < pulled && r[2] != 200).count();
        long window = requests.stream().filter(r -> r[1] >= pulled && r[0] < marked).count();
        long windowFailed = requests.stream().filter(r -> r[1] >= pulled && r[0] < marked && r[2] != 200).count();
        List<long[]> after = requests.stream().filter(r -> r[0] >= marked).toList();
        long afterFailed = after.stream().filter(r -> r[2] != 200).count();
        System.out.printf("link down (%s): marked down and out of the schedule %d ms after its cable was pulled; new connections before %d (%d failed),"
                        + " in the window %d (%d failed, each after curl's 2 s), after %d (%d failed)%n", lab.topology(),
                marked - pulled, before, beforeFailed, window, windowFailed, after.size(), afterFailed);
        // Where each new connection after the window went, from the director's own table (its entries outlive the test):
        // the claim is that none went to the victim.
        String victimAt = victim.address() + ":" + Lab.HTTP_PORT;
        Map<Long, String> destOf = new java.util.HashMap<>();
        for (String l : director.jvsadm("-L", "-c", "-n").lines().toList()) {
            String[] f = l.trim().split("\\s+");
            if (f.length >= 6 && f[3].startsWith(lab.client().address() + ":")) {
                destOf.put(Long.parseLong(f[3].substring(f[3].lastIndexOf(':') + 1)), f[5]);
            }
        }
        List<long[]> toVictim = after.stream().filter(r -> victimAt.equals(destOf.get(r[3]))).toList();
        List<long[]> failedAfter = after.stream().filter(r -> r[2] != 200).toList();
        failedAfter.forEach(r -> System.out.printf("  failed after the window: started %d ms after it, took %d ms, http %d, client port %d,"
                + " sent to %s%n", r[0] - marked, r[1] - r[0], r[2], r[3], destOf.getOrDefault(r[3], "(no entry)")));
        if (!failedAfter.isEmpty()) {
            director.log().lines().filter(l -> l.contains(" DOWN") || l.contains(" UP") || l.contains("WARN") || l.contains("ERROR"))
                    .forEach(l -> System.out.println("  director: " + l));
        }
        assertThat(beforeFailed).isZero();
        assertThat(before).isPositive();
        assertThat(after.size()).as("new connections after the window").isGreaterThan(50);
        long known = after.stream().filter(r -> destOf.containsKey(r[3])).count();
        System.out.printf("  after the window: %d of %d new connections found in the director's table, %d of them sent to %s%n",
                known, after.size(), toVictim.size(), victim.name());
        assertThat(known).as("connections after the window the director's table still shows (so the next check means something)")
                .isGreaterThan(after.size() * 9L / 10);
        assertThat(toVictim).as("new connections sent to %s after it left the schedule", victim.name()).isEmpty();
        // A connection to a healthy server can still be lost on a loaded machine (a SYN and its retry both late past
        // curl's 2 s); each such failure is printed with where it went. Seen once in a CI run: 2 of 545, before this test said where they went.
        assertThat(afterFailed).as("failed new connections after the health check took the server out (none to the victim)")
                .isLessThanOrEqualTo(after.size() / 100);
    }

    /** One datagram on an existing flow; the answer, or null when none comes within the socket's timeout. */
    private String ask(java.net.DatagramSocket flow, String question) throws java.io.IOException {
        byte[] q = question.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        flow.send(new java.net.DatagramPacket(q, q.length, new java.net.InetSocketAddress(lab.vip(), UDP_PORT)));
        java.net.DatagramPacket a = new java.net.DatagramPacket(new byte[64], 64);
        try {
            flow.receive(a);
        } catch (java.net.SocketTimeoutException e) {
            return null;
        }
        return new String(a.getData(), 0, a.getLength(), java.nio.charset.StandardCharsets.US_ASCII);
    }
}
