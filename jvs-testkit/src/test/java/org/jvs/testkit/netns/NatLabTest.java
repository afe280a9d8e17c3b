package org.jvs.testkit.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The NAT topology with the kernel as director (forwarding + nftables DNAT round robin): the lab's wiring,
 * nginx, curl, wrk and tshark helpers work end to end. Runs as root (CI does); never skipped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NatLabTest {
    private Lab lab;

    @BeforeAll
    void buildLab() {
        lab = Lab.nat(3);
        lab.kernelForwarding(true);
        lab.kernelDnatRoundRobin(Lab.HTTP_PORT);
        lab.startNginx();
    }

    @AfterAll
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void curlToTheVipReachesEveryRealServerInTurn() {
        Map<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < 9; i++) {
            answers.merge(lab.curlVip(), 1, Integer::sum);
        }
        assertEquals(Map.of("rs1", 3, "rs2", 3, "rs3", 3), answers);
    }

    @Test
    void wrkThroughTheVipHasNoErrors() {
        WrkResult r = lab.wrk("http://" + lab.vip() + "/", 8, Duration.ofSeconds(3));
        assertTrue(r.requests() > 0, r.output());
        assertEquals(0, r.socketErrors(), r.output());
        assertEquals(0, r.non2xx(), r.output());
    }

    @Test
    void realServerSeesTheClientAddressNotTheVipWithValidChecksums() {
        Host rs1 = lab.realServer(1);
        try (Capture c = lab.capture(rs1, "eth0", "tcp port " + Lab.HTTP_PORT, 200, Duration.ofSeconds(6))) {
            for (int i = 0; i < 6; i++) { // round robin: two of them reach rs1
                lab.curlVip();
            }
            c.await();
            List<List<String>> toServer = c.fieldsWhere("tcp.dstport==" + Lab.HTTP_PORT, "ip.src", "ip.dst",
                    "ip.checksum.status");
            assertTrue(toServer.size() >= 6, "two connections' worth of packets: " + toServer);
            for (List<String> p : toServer) {
                assertEquals(List.of(lab.client().address(), rs1.address(), Capture.CHECKSUM_GOOD), p);
            }
            // With the veths' default offloads the kernel forwards a TCP checksum unfinished (the pseudo-header
            // sum, for the receiver's side to trust); with offloads off every one is finished. Never wrong.
            List<WireChecksum> states = c.frames().stream().map(WireChecksum::of).toList();
            assertFalse(states.contains(WireChecksum.WRONG), states.toString());
            assertFalse(states.contains(WireChecksum.NOT_TCP), states.toString());
            if (!lab.offloads()) {
                assertEquals(List.of(WireChecksum.FINISHED), states.stream().distinct().toList());
            }
            for (List<String> p : c.fields("ip.src", "ip.dst")) {
                assertFalse(p.contains(lab.vip()), "the real server never sees the VIP: " + p);
            }
        }
    }

    @Test
    void interfacesHaveTheirAddressesAndMacs() {
        assertEquals("198.51.100.2", lab.directorClientSide().address());
        assertEquals("192.0.2.1", lab.directorServerSide().address());
        assertEquals("192.0.2.13", lab.realServer(3).address());
        String mac = lab.director().mac("eth1");
        assertTrue(mac.matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}"), mac);
        long before = lab.realServer(1).counter("eth0", "rx_packets");
        assertEquals("rs1", lab.curl("http://" + lab.realServer(1).address() + "/"), "forwarded by the director's kernel");
        assertTrue(lab.realServer(1).counter("eth0", "rx_packets") >= before + 3, "SYN, ACK, request at least");
        assertEquals("0", lab.director().sysctlValue("net.ipv4.conf.all.rp_filter"));
    }
}
