package org.jvs.testkit.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The DR topology without a packet engine: everything is on one bridge, each real server answers on its own
 * address, and nobody answers ARP for the VIP (the real servers hold it on lo with arp_ignore=1), which is
 * what leaves the VIP to the director. Runs as root; never skipped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrLabTest {
    private Lab lab;

    @BeforeAll
    void buildLab() {
        lab = Lab.dr(2);
        lab.startNginx();
    }

    @AfterAll
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void clientReachesEachRealServerOverTheBridge() {
        for (Host rs : lab.realServers()) {
            assertEquals(rs.name(), lab.curl("http://" + rs.address() + "/"));
        }
    }

    @Test
    void realServersHoldTheVipOnLoopbackAndServeIt() {
        for (Host rs : lab.realServers()) {
            assertTrue(rs.exec("ip", "-o", "addr", "show", "dev", "lo").stdout().contains(lab.vip() + "/32"));
            assertEquals(rs.name(), rs.exec("curl", "-sS", "-m", "2", "http://" + lab.vip() + "/").stdout().strip());
        }
    }

    @Test
    void nobodyAnswersArpForTheVip() {
        try (Capture c = lab.capture(lab.client(), "eth0", "arp", 50, Duration.ofSeconds(5))) {
            CommandResult r = lab.client().run(Duration.ofSeconds(10), "curl", "-sS", "-m", "3", "http://" + lab.vip() + "/");
            assertFalse(r.ok(), "no director: the VIP must not be reachable, got " + r.stdout());
            c.await();
            List<List<String>> arp = c.fields("arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4");
            assertTrue(arp.contains(List.of("1", "192.0.2.1", lab.vip())), "the client asked for the VIP: " + arp);
            assertTrue(arp.stream().noneMatch(p -> p.get(0).equals("2") && p.get(1).equals(lab.vip())),
                    "a real server answered ARP for the VIP: " + arp);
        }
        String neigh = lab.client().exec("ip", "neigh", "show", lab.vip()).stdout();
        assertFalse(neigh.contains("lladdr"), "client learned a MAC for the VIP: " + neigh);
    }
}
