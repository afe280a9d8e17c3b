package org.jvs.director.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jvs.testkit.netns.Capture;
import org.jvs.testkit.netns.Host;
import org.jvs.testkit.netns.Lab;
import org.jvs.testkit.netns.WireChecksum;
import org.junit.jupiter.api.Test;

/**
 * VS/NAT through the packet engine in the NAT lab (the client on one network, the real servers on another, the
 * director between them and their default gateway). The shared cases are in {@link PacketEndToEnd}; here the
 * wire check of NAT.
 */
class PacketNatEndToEndTest extends PacketEndToEnd {
    private static final String GOOD = Capture.CHECKSUM_GOOD;

    PacketNatEndToEndTest() {
        super(Lab.Topology.NAT, "-m");
    }

    @Override
    void assertOutCounters(LabDirector.Stats s, List<Long> receivedFromVip) {
        // Every reply passes the director (it is the real servers' gateway) and is counted as it arrives, before
        // its source is rewritten: same packets, same lengths as the client receives from the VIP.
        assertThat(s.service().outPkts()).as(s.text()).isEqualTo(receivedFromVip.size());
        assertThat(s.service().outBytes()).as(s.text()).isEqualTo(sum(receivedFromVip));
    }

    @Test
    void checksumsAreValidTheRealServersNeverSeeTheVipAndRepliesComeFromIt() {
        Wire wire = threeConnectionsOnTheWire("tcp port " + Lab.HTTP_PORT);

        String client = lab.client().address();
        String vip = lab.vip();
        String[] fields = {"ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "ip.ttl", "ip.checksum.status"};
        List<List<String>> clientSide = wire.client().fields(fields);
        assertThat(clientSide).as("client capture").isNotEmpty();
        assertChecksums("client", wire.client());
        int replies = 0;
        for (List<String> p : clientSide) {
            assertThat(p.get(5)).as("IP checksum at the client %s", p).isEqualTo(GOOD);
            if (p.getFirst().equals(client)) {
                assertThat(p.subList(1, 5)).as("client to the VIP").containsExactly(vip, p.get(2), "80", "64");
            } else {
                // Rewritten back to the VIP and routed one hop by the director (TTL 64 at the real server).
                assertThat(p.subList(0, 5)).as("reply").containsExactly(vip, client, "80", p.get(3), "63");
                replies++;
            }
        }
        assertThat(replies).as("replies at the client").isPositive();

        for (int i = 0; i < wire.servers().size(); i++) {
            Host rs = lab.realServer(i + 1);
            List<List<String>> serverSide = wire.servers().get(i).fields(fields);
            assertThat(serverSide).as("%s got its connection", rs.name()).isNotEmpty();
            assertChecksums(rs.name(), wire.servers().get(i));
            for (List<String> p : serverSide) {
                assertThat(p.get(5)).as("IP checksum at %s %s", rs.name(), p).isEqualTo(GOOD);
                assertThat(p.subList(0, 2)).as("%s never sees the VIP", rs.name()).doesNotContain(vip);
                if (p.getFirst().equals(client)) {
                    assertThat(p.subList(1, 5)).as("to %s, TTL kept", rs.name()).containsExactly(rs.address(), p.get(2), "80", "64");
                } else {
                    assertThat(p.subList(0, 4)).as("from %s", rs.name()).containsExactly(rs.address(), client, "80", p.get(3));
                }
            }
        }
    }

    /**
     * Every TCP frame on that wire has valid checksums; with offloads on, a TCP checksum may instead be unfinished
     * (exactly the pseudo-header sum, which the rewrite must keep right for the new addresses), never wrong.
     */
    private void assertChecksums(String where, Capture capture) {
        List<WireChecksum> states = capture.frames().stream().map(WireChecksum::of).toList();
        assertThat(states).as("frames at %s", where).isNotEmpty().doesNotContain(WireChecksum.NOT_TCP);
        if (lab.offloads()) {
            assertThat(states).as("checksums at %s", where).containsAnyOf(WireChecksum.UNFINISHED)
                    .doesNotContain(WireChecksum.WRONG);
        } else {
            assertThat(states).as("checksums at %s", where).containsOnly(WireChecksum.FINISHED);
        }
    }

    static final int DEAD_PORT = 5301;

    /** A real server with nothing on the port answers "port unreachable"; the client's socket must hear it, from the VIP. */
    @Test
    void aPortUnreachableFromARealServerReachesTheClientsSocket() throws Exception {
        director = LabDirector.start(lab, LabDirector.service(lab, "udp", DEAD_PORT, "rr", 0));
        try (java.net.DatagramSocket c = lab.client().call(java.net.DatagramSocket::new)) {
            c.connect(new java.net.InetSocketAddress(lab.vip(), DEAD_PORT));
            c.setSoTimeout(3000);
            c.send(new java.net.DatagramPacket(new byte[] {'?'}, 1));
            // The kernel turns the error into ECONNREFUSED on a connected socket only if it quotes that socket's
            // own datagram: client:port to VIP:port, as the director rewrote it.
            Throwable t = org.assertj.core.api.Assertions.catchThrowable(
                    () -> c.receive(new java.net.DatagramPacket(new byte[16], 16)));
            assertThat(t).isInstanceOf(java.net.PortUnreachableException.class);
        }
    }

    /**
     * Path MTU discovery through the director: the link to the real servers carries at most 1300 bytes, the
     * servers advertise a 1460-byte MSS, so the client's first full segments do not fit; the engine answers
     * "fragmentation needed" from the VIP, the client's kernel lowers its path MTU and the upload completes.
     */
    @Test
    void uploadsCompleteWhenTheServersLinkHasASmallerMtu() throws Exception {
        lab.director().exec("ip", "link", "set", "eth1", "mtu", "1300");
        try {
            director = LabDirector.start(lab, LabDirector.service(lab, "tcp", SINK_PORT, "rr", 0));
            byte[] upload = new byte[1 << 20];
            new java.util.Random(13).nextBytes(upload);
            String expected = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(upload));

            assertThat(uploadDigests(1, upload)).containsExactly(expected);
            String route = lab.client().exec(java.time.Duration.ofSeconds(5), "ip", "route", "get", lab.vip()).stdout();
            assertThat(route).as("the client learned the path MTU from the engine's error").contains("mtu 1300");
        } finally {
            lab.director().exec("ip", "link", "set", "eth1", "mtu", "1500");
            lab.client().exec("ip", "route", "flush", "cache");
        }
    }

    /**
     * Datagrams without DF (fragments never have it) larger than the servers' link: the engine cuts the client's
     * 1 500-byte fragments again to fit 1 300 bytes, as the kernel fragments what IPVS sends, and each server gets
     * its datagram whole.
     */
    @Test
    void fragmentsTooLargeForTheServersLinkAreCutToFit() throws Exception {
        lab.director().exec("ip", "link", "set", "eth1", "mtu", "1300");
        try {
            director = LabDirector.start(lab, LabDirector.service(lab, "udp", UDP_PORT, "rr", 0));
            try (UdpNameServers servers = new UdpNameServers()) {
                List<String> answers = new java.util.ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    answers.add(askVipOverUdp("y".repeat(4000)));
                }
                assertThat(answers).containsExactlyInAnyOrder("rs1", "rs2", "rs3");
            }
        } finally {
            lab.director().exec("ip", "link", "set", "eth1", "mtu", "1500");
        }
    }

    @Test
    void theFirstAnswerToAClientTheEngineNeverSawInArpArrives() throws Exception {
        // The client already knows the director's MAC (a permanent entry), so it sends no ARP request the engine
        // could learn its MAC from: the engine must take it from the datagram itself, or drop the first answer
        // while it asks by ARP (what it did before NeighbourTable.glean).
        String gateway = lab.directorClientSide().address();
        lab.client().exec("ip", "neigh", "replace", gateway, "lladdr", lab.director().mac("eth0"), "dev", "eth0", "nud", "permanent");
        try (UdpNameServers servers = new UdpNameServers()) {
            director = LabDirector.start(lab, LabDirector.service(lab, "udp", UDP_PORT, "rr", 0));

            assertThat(askVipOverUdp("first")).isIn("rs1", "rs2", "rs3");
        } finally {
            lab.client().exec("ip", "neigh", "del", gateway, "dev", "eth0");
        }
    }
}
