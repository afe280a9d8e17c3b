package org.jvs.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.jvs.core.conn.ConnTable;
import org.jvs.core.conn.SyncQueue;
import org.jvs.core.conn.TcpState;
import org.jvs.core.conn.TcpStateMachine;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Persistence;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.sched.Flow;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The core's half of connection sync: IPVS' rules for when an entry is due, and applying synced entries. */
class LoadBalancerSyncTest {
    static final int SYN = TcpStateMachine.SYN;
    static final int ACK = TcpStateMachine.ACK;
    static final int FIN = TcpStateMachine.FIN;
    static final IpAddr VIP = IpAddr.parse("10.0.0.100");
    static final ServiceKey WEB = new ServiceKey.Virtual(Protocol.TCP, VIP, 80);
    static final ServiceKey DNS = new ServiceKey.Virtual(Protocol.UDP, VIP, 53);

    final ManualClock clock = new ManualClock();
    final LoadBalancer master = balancer();
    final LoadBalancer backup = balancer();
    final SyncQueue queue = new SyncQueue(1024);
    final Flow flow = new Flow();
    final Decision d = new Decision();

    LoadBalancer balancer() {
        LoadBalancer lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(10_000, 1_000).withMemory(0, () -> 1L << 40), clock);
        for (ServiceKey k : List.of(WEB, DNS)) {
            lb.addService(ServiceSpec.of(k, "rr"));
            for (int i = 1; i <= 3; i++) {
                lb.addDest(k, DestSpec.of(IpAddr.parse("10.0.0." + i), k.equals(WEB) ? 80 : 53, ForwardingMethod.DIRECT_ROUTE));
            }
        }
        return lb;
    }

    @AfterEach
    void close() {
        master.close();
        backup.close();
    }

    void packet(LoadBalancer lb, int proto, int cport, int flags) {
        lb.inbound(flow.set(proto, IpAddr.parse("192.0.2.7"), cport, VIP, proto == 6 ? 80 : 53), flags, 60, d);
    }

    List<Integer> drain() {
        List<Integer> out = new ArrayList<>();
        for (int i = queue.poll(); i != SyncQueue.EMPTY; i = queue.poll()) {
            out.add(i);
        }
        return out;
    }

    @Test
    void nothingIsQueuedWhileTheMasterIsOff() {
        for (int i = 0; i < 10; i++) {
            packet(master, 6, 40000, i == 0 ? SYN : ACK);
        }
        assertThat(drain()).isEmpty();
        assertThat(d.conn).isBetween(0, ConnTable.INDEX_MASK);
    }

    @Test
    void tcpIsSyncedOnItsThirdPacketAndEveryFiftiethAfterAsIpvsDoes() {
        master.syncMaster(queue, 3, 50);
        List<Integer> dueAt = new ArrayList<>();
        for (int p = 1; p <= 110; p++) {
            packet(master, 6, 40000, p == 1 ? SYN : ACK);
            if (!drain().isEmpty()) {
                dueAt.add(p);
            }
        }
        // Packet 1 (SYN) leaves it SYN_RECV: not synced in that state; ESTABLISHED from packet 2 on.
        assertThat(dueAt).containsExactly(3, 53, 103);
        assertThat(d.conn).isBetween(0, ConnTable.INDEX_MASK);
    }

    @Test
    void enteringAClosingStateForcesASyncAtOnce() {
        master.syncMaster(queue, 3, 50);
        for (int p = 1; p <= 5; p++) {
            packet(master, 6, 40000, p == 1 ? SYN : ACK);
        }
        drain();
        packet(master, 6, 40000, FIN | ACK);
        List<Integer> due = drain();
        assertThat(due).hasSize(1);
        assertThat(master.connTable(false).state(due.get(0))).isEqualTo(TcpState.FIN_WAIT.ordinal());
        packet(master, 6, 40000, ACK); // still FIN_WAIT, already synced in it
        assertThat(drain()).isEmpty();
    }

    @Test
    void udpIsSyncedOnItsThirdDatagram() {
        master.syncMaster(queue, 3, 50);
        List<Integer> dueAt = new ArrayList<>();
        for (int p = 1; p <= 60; p++) {
            packet(master, 17, 5353, 0);
            if (!drain().isEmpty()) {
                dueAt.add(p);
            }
        }
        assertThat(dueAt).containsExactly(3, 53);
    }

    @Test
    void periodZeroSyncsOnlyTheThresholdPacket() {
        master.syncMaster(queue, 3, 0);
        int due = 0;
        for (int p = 1; p <= 400; p++) {
            packet(master, 17, 5353, 0);
            due += drain().size();
        }
        assertThat(due).isEqualTo(1);
    }

    @Test
    void aSyncedConnectionGoesToTheSameServerOnTheBackupWithoutBeingScheduled() {
        master.syncMaster(queue, 3, 50);
        for (int p = 1; p <= 3; p++) {
            packet(master, 6, 40000, p == 1 ? SYN : ACK);
        }
        packet(master, 6, 40001, SYN); // a second client moves rr on; the backup's rr has not moved
        int idx = drain().get(0);
        ConnTable t = master.connTable(false);
        Dest masterDest = master.destOf(t.destId(idx));

        var outcome = backup.applySynced(false, 6, t.clientHi(idx), t.clientLo(idx), t.clientPort(idx), t.virtualHi(idx), t.virtualLo(idx),
                t.virtualPort(idx), t.destHi(idx), t.destLo(idx), t.destPort(idx), 0, false, t.state(idx), 840);
        assertThat(outcome).isEqualTo(LoadBalancer.SyncOutcome.APPLIED);
        List<ConnEntry> conns = backup.connections();
        assertThat(conns).hasSize(1);
        assertThat(conns.get(0).state()).isEqualTo("ESTABLISHED");
        assertThat(conns.get(0).expiresIn()).isEqualTo(840);
        Dest backupDest = backup.service(WEB).dests()[0];
        assertThat(backupDest.address()).isEqualTo(masterDest.address());
        assertThat(backupDest.activeConns()).isEqualTo(1);

        // After a takeover the next segment of the connection rides the synced entry.
        clock.advanceSeconds(5);
        packet(backup, 6, 40000, ACK);
        assertThat(d.verdict).isEqualTo(Decision.ACCEPT);
        assertThat(d.created).isFalse();
        assertThat(d.dest.address()).isEqualTo(masterDest.address());

        // A repeat of the record updates, never duplicates.
        backup.applySynced(false, 6, t.clientHi(idx), t.clientLo(idx), t.clientPort(idx), t.virtualHi(idx), t.virtualLo(idx),
                t.virtualPort(idx), t.destHi(idx), t.destLo(idx), t.destPort(idx), 0, false, TcpState.FIN_WAIT.ordinal(), 100);
        assertThat(backup.connections()).singleElement().satisfies(e -> {
            assertThat(e.state()).isEqualTo("FIN_WAIT");
            assertThat(e.expiresIn()).isEqualTo(100);
        });
        assertThat(backupDest.activeConns()).isZero();
        assertThat(backupDest.inactiveConns()).isEqualTo(1);
    }

    @Test
    void recordsForUnknownServicesOrServersAreRefusedNotGuessed() {
        IpAddr other = IpAddr.parse("10.0.0.200");
        IpAddr client = IpAddr.parse("192.0.2.7");
        IpAddr rs = IpAddr.parse("10.0.0.1");
        assertThat(backup.applySynced(false, 6, client.hi(), client.lo(), 1, other.hi(), other.lo(), 80, rs.hi(), rs.lo(), 80, 0, false, 1, 100))
                .isEqualTo(LoadBalancer.SyncOutcome.NO_SERVICE);
        IpAddr stranger = IpAddr.parse("10.0.0.99");
        assertThat(backup.applySynced(false, 6, client.hi(), client.lo(), 1, VIP.hi(), VIP.lo(), 80, stranger.hi(), stranger.lo(), 80, 0, false, 1, 100))
                .isEqualTo(LoadBalancer.SyncOutcome.NO_DEST);
        assertThat(backup.connections()).isEmpty();
    }

    @Test
    void aSyncedTemplateKeepsPersistentClientsOnTheirServer() {
        ServiceKey sticky = new ServiceKey.Virtual(Protocol.TCP, VIP, 443);
        for (LoadBalancer lb : List.of(master, backup)) {
            lb.addService(ServiceSpec.of(sticky, "rr").withPersistence(new Persistence(300, 32)));
            for (int i = 1; i <= 3; i++) {
                lb.addDest(sticky, DestSpec.of(IpAddr.parse("10.0.0." + i), 443, ForwardingMethod.DIRECT_ROUTE));
            }
        }
        IpAddr client = IpAddr.parse("192.0.2.7");
        IpAddr rs3 = IpAddr.parse("10.0.0.3");
        assertThat(backup.applySynced(false, 6, client.hi(), client.lo(), 0, VIP.hi(), VIP.lo(), 443, rs3.hi(), rs3.lo(), 443, 0, true, 0, 290))
                .isEqualTo(LoadBalancer.SyncOutcome.APPLIED);
        assertThat(backup.applySynced(false, 6, client.hi(), client.lo(), 40000, VIP.hi(), VIP.lo(), 443, rs3.hi(), rs3.lo(), 443, 0, false,
                TcpState.ESTABLISHED.ordinal(), 800)).isEqualTo(LoadBalancer.SyncOutcome.APPLIED);
        backup.inbound(flow.set(6, client, 40001, VIP, 443), SYN, 60, d);
        assertThat(d.dest.address()).isEqualTo(rs3);
        // The template controls the synced connection and the new one: it outlives its own 290 s.
        ConnTable t = backup.connTable(false);
        int[] template = {-1};
        t.forEach(i -> {
            if (t.isTemplate(i)) {
                template[0] = i;
            }
        });
        assertThat(t.controlledCount(template[0])).isEqualTo(2);
    }

    @Test
    void theSyncingDataPathAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        master.syncMaster(queue, 3, 50);
        IpAddr client = IpAddr.parse("192.0.2.7");
        run(client, 200_000);
        long before = threads.getCurrentThreadAllocatedBytes();
        int drained = run(client, 1_000_000);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(drained).isGreaterThan(10_000);
        assertThat(allocated).as("bytes allocated by a million synced packets").isLessThan(4096);
    }

    private int run(IpAddr client, int packets) {
        int drained = 0;
        for (int p = 0; p < packets; p++) {
            int port = 1024 + (p / 60) % 5000;
            master.inbound(flow.set(6, client, port, VIP, 80), p % 60 == 0 ? SYN : ACK, 60, d);
            while (queue.poll() != SyncQueue.EMPTY) {
                drained++;
            }
        }
        return drained;
    }
}
