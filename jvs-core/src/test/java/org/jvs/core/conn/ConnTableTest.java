package org.jvs.core.conn;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.jvs.core.Dest;
import org.jvs.core.DestFixtures;
import org.jvs.core.LoadBalancerFixtures;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnTableTest {
    static final int TCP = 6;
    static final int UDP = 17;
    static final int SYN = TcpStateMachine.SYN;
    static final int ACK = TcpStateMachine.ACK;
    static final int FIN = TcpStateMachine.FIN;
    static final int RST = TcpStateMachine.RST;
    static final long VIP = 0x0A00_0064L;
    static final long RIP = 0x0A00_0001L;

    final ManualClock clock = new ManualClock();
    final Timeouts timeouts = new Timeouts();
    final LoadBalancerFixtures.Registry registry = LoadBalancerFixtures.registry();
    final Dest dest = registry.add(DestFixtures.dest(0, 1));
    ConnTable table = new ConnTable(1000, false, clock, timeouts, registry.registry());

    @AfterEach
    void close() {
        table.close();
    }

    int insertNat(long client, int cport, int tcpFlags) {
        return table.insert(TCP, 0, client, cport, 0, VIP, 80, 0, RIP, 8080, 0, client, cport,
                0, false, dest.id(), -1, tcpFlags, false);
    }

    int insertDr(long client, int cport, int tcpFlags) {
        return table.insert(TCP, 0, client, cport, 0, VIP, 80, 0, RIP, 80, 0, client, cport,
                3, true, dest.id(), -1, tcpFlags, false);
    }

    void tick(int seconds) {
        for (int i = 0; i < seconds; i++) {
            clock.advanceSeconds(1);
            table.expire();
        }
    }

    @Test
    void natConnectionIsFoundFromBothSidesAndFollowsTheHandshake() {
        int idx = insertNat(0x0101_0101L, 40000, SYN);
        assertThat(idx).isNotNegative();
        assertThat(TcpState.of(table.state(idx))).isEqualTo(TcpState.SYN_RECV);
        assertThat(dest.inactiveConns()).isEqualTo(1);
        assertThat(dest.activeConns()).isZero();

        // The server's SYN+ACK comes back with source RIP:8080 towards the client.
        int out = table.touchOut(TCP, 0, RIP, 8080, 0, 0x0101_0101L, 40000, SYN | ACK, false);
        assertThat(out).isEqualTo(idx);
        int in = table.touchIn(TCP, 0, 0x0101_0101L, 40000, 0, VIP, 80, ACK, false);
        assertThat(in).isEqualTo(idx);
        assertThat(TcpState.of(table.state(idx))).isEqualTo(TcpState.ESTABLISHED);
        assertThat(dest.activeConns()).isEqualTo(1);
        assertThat(dest.inactiveConns()).isZero();
        assertThat(table.destPort(idx)).isEqualTo(8080);
        assertThat(table.expiresIn(idx)).isEqualTo(900);

        // Wrong port or address: no match.
        assertThat(table.lookupIn(TCP, 0, 0x0101_0101L, 40001, 0, VIP, 80)).isEqualTo(-1);
        assertThat(table.lookupIn(UDP, 0, 0x0101_0101L, 40000, 0, VIP, 80)).isEqualTo(-1);
        assertThat(table.touchOut(TCP, 0, RIP, 8081, 0, 0x0101_0101L, 40000, ACK, false)).isEqualTo(-1);
    }

    @Test
    void halfConnectionOfDirectRoutingEstablishesOnInputOnly() {
        int idx = insertDr(0x0101_0102L, 40000, SYN);
        table.touchIn(TCP, 0, 0x0101_0102L, 40000, 0, VIP, 80, ACK, false);
        assertThat(TcpState.of(table.state(idx))).isEqualTo(TcpState.ESTABLISHED);
        assertThat(dest.activeConns()).isEqualTo(1);
        table.touchIn(TCP, 0, 0x0101_0102L, 40000, 0, VIP, 80, FIN | ACK, false);
        assertThat(TcpState.of(table.state(idx)).isActive()).isFalse();
        assertThat(dest.activeConns()).isZero();
        assertThat(dest.inactiveConns()).isEqualTo(1);
    }

    @Test
    void expiresAfterItsStateTimeoutAndUnbindsItsDest() {
        int idx = insertNat(0x0101_0101L, 1, SYN);
        assertThat(table.expiresIn(idx)).isEqualTo(60);
        tick(59);
        assertThat(table.lookupIn(TCP, 0, 0x0101_0101L, 1, 0, VIP, 80)).isEqualTo(idx);
        tick(1);
        assertThat(table.lookupIn(TCP, 0, 0x0101_0101L, 1, 0, VIP, 80)).isEqualTo(-1);
        assertThat(table.size()).isZero();
        assertThat(dest.inactiveConns()).isZero();
    }

    @Test
    void touchingKeepsAConnectionAlive() {
        insertDr(0x0101_0101L, 1, SYN);
        table.touchIn(TCP, 0, 0x0101_0101L, 1, 0, VIP, 80, ACK, false);
        for (int i = 0; i < 5; i++) {
            tick(800);
            assertThat(table.touchIn(TCP, 0, 0x0101_0101L, 1, 0, VIP, 80, ACK, false)).isNotNegative();
        }
        tick(899);
        assertThat(table.size()).isEqualTo(1);
        tick(1);
        assertThat(table.size()).isZero();
        assertThat(dest.activeConns()).isZero();
    }

    @Test
    void aShorterTimeoutAfterAStateChangeTakesEffectAtOnce() {
        int idx = insertDr(0x0101_0101L, 1, SYN);
        table.touchIn(TCP, 0, 0x0101_0101L, 1, 0, VIP, 80, ACK, false);
        assertThat(table.expiresIn(idx)).isEqualTo(900);
        table.touchIn(TCP, 0, 0x0101_0101L, 1, 0, VIP, 80, RST, false);
        assertThat(TcpState.of(table.state(idx))).isEqualTo(TcpState.CLOSE);
        assertThat(table.expiresIn(idx)).isEqualTo(10);
        tick(10);
        assertThat(table.size()).isZero();
        assertThat(dest.activeConns() + dest.inactiveConns()).isZero();
    }

    @Test
    void timeoutsLongerThanTheWheelStillExpireOnTime() {
        timeouts.set(10_000, 0, 0);
        int idx = insertDr(0x0101_0101L, 1, SYN);
        table.touchIn(TCP, 0, 0x0101_0101L, 1, 0, VIP, 80, ACK, false);
        assertThat(table.expiresIn(idx)).isEqualTo(10_000);
        tick(9_999);
        assertThat(table.size()).isEqualTo(1);
        tick(1);
        assertThat(table.size()).isZero();
    }

    @Test
    void udpUsesTheUdpTimeoutAndCountsInactive() {
        int idx = table.insert(UDP, 0, 0x0101_0101L, 5353, 0, VIP, 53, 0, RIP, 53, 0, 0x0101_0101L, 5353, 0, false, dest.id(), -1, 0, false);
        assertThat(table.expiresIn(idx)).isEqualTo(300);
        assertThat(dest.inactiveConns()).isEqualTo(1);
        timeouts.set(0, 0, 30);
        table.touchIn(UDP, 0, 0x0101_0101L, 5353, 0, VIP, 53, 0, false);
        assertThat(table.expiresIn(idx)).isEqualTo(30);
        tick(30);
        assertThat(table.size()).isZero();
    }

    @Test
    void templateOutlivesItsTimeoutWhileItControlsConnections() {
        int t = table.insertTemplate(TCP, 0, 0x0101_0100L, 0, VIP, 80, 0, RIP, 80, dest.id());
        assertThat(dest.persistentConns()).isEqualTo(1);
        int expires = table.expiresIn(t);
        assertThat(expires).isEqualTo(360);
        int c = table.insert(TCP, 0, 0x0101_0101L, 1, 0, VIP, 80, 0, RIP, 80, 0, 0x0101_0101L, 1, 3, true, dest.id(), t, SYN, false);
        table.touchIn(TCP, 0, 0x0101_0101L, 1, 0, VIP, 80, ACK, false);
        assertThat(table.controlledCount(t)).isEqualTo(1);
        assertThat(table.template(c)).isEqualTo(t);

        tick(600);
        table.touchIn(TCP, 0, 0x0101_0101L, 1, 0, VIP, 80, ACK, false);
        assertThat(table.lookupTemplate(TCP, 0, 0x0101_0100L, 0, VIP, 80)).as("template kept past its 360 s").isEqualTo(t);

        table.touchIn(TCP, 0, 0x0101_0101L, 1, 0, VIP, 80, RST, false);
        tick(10);
        assertThat(table.lookupIn(TCP, 0, 0x0101_0101L, 1, 0, VIP, 80)).isEqualTo(-1);
        assertThat(table.controlledCount(t)).isZero();
        assertThat(table.lookupTemplate(TCP, 0, 0x0101_0100L, 0, VIP, 80)).isEqualTo(t);
        tick(360);
        assertThat(table.lookupTemplate(TCP, 0, 0x0101_0100L, 0, VIP, 80)).isEqualTo(-1);
        assertThat(dest.persistentConns()).isZero();
        assertThat(table.size()).isZero();
    }

    @Test
    void killedEntriesVanishAtOnceButTheirSlotIsKeptAFullSecond() {
        int idx = insertNat(0x0101_0101L, 1, SYN);
        table.kill(idx);
        assertThat(table.lookupIn(TCP, 0, 0x0101_0101L, 1, 0, VIP, 80)).isEqualTo(-1);
        assertThat(table.touchOut(TCP, 0, RIP, 8080, 0, 0x0101_0101L, 1, ACK, false)).isEqualTo(-1);
        tick(1);
        assertThat(table.size()).as("a packet that found it a moment ago may still be using it").isEqualTo(1);
        tick(1);
        assertThat(table.size()).isZero();
        assertThat(dest.inactiveConns()).isZero();
    }

    @Test
    void aTemplateReferenceKeepsTheTemplateUntilReleased() {
        int t = table.insertTemplate(TCP, 0, 0x0101_0100L, 0, VIP, 80, 0, RIP, 80, dest.id());
        assertThat(table.controlledCount(t)).as("the inserter's reference").isEqualTo(1);
        assertThat(table.touchTemplate(TCP, 0, 0x0101_0100L, 0, VIP, 80)).isEqualTo(t);
        assertThat(table.controlledCount(t)).isEqualTo(2);
        table.releaseTemplate(t);
        tick(1000);
        assertThat(table.lookupTemplate(TCP, 0, 0x0101_0100L, 0, VIP, 80)).as("held by a reference").isEqualTo(t);
        table.releaseTemplate(t);
        tick(360);
        assertThat(table.lookupTemplate(TCP, 0, 0x0101_0100L, 0, VIP, 80)).isEqualTo(-1);
        assertThat(dest.persistentConns()).isZero();
    }

    @Test
    void clientAndServerSidesOfNatConnectionsOnTwoThreadsKeepCountsExact() throws Exception {
        table.close();
        table = new ConnTable(100_000, false, clock, timeouts, registry.registry());
        int n = 20_000;
        for (int round = 0; round < 5; round++) {
            long base = 0x0300_0000L + (long) round * n;
            for (int i = 0; i < n; i++) {
                insertNat(base + i, 4000, SYN);
            }
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            Thread client = new Thread(() -> {
                await(start);
                for (int i = 0; i < n; i++) {
                    table.touchIn(TCP, 0, base + i, 4000, 0, VIP, 80, ACK, false);
                }
            });
            Thread server = new Thread(() -> {
                await(start);
                for (int i = 0; i < n; i++) {
                    table.touchOut(TCP, 0, RIP, 8080, 0, base + i, 4000, SYN | ACK, false);
                    table.touchOut(TCP, 0, RIP, 8080, 0, base + i, 4000, ACK, false);
                }
            });
            client.start();
            server.start();
            client.join(30_000);
            server.join(30_000);
            assertThat(dest.activeConns() + dest.inactiveConns()).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                table.touchIn(TCP, 0, base + i, 4000, 0, VIP, 80, RST, false);
            }
            tick(10);
            assertThat(table.size()).isZero();
            assertThat(dest.activeConns()).as("round %d", round).isZero();
            assertThat(dest.inactiveConns()).as("round %d", round).isZero();
        }
    }

    private static void await(java.util.concurrent.CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aFullTableRefusesAndCountsTheRefusal() {
        table.close();
        table = new ConnTable(3, false, clock, timeouts, registry.registry());
        for (int i = 0; i < 3; i++) {
            assertThat(insertNat(0x0101_0101L, i, SYN)).isNotNegative();
        }
        assertThat(insertNat(0x0101_0101L, 99, SYN)).isEqualTo(-1);
        assertThat(table.insertFailures()).isEqualTo(1);
        tick(60);
        assertThat(insertNat(0x0101_0101L, 99, SYN)).as("freed slots are reused").isNotNegative();
    }

    @Test
    void ipv6EntriesKeepFullAddresses() {
        table.close();
        table = new ConnTable(100, true, clock, timeouts, registry.registry());
        long cHi = 0x2001_0db8_0000_0001L;
        long vHi = 0x2001_0db8_0000_0002L;
        int idx = table.insert(TCP, cHi, 7, 1234, vHi, 1, 443, vHi, 99, 443, cHi, 7, 1234, 0, false, dest.id(), -1, SYN, false);
        assertThat(table.slotSize()).isEqualTo(104);
        assertThat(table.lookupIn(TCP, cHi, 7, 1234, vHi, 1, 443)).isEqualTo(idx);
        assertThat(table.lookupIn(TCP, cHi + 1, 7, 1234, vHi, 1, 443)).isEqualTo(-1);
        assertThat(table.clientHi(idx)).isEqualTo(cHi);
        assertThat(table.destLo(idx)).isEqualTo(99);
        assertThat(table.touchOut(TCP, vHi, 99, 443, cHi, 7, 1234, SYN | ACK, false)).isEqualTo(idx);
    }

    @Test
    void ipv4EntryIs56BytesAndUnder64WithBuckets() {
        assertThat(table.slotSize()).isEqualTo(56);
        // At a large capacity the two bucket arrays add under 8 bytes per entry.
        int capacity = 10_000_000;
        int buckets = Integer.highestOneBit(capacity - 1);
        assertThat(56 + 8.0 * buckets / capacity).isLessThan(64);
    }

    @Test
    void holdsTenMillionConnectionsAndFindsEveryOne() {
        table.close();
        int n = 10_000_000;
        table = new ConnTable(n, false, clock, timeouts, registry.registry());
        for (long i = 0; i < n; i++) {
            assertThat(insertDr(0x0100_0000L + (i >>> 14), 1024 + (int) (i & 0x3FFF), SYN)).isNotNegative();
        }
        assertThat(table.size()).isEqualTo(n);
        assertThat(dest.inactiveConns()).isEqualTo(n);
        for (long i = 0; i < n; i += 7) {
            int idx = table.lookupIn(TCP, 0, 0x0100_0000L + (i >>> 14), 1024 + (int) (i & 0x3FFF), 0, VIP, 80);
            if (idx < 0) {
                throw new AssertionError("entry " + i + " lost");
            }
        }
        assertThat(insertDr(0x7F00_0000L, 1, SYN)).as("full").isEqualTo(-1);
        tick(60);
        assertThat(table.size()).isZero();
        assertThat(dest.inactiveConns()).isZero();
    }

    @Test
    void steadyStateInsertLookupAndExpiryAllocateNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // Warm up the JIT and the striped adders first.
        churn(200_000);
        long before = mx.getCurrentThreadAllocatedBytes();
        churn(1_000_000);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        // The measurement itself is allocation-free; a few hundred bytes would be the JIT's own bookkeeping.
        assertThat(allocated).isLessThan(1024);
    }

    private void churn(int n) {
        for (int i = 0; i < n; i++) {
            long client = 0x0100_0000L + (i & 0xFFF);
            int port = 1024 + (i >>> 12 & 0x3FF);
            int idx = table.lookupIn(TCP, 0, client, port, 0, VIP, 80);
            if (idx < 0) {
                idx = insertDr(client, port, SYN);
            }
            table.touchIn(TCP, 0, client, port, 0, VIP, 80, ACK, false);
            if ((i & 0x3FF) == 0) {
                table.touchIn(TCP, 0, client, port, 0, VIP, 80, RST, false);
                clock.advanceSeconds(1);
                table.expire();
            }
        }
    }

    @Test
    void concurrentDataThreadsAndHousekeepingKeepCountsExact() throws Exception {
        table.close();
        table = new ConnTable(200_000, false, clock, timeouts, registry.registry());
        int perThread = 50_000;
        Thread[] workers = new Thread[2];
        for (int w = 0; w < workers.length; w++) {
            long base = 0x0200_0000L + ((long) w << 20);
            workers[w] = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    long client = base + i;
                    insertDr(client, 1000, SYN);
                    table.touchIn(TCP, 0, client, 1000, 0, VIP, 80, ACK, false);
                    table.touchIn(TCP, 0, client, 1000, 0, VIP, 80, RST, false);
                }
            });
        }
        Thread housekeeping = new Thread(() -> {
            while (workers[0].isAlive() || workers[1].isAlive()) {
                clock.advanceSeconds(1);
                table.expire();
            }
        });
        for (Thread t : workers) {
            t.start();
        }
        housekeeping.start();
        for (Thread t : workers) {
            t.join(60_000);
        }
        housekeeping.join(60_000);
        tick(20);
        assertThat(table.size()).isZero();
        assertThat(dest.activeConns()).isZero();
        assertThat(dest.inactiveConns()).isZero();
    }
}
