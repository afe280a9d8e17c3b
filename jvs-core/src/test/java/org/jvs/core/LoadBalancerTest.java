package org.jvs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jvs.core.conn.TcpStateMachine;
import org.jvs.core.model.ConfigException;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Persistence;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.model.TunnelType;
import org.jvs.core.sched.Flow;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {
    static final int SYN = TcpStateMachine.SYN;
    static final int ACK = TcpStateMachine.ACK;
    static final int RST = TcpStateMachine.RST;
    static final IpAddr VIP = IpAddr.parse("10.0.0.100");
    static final ServiceKey WEB = new ServiceKey.Virtual(Protocol.TCP, VIP, 80);

    final ManualClock clock = new ManualClock();
    final AtomicLong freeMemory = new AtomicLong(1L << 30);
    final LoadBalancer lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(10_000, 1_000)
            .withMemory(64L << 20, freeMemory::get), clock);
    final Flow flow = new Flow();
    final Decision decision = new Decision();

    @AfterEach
    void close() {
        lb.close();
    }

    static IpAddr ip(String s) {
        return IpAddr.parse(s);
    }

    Dest add(ServiceKey key, String rip, int port, ForwardingMethod m, int weight) {
        return lb.addDest(key, DestSpec.of(ip(rip), port, m).withWeight(weight));
    }

    Decision syn(String client, int cport) {
        lb.inbound(flow.set(6, ip(client), cport, VIP, 80), SYN, 60, decision);
        return decision;
    }

    void housekeep(int seconds) {
        for (int i = 0; i < seconds; i++) {
            clock.advanceSeconds(1);
            lb.housekeeping();
        }
    }

    // ---- bad input leaves the model unchanged ------------------------------------------------------

    @Test
    void badRequestsAreRefusedWithClearMessagesAndChangeNothing() {
        lb.addService(ServiceSpec.of(WEB, "rr"));
        add(WEB, "10.0.0.1", 80, ForwardingMethod.NAT, 1);
        String before = lb.services().toString();

        assertThatThrownBy(() -> lb.addService(ServiceSpec.of(new ServiceKey.Virtual(Protocol.TCP, VIP, 81), "nosuch")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown scheduler 'nosuch'").hasMessageContaining("wlc");
        assertThatThrownBy(() -> lb.addService(ServiceSpec.of(WEB, "wlc")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("already exists");
        assertThatThrownBy(() -> add(WEB, "10.0.0.1", 80, ForwardingMethod.NAT, 1))
                .isInstanceOf(ConfigException.class).hasMessageContaining("10.0.0.1:80 already exists");
        assertThatThrownBy(() -> add(WEB, "10.0.0.2", 80, ForwardingMethod.NAT, 70_000))
                .isInstanceOf(ConfigException.class).hasMessageContaining("weight 70000 out of range 0..65535");
        assertThatThrownBy(() -> add(WEB, "2001:db8::1", 80, ForwardingMethod.NAT, 1))
                .isInstanceOf(ConfigException.class).hasMessageContaining("only be mixed with tunnelling");
        assertThatThrownBy(() -> lb.addService(ServiceSpec.of(new ServiceKey.Virtual(Protocol.TCP, VIP, 0), "rr")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("port 0 (all ports) requires persistence");
        assertThatThrownBy(() -> lb.editService(ServiceSpec.of(WEB, "bogus")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown scheduler");
        assertThatThrownBy(() -> lb.editDest(WEB, DestSpec.of(ip("10.9.9.9"), 80, ForwardingMethod.NAT)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no real server 10.9.9.9:80");
        assertThatThrownBy(() -> lb.deleteService(new ServiceKey.Virtual(Protocol.UDP, VIP, 53)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no service udp 10.0.0.100:53");
        assertThatThrownBy(() -> IpAddr.parse("www.example.com"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a numeric IP address");

        assertThat(lb.services().toString()).isEqualTo(before);
        assertThat(lb.service(WEB).scheduler().name()).isEqualTo("rr");
    }

    @Test
    void directRoutingAndTunnelsKeepTheServicePortAndOnlyTunnelsMixFamilies() {
        lb.addService(ServiceSpec.of(WEB, "rr"));
        Dest dr = add(WEB, "10.0.0.1", 8080, ForwardingMethod.DIRECT_ROUTE, 1);
        assertThat(dr.port()).isEqualTo(80);
        Dest nat = add(WEB, "10.0.0.2", 8080, ForwardingMethod.NAT, 1);
        assertThat(nat.port()).isEqualTo(8080);
        Dest tun6 = add(WEB, "2001:db8::1", 80, new ForwardingMethod.Tunnel(TunnelType.IPIP, 0), 1);
        assertThat(tun6.address().v6()).isTrue();
        // Deleting a DR server by the port the user typed still finds it.
        lb.deleteDest(WEB, ip("10.0.0.1"), 8080);
        assertThat(lb.service(WEB).dests()).containsExactly(nat, tun6);

        ServiceKey fwm = new ServiceKey.Fwmark(7, false);
        lb.addService(ServiceSpec.of(fwm, "rr"));
        assertThat(add(fwm, "10.0.0.3", 8080, ForwardingMethod.DIRECT_ROUTE, 1).port()).as("fwmark DR: IPVS stores port 0").isZero();
        assertThat(add(fwm, "10.0.0.4", 8080, ForwardingMethod.NAT, 1).port()).isEqualTo(8080);
    }

    // ---- scheduling and connections ----------------------------------------------------------------

    @Test
    void aSynSchedulesAndLaterSegmentsFollowTheConnection() {
        lb.addService(ServiceSpec.of(WEB, "rr"));
        Dest a = add(WEB, "10.0.0.1", 80, ForwardingMethod.DIRECT_ROUTE, 1);
        Dest b = add(WEB, "10.0.0.2", 80, ForwardingMethod.DIRECT_ROUTE, 1);

        assertThat(syn("1.1.1.1", 1000).dest).isSameAs(a);
        assertThat(decision.created).isTrue();
        assertThat(syn("1.1.1.1", 1001).dest).isSameAs(b);
        lb.inbound(flow.set(6, ip("1.1.1.1"), 1000, VIP, 80), ACK, 52, decision);
        assertThat(decision.verdict).isEqualTo(Decision.ACCEPT);
        assertThat(decision.dest).isSameAs(a);
        assertThat(decision.created).isFalse();
        assertThat(a.activeConns()).isEqualTo(1);
        assertThat(b.inactiveConns()).isEqualTo(1);

        lb.inbound(flow.set(6, ip("1.1.1.1"), 2000, VIP, 80), ACK, 52, decision);
        assertThat(decision.verdict).as("no scheduling without a SYN").isEqualTo(Decision.NO_CONN);
        lb.inbound(flow.set(6, ip("1.1.1.1"), 2001, VIP, 80), SYN | RST, 52, decision);
        assertThat(decision.verdict).as("a SYN with RST opens nothing").isEqualTo(Decision.NO_CONN);
        lb.inbound(flow.set(6, ip("1.1.1.1"), 2000, VIP, 443), SYN, 60, decision);
        assertThat(decision.verdict).isEqualTo(Decision.NOT_OURS);

        lb.editDest(WEB, a.spec().withWeight(0));
        lb.editDest(WEB, b.spec().withWeight(0));
        assertThat(syn("1.1.1.1", 3000).verdict).isEqualTo(Decision.NO_DEST);
    }

    @Test
    void quiescedServerKeepsItsConnectionsButGetsNoNewOnes() {
        lb.addService(ServiceSpec.of(WEB, "wlc"));
        Dest a = add(WEB, "10.0.0.1", 80, ForwardingMethod.DIRECT_ROUTE, 1);
        Dest b = add(WEB, "10.0.0.2", 80, ForwardingMethod.DIRECT_ROUTE, 1);
        assertThat(syn("1.1.1.1", 1000).dest).isSameAs(a);
        lb.editDest(WEB, a.spec().withWeight(0));
        for (int p = 2000; p < 2020; p++) {
            assertThat(syn("1.1.1.1", p).dest).isSameAs(b);
        }
        lb.inbound(flow.set(6, ip("1.1.1.1"), 1000, VIP, 80), ACK, 52, decision);
        assertThat(decision.dest).isSameAs(a);
    }

    @Test
    void persistenceKeepsANetworkOnOneServerUntilItsTemplateExpires() {
        lb.addService(ServiceSpec.of(WEB, "rr").withPersistence(new Persistence(100, 24)));
        Dest a = add(WEB, "10.0.0.1", 80, ForwardingMethod.DIRECT_ROUTE, 1);
        Dest b = add(WEB, "10.0.0.2", 80, ForwardingMethod.DIRECT_ROUTE, 1);

        assertThat(syn("1.1.1.1", 1000).dest).isSameAs(a);
        for (int i = 2; i < 40; i++) {
            assertThat(syn("1.1.1." + i, 1000 + i).dest).as("same /24 -> same server").isSameAs(a);
        }
        assertThat(syn("1.1.2.1", 1000).dest).as("another /24 is scheduled afresh").isSameAs(b);
        assertThat(a.persistentConns()).isEqualTo(1);
        assertThat(lb.lookupFlow(flow.set(6, ip("1.1.1.200"), 5, VIP, 80)).reason()).isEqualTo(FlowAnswer.Reason.PERSISTENCE_TEMPLATE);

        // Quiescing does not break persistence (IPVS) unless expire_quiescent_template is set.
        lb.editDest(WEB, a.spec().withWeight(0));
        assertThat(syn("1.1.1.77", 1).dest).isSameAs(a);
        lb.expireQuiescentTemplate(true);
        assertThat(syn("1.1.1.78", 1).dest).isSameAs(b);
        lb.expireQuiescentTemplate(false);
        lb.editDest(WEB, a.spec().withWeight(1));

        // Every connection is half-open (SYN_RECV, 60 s); the templates outlive them by their own timeout.
        housekeep(61);
        assertThat(lb.connections()).allMatch(ConnEntry::template);
        housekeep(100);
        assertThat(lb.connections()).isEmpty();
        assertThat(a.persistentConns() + b.persistentConns()).isZero();
    }

    @Test
    void portZeroServicePersistsAcrossEveryPort() {
        ServiceKey all = new ServiceKey.Virtual(Protocol.TCP, VIP, 0);
        lb.addService(ServiceSpec.of(all, "rr", Persistence.of(360, false)));
        Dest a = add(all, "10.0.0.1", 0, ForwardingMethod.DIRECT_ROUTE, 1);
        add(all, "10.0.0.2", 0, ForwardingMethod.DIRECT_ROUTE, 1);
        Set<Dest> seen = new HashSet<>();
        for (int port : new int[] {21, 80, 443, 8080}) {
            lb.inbound(flow.set(6, ip("7.7.7.7"), 3000 + port, VIP, port), SYN, 60, decision);
            assertThat(decision.verdict).isEqualTo(Decision.ACCEPT);
            seen.add(decision.dest);
            assertThat(lb.connTable(false).destPort(decision.conn)).as("dest port 0 keeps the packet's port").isEqualTo(port);
        }
        assertThat(seen).containsExactly(a);
    }

    @Test
    void firewallMarkWinsOverAddressAndSharesOneTemplateAcrossPorts() {
        lb.addService(ServiceSpec.of(WEB, "rr"));
        Dest web = add(WEB, "10.0.0.1", 80, ForwardingMethod.DIRECT_ROUTE, 1);
        ServiceKey fwm = new ServiceKey.Fwmark(1, false);
        lb.addService(ServiceSpec.of(fwm, "rr").withPersistence(Persistence.of(360, false)));
        Dest m1 = add(fwm, "10.0.0.8", 0, ForwardingMethod.DIRECT_ROUTE, 1);
        add(fwm, "10.0.0.9", 0, ForwardingMethod.DIRECT_ROUTE, 1);

        lb.inbound(flow.set(6, ip("2.2.2.2"), 1000, VIP, 80).fwmark(1), SYN, 60, decision);
        assertThat(decision.dest).isSameAs(m1);
        lb.inbound(flow.set(6, ip("2.2.2.2"), 1001, VIP, 443).fwmark(1), SYN, 60, decision);
        assertThat(decision.dest).as("one template for every port of the mark").isSameAs(m1);
        lb.inbound(flow.set(6, ip("2.2.2.2"), 1002, VIP, 80), SYN, 60, decision);
        assertThat(decision.dest).as("unmarked traffic falls to the address service").isSameAs(web);
        assertThat(lb.connections()).filteredOn(ConnEntry::template).singleElement()
                .satisfies(e -> assertThat(e.protocolLabel()).isEqualTo("IP"));
    }

    @Test
    void removedServerConnectionsFinishUnlessExpireNodestConn() {
        lb.addService(ServiceSpec.of(WEB, "rr"));
        Dest a = add(WEB, "10.0.0.1", 80, ForwardingMethod.DIRECT_ROUTE, 1);
        add(WEB, "10.0.0.2", 80, ForwardingMethod.DIRECT_ROUTE, 1);
        syn("3.3.3.3", 1);
        lb.deleteDest(WEB, a.address(), 80);
        lb.inbound(flow.set(6, ip("3.3.3.3"), 1, VIP, 80), ACK, 52, decision);
        assertThat(decision.dest).as("existing connection keeps its removed server").isSameAs(a);
        assertThat(a.isAvailable()).isFalse();

        lb.expireNodestConn(true);
        lb.inbound(flow.set(6, ip("3.3.3.3"), 1, VIP, 80), ACK, 52, decision);
        assertThat(decision.verdict).isEqualTo(Decision.DROP);
        housekeep(2);
        assertThat(a.activeConns() + a.inactiveConns()).isZero();
    }

    @Test
    void natRepliesAreMatchedByTheirReplyTuple() {
        lb.addService(ServiceSpec.of(WEB, "rr"));
        Dest a = add(WEB, "192.168.1.10", 8080, ForwardingMethod.NAT, 1);
        syn("4.4.4.4", 5555);
        lb.outbound(flow.set(6, ip("192.168.1.10"), 8080, ip("4.4.4.4"), 5555), SYN | ACK, 60, decision);
        assertThat(decision.verdict).isEqualTo(Decision.ACCEPT);
        assertThat(decision.dest).isSameAs(a);
        lb.outbound(flow.set(6, ip("192.168.1.10"), 8080, ip("4.4.4.5"), 5555), ACK, 60, decision);
        assertThat(decision.verdict).isEqualTo(Decision.NOT_OURS);
        assertThat(a.stats().totals().outPackets()).isEqualTo(1);
    }

    @Test
    void onePacketSchedulingRemembersNothing() {
        ServiceKey dns = new ServiceKey.Virtual(Protocol.UDP, VIP, 53);
        lb.addService(ServiceSpec.of(dns, "rr").withOnePacket(true));
        Dest a = add(dns, "10.0.0.1", 53, ForwardingMethod.NAT, 1);
        Dest b = add(dns, "10.0.0.2", 53, ForwardingMethod.NAT, 1);
        lb.inbound(flow.set(17, ip("5.5.5.5"), 999, VIP, 53), 0, 80, decision);
        assertThat(decision.dest).isSameAs(a);
        lb.inbound(flow.set(17, ip("5.5.5.5"), 999, VIP, 53), 0, 80, decision);
        assertThat(decision.dest).isSameAs(b);
        assertThat(decision.conn).isEqualTo(-1);
        assertThat(lb.connections()).isEmpty();
        assertThat(lb.service(dns).stats().totals().conns()).isEqualTo(2);
    }

    @Test
    void statisticsCountConnectionsPacketsAndBytesAtEveryLevelAndRatesFollow() {
        lb.addService(ServiceSpec.of(WEB, "rr"));
        Dest a = add(WEB, "10.0.0.1", 80, ForwardingMethod.DIRECT_ROUTE, 1);
        for (int s = 0; s < 10; s++) {
            for (int p = 0; p < 10; p++) {
                syn("6.6.6.6", 10_000 + s * 10 + p);
                lb.inbound(flow.set(6, ip("6.6.6.6"), 10_000 + s * 10 + p, VIP, 80), ACK, 40, decision);
            }
            housekeep(1);
        }
        var t = a.stats().totals();
        assertThat(t.conns()).isEqualTo(100);
        assertThat(t.inPackets()).isEqualTo(200);
        assertThat(t.inBytes()).isEqualTo(100 * 100);
        assertThat(lb.service(WEB).stats().totals()).isEqualTo(t);
        assertThat(lb.stats().totals()).isEqualTo(t);
        assertThat(a.stats().rates().cps()).isGreaterThan(0);
        lb.zero();
        assertThat(a.stats().totals().conns()).isZero();
        assertThat(lb.stats().totals().inBytes()).isZero();
    }

    @Test
    void lookupFlowExplainsAndMovesNothing() {
        assertThat(lb.lookupFlow(flow.set(6, ip("1.2.3.4"), 1, VIP, 80)).reason()).isEqualTo(FlowAnswer.Reason.NO_SERVICE);
        lb.addService(ServiceSpec.of(WEB, "rr"));
        assertThat(lb.lookupFlow(flow).reason()).isEqualTo(FlowAnswer.Reason.NO_USABLE_DEST);
        Dest a = add(WEB, "10.0.0.1", 80, ForwardingMethod.DIRECT_ROUTE, 1);
        Dest b = add(WEB, "10.0.0.2", 80, ForwardingMethod.DIRECT_ROUTE, 1);
        for (int i = 0; i < 3; i++) {
            FlowAnswer ans = lb.lookupFlow(flow.set(6, ip("1.2.3.4"), 1, VIP, 80));
            assertThat(ans.reason()).isEqualTo(FlowAnswer.Reason.SCHEDULER);
            assertThat(ans.dest()).isSameAs(a);
        }
        assertThat(lb.connections()).isEmpty();
        syn("1.2.3.4", 1);
        assertThat(decision.dest).isSameAs(a);
        FlowAnswer existing = lb.lookupFlow(flow.set(6, ip("1.2.3.4"), 1, VIP, 80));
        assertThat(existing.reason()).isEqualTo(FlowAnswer.Reason.EXISTING_CONNECTION);
        assertThat(existing.detail()).contains("SYN_RECV");
        assertThat(lb.lookupFlow(flow.set(6, ip("1.2.3.4"), 2, VIP, 80)).dest()).isSameAs(b);
    }

    @Test
    void dropPacketDefenseDropsConnectionCreatingPacketsWhenMemoryIsLow() {
        lb.addService(ServiceSpec.of(WEB, "rr"));
        add(WEB, "10.0.0.1", 80, ForwardingMethod.DIRECT_ROUTE, 1);
        lb.defense().setDropPacketMode(1);
        freeMemory.set(32L << 20); // below the 64 MiB threshold: rate = 64 / (64 - 32) = 2
        housekeep(1);
        int dropped = 0;
        for (int p = 0; p < 100; p++) {
            if (syn("8.8.8.8", p).verdict == Decision.DROP) {
                dropped++;
            }
        }
        assertThat(dropped).isEqualTo(50);
        freeMemory.set(1L << 30);
        housekeep(1);
        for (int p = 100; p < 200; p++) {
            assertThat(syn("8.8.8.8", p).verdict).isEqualTo(Decision.ACCEPT);
        }
    }

    @Test
    void aConnectionTableNearlyFullIsLowMemoryForTheDefencesThoughTheMachineHasPlenty() {
        // 1000 entries: the low water is 50 free. Memory is 1 GiB, far above the 64 MiB threshold.
        LoadBalancer small = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(1_000, 100)
                .withMemory(64L << 20, freeMemory::get), clock);
        try {
            small.addService(ServiceSpec.of(WEB, "rr"));
            small.addDest(WEB, DestSpec.of(ip("10.0.0.1"), 80, ForwardingMethod.DIRECT_ROUTE));
            small.defense().setDropEntryMode(1);
            small.defense().setDropPacketMode(1);
            Decision d = new Decision();
            for (int p = 0; p < 949; p++) { // 51 free: above the low water
                small.inbound(flow.set(6, ip("10.9.0.1"), 1000 + p, VIP, 80), SYN, 60, d);
                assertThat(d.verdict).isEqualTo(Decision.ACCEPT);
            }
            clock.advanceSeconds(1);
            small.housekeeping();
            assertThat(small.defense().dropEntryMode()).isEqualTo(1);
            assertThat(small.defense().dropRate()).isZero();

            for (int p = 949; p < 975; p++) { // 25 free: half the low water, so "memory" is half the threshold
                small.inbound(flow.set(6, ip("10.9.0.1"), 1000 + p, VIP, 80), SYN, 60, d);
            }
            small.defense().update();
            assertThat(small.defense().dropEntryMode()).isEqualTo(2);
            assertThat(small.defense().availableMemory()).isEqualTo((64L << 20) / 2);
            assertThat(small.defense().dropRate()).isEqualTo(2); // 64 / (64 - 32)
            clock.advanceSeconds(1);
            small.housekeeping(); // drop_entry in force: SYN_RECV entries go
            assertThat(small.connections()).hasSizeLessThan(975);

            // Table room back (the flood's entries expire): the defences stand down.
            clock.advanceSeconds(120);
            small.housekeeping();
            assertThat(small.connTable(false).size()).isZero();
            assertThat(small.defense().dropEntryMode()).isEqualTo(1);
            assertThat(small.defense().dropRate()).isZero();
        } finally {
            small.close();
        }
    }

    @Test
    void dataPathAllocatesNothing() {
        lb.addService(ServiceSpec.of(WEB, "wlc").withPersistence(new Persistence(300, 24)));
        add(WEB, "10.0.0.1", 80, ForwardingMethod.DIRECT_ROUTE, 1);
        add(WEB, "10.0.0.2", 80, ForwardingMethod.DIRECT_ROUTE, 2);
        ServiceKey other = new ServiceKey.Virtual(Protocol.TCP, VIP, 81);
        lb.addService(ServiceSpec.of(other, "rr"));
        add(other, "10.0.0.3", 81, ForwardingMethod.NAT, 1);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        traffic(100_000);
        long before = mx.getCurrentThreadAllocatedBytes();
        traffic(1_000_000);
        assertThat(mx.getCurrentThreadAllocatedBytes() - before).isLessThan(1024);
    }

    private void traffic(int n) {
        for (int i = 0; i < n; i++) {
            int client = 0x0B00_0000 + (i & 0x3FFF);
            int port = 1024 + (i & 0xFF);
            int vport = (i & 1) == 0 ? 80 : 81;
            lb.inbound(flow.setV4(6, client, port, VIP.v4Int(), vport), SYN, 60, decision);
            lb.inbound(flow, ACK, 52, decision);
            if (vport == 81) {
                lb.outbound(flow.setV4(6, 0x0A00_0003, 81, client, port), ACK, 52, decision);
            }
            if ((i & 0x3FFF) == 0) {
                clock.advanceSeconds(1);
                lb.connTable(false).expire();
            }
        }
    }

    @Test
    void retryMovesAFailedConnectionToTheNextUsableServer() {
        lb.addService(ServiceSpec.of(WEB, "rr").withPersistence(Persistence.of(300, false)));
        Dest a = add(WEB, "10.0.0.1", 80, ForwardingMethod.NAT, 1);
        Dest b = add(WEB, "10.0.0.2", 80, ForwardingMethod.NAT, 1);
        Dest c = add(WEB, "10.0.0.3", 80, ForwardingMethod.NAT, 0);
        assertThat(syn("9.9.9.9", 1).dest).isSameAs(a);

        lb.retry(flow.set(6, ip("9.9.9.9"), 1, VIP, 80), a, SYN, decision);
        assertThat(decision.verdict).isEqualTo(Decision.ACCEPT);
        assertThat(decision.dest).as("next usable after a; c is quiesced").isSameAs(b);
        assertThat(decision.created).isTrue();
        lb.inbound(flow.set(6, ip("9.9.9.9"), 1, VIP, 80), ACK, 40, decision);
        assertThat(decision.dest).as("later segments follow the retried connection").isSameAs(b);
        assertThat(syn("9.9.9.9", 2).dest).as("the persistence template moved too").isSameAs(b);

        housekeep(2);
        assertThat(a.activeConns() + a.inactiveConns()).isZero();
        assertThat(a.persistentConns()).isZero();
        assertThat(b.persistentConns()).isEqualTo(1);

        lb.retry(flow.set(6, ip("9.9.9.9"), 1, VIP, 80), b, SYN, decision);
        assertThat(decision.dest).as("wraps around the list").isSameAs(a);
        lb.editDest(WEB, a.spec().withWeight(0));
        lb.retry(flow.set(6, ip("9.9.9.9"), 1, VIP, 80), b, SYN, decision);
        assertThat(decision.verdict).isEqualTo(Decision.NO_DEST);
        assertThat(c.activeConns() + c.inactiveConns()).isZero();
    }

    @Test
    void aNewSynOnAClosedEntryIsScheduledAfresh() {
        lb.addService(ServiceSpec.of(WEB, "rr"));
        Dest a = add(WEB, "10.0.0.1", 80, ForwardingMethod.NAT, 1);
        Dest b = add(WEB, "10.0.0.2", 80, ForwardingMethod.NAT, 1);
        assertThat(syn("1.1.1.1", 1000).dest).isSameAs(a);
        lb.inbound(flow.set(6, ip("1.1.1.1"), 1000, VIP, 80), ACK, 40, decision);
        lb.inbound(flow, RST, 40, decision); // ESTABLISHED -> CLOSE
        lb.editDest(WEB, a.spec().withWeight(0));
        Decision again = syn("1.1.1.1", 1000);
        assertThat(again.created).as("conn_reuse_mode 1: a closed entry does not capture the new SYN").isTrue();
        assertThat(again.dest).as("not to the quiesced server the old entry pointed at").isSameAs(b);
        assertThat(lb.service(WEB).stats().totals().conns()).isEqualTo(2);
        housekeep(2);
        assertThat(a.activeConns() + a.inactiveConns()).isZero();

        // A SYN on a live (not closed) entry still belongs to that connection.
        syn("1.1.1.2", 2000);
        Dest first = decision.dest;
        lb.inbound(flow.set(6, ip("1.1.1.2"), 2000, VIP, 80), SYN, 60, decision);
        assertThat(decision.created).isFalse();
        assertThat(decision.dest).isSameAs(first);
    }

    @Test
    void retryCountsTheClientsConnectionOnceAndForgetDropsAnEntry() {
        lb.addService(ServiceSpec.of(WEB, "rr"));
        Dest a = add(WEB, "10.0.0.1", 80, ForwardingMethod.NAT, 1);
        Dest b = add(WEB, "10.0.0.2", 80, ForwardingMethod.NAT, 1);
        syn("5.5.5.5", 1);
        lb.retry(flow.set(6, ip("5.5.5.5"), 1, VIP, 80), a, SYN, decision);
        assertThat(decision.dest).isSameAs(b);
        assertThat(lb.service(WEB).stats().totals().conns()).isEqualTo(1);
        assertThat(lb.stats().totals().conns()).isEqualTo(1);
        assertThat(a.stats().totals().conns() + b.stats().totals().conns()).as("each server counts its attempt").isEqualTo(2);

        lb.forget(flow.set(6, ip("5.5.5.5"), 1, VIP, 80));
        assertThat(lb.lookupFlow(flow).reason()).isNotEqualTo(FlowAnswer.Reason.EXISTING_CONNECTION);
        housekeep(2);
        assertThat(b.activeConns() + b.inactiveConns()).isZero();
        lb.forget(flow.set(6, ip("5.5.5.6"), 1, VIP, 80)); // unknown: nothing happens
    }

    @Test
    void snapshotCopiesWhatAListingPrints() {
        lb.addService(ServiceSpec.of(WEB, "wlc").withPersistence(new Persistence(600, 24)));
        Dest a = add(WEB, "10.0.0.1", 80, ForwardingMethod.DIRECT_ROUTE, 3);
        lb.addDest(WEB, DestSpec.of(ip("10.0.0.2"), 8080, ForwardingMethod.NAT).withThresholds(100, 50));
        syn("1.1.1.1", 1);
        lb.inbound(flow.set(6, ip("1.1.1.1"), 1, VIP, 80), ACK, 40, decision);
        lb.timeouts().set(0, 0, 60);
        lb.setEffectiveWeight(WEB, a.address(), 80, 2);

        var snap = lb.snapshot();
        assertThat(snap.tableSize()).isEqualTo(lb.connTable(false).buckets());
        assertThat(snap.timeouts().udp()).isEqualTo(60);
        assertThat(snap.services()).singleElement().satisfies(sv -> {
            assertThat(sv.spec().scheduler()).isEqualTo("wlc");
            assertThat(sv.spec().persistence().timeoutSeconds()).isEqualTo(600);
            assertThat(sv.totals().conns()).isEqualTo(1);
            assertThat(sv.dests()).hasSize(2);
            assertThat(sv.dests().get(0).weight()).as("weight in force").isEqualTo(2);
            assertThat(sv.dests().get(0).spec().weight()).as("configured weight").isEqualTo(3);
            assertThat(sv.dests().get(0).activeConns()).isEqualTo(1);
            assertThat(sv.dests().get(0).persistentConns()).isEqualTo(1);
            assertThat(sv.dests().get(1).spec().upperThreshold()).isEqualTo(100);
            assertThat(sv.dests().get(1).spec().port()).isEqualTo(8080);
        });
        syn("1.1.1.2", 5);
        assertThat(snap.services().get(0).totals().conns()).as("a copy, not a live view").isEqualTo(1);
    }

    @Test
    void servicesListInInsertionOrderAndClearRemovesAll() {
        lb.addService(ServiceSpec.of(WEB, "rr"));
        ServiceKey dns = new ServiceKey.Virtual(Protocol.UDP, VIP, 53);
        lb.addService(ServiceSpec.of(dns, "wlc"));
        assertThat(lb.services()).extracting(Service::key).containsExactly(WEB, dns);
        lb.clear();
        assertThat(lb.services()).isEmpty();
        assertThat(List.copyOf(lb.connections())).isEmpty();
    }
}
