package org.jvs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import org.jvs.core.Decision;
import org.jvs.core.LoadBalancer;
import org.jvs.core.conn.TcpStateMachine;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.sched.Flow;
import org.jvs.testkit.netns.Lab;
import org.junit.jupiter.api.Test;

/**
 * The master and backup daemons over real multicast between two network namespaces (the failover lab's two
 * directors on one bridge, default veth offloads for this traffic): connections driven through the master's
 * balancer arrive in the backup's table with their state and server, a tshark capture on the backup's side
 * decodes them as IPVS sync messages, and garbage sent to the group is counted and changes nothing. Root.
 */
class SyncDaemonNetnsTest {
    static final IpAddr VIP = IpAddr.parse(Lab.VIP);
    static final ServiceKey WEB = new ServiceKey.Virtual(Protocol.TCP, VIP, 80);

    static LoadBalancer balancer() {
        LoadBalancer lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(1 << 16, 1 << 10), org.jvs.core.time.Clock.SYSTEM);
        lb.addService(ServiceSpec.of(WEB, "rr").withEngine(Engine.PACKET));
        for (int i = 1; i <= 3; i++) {
            lb.addDest(WEB, DestSpec.of(IpAddr.parse("192.0.2.1" + i), 80, ForwardingMethod.DIRECT_ROUTE));
        }
        return lb;
    }

    @Test
    void establishedConnectionsReachTheBackupWithTheirServers() throws Exception {
        int conns = 2000;
        LoadBalancer master = balancer();
        LoadBalancer backup = balancer();
        try (Lab lab = Lab.builder(Lab.Topology.DR).directors(2).realServers(1).build()) {
            SyncConfig.Daemon m = SyncConfig.Daemon.of(SyncConfig.Role.MASTER, "eth0", 7);
            SyncConfig.Daemon b = SyncConfig.Daemon.of(SyncConfig.Role.BACKUP, "eth0", 7);
            SyncBackup bd = lab.director2().call(() -> SyncBackup.start(backup, b));
            SyncMaster md = lab.director().call(() -> SyncMaster.start(master, m, SyncVersion.V1, 3, 50));
            var cap = lab.capture(lab.director2(), "eth0", "udp port 8848", 10_000, Duration.ofSeconds(8));
            try {
                Flow f = new Flow();
                Decision d = new Decision();
                String[] chosen = new String[conns];
                for (int i = 0; i < conns; i++) {
                    IpAddr client = IpAddr.parse("198.51.100." + (1 + i % 200));
                    int port = 10_000 + i;
                    for (int p = 0; p < 3; p++) {
                        master.inbound(f.set(6, client, port, VIP, 80), p == 0 ? TcpStateMachine.SYN : TcpStateMachine.ACK, 60, d);
                    }
                    chosen[i] = d.dest.address().toString();
                }
                long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (backup.connections().size() < conns && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                var got = backup.connections();
                assertThat(got).hasSize(conns);
                for (var e : got) {
                    int i = e.clientPort() - 10_000;
                    assertThat(e.state()).isEqualTo("ESTABLISHED");
                    assertThat(e.dest().toString()).isEqualTo(chosen[i]);
                }
                assertThat(bd.outcome(LoadBalancer.SyncOutcome.APPLIED)).isEqualTo(conns);
                var mc = md.counters();
                assertThat(mc.records()).isEqualTo(conns);
                // 36-byte v1 entries in 1472-byte messages: about 40 a message.
                assertThat(mc.messages()).isBetween((long) conns / 40, (long) conns / 20);

                // Garbage to the group from the master's namespace: counted and dropped, table unchanged.
                lab.director().call(() -> {
                    try (DatagramChannel ch = DatagramChannel.open(java.net.StandardProtocolFamily.INET)) {
                        ch.setOption(java.net.StandardSocketOptions.IP_MULTICAST_IF, java.net.NetworkInterface.getByName("eth0"));
                        var to = new InetSocketAddress(InetAddress.getByName("224.0.0.81"), 8848);
                        ch.send(ByteBuffer.wrap(new byte[] {0, 7, 0, 40, 1, 0, 0, 0}), to); // v1, size says 40, 8 sent
                        ch.send(ByteBuffer.wrap(new byte[] {0, 9, 0, 8, 1, 0, 0, 0}), to); // another sync ID
                        ch.send(ByteBuffer.wrap(new byte[] {0, 7, 0, 8, 3, 0, 0, 0}), to); // version 3
                    }
                    return null;
                });
                end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (bd.datagrams() < mc.messages() + 3 && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                assertThat(bd.stats().dropped()).isEqualTo(3);
                assertThat(backup.connections()).hasSize(conns);
            } finally {
                md.close();
                bd.close();
            }
            // tshark decodes the captured datagrams as IPVS sync messages with our sync ID and their record counts.
            List<List<String>> rows = cap.stop().fieldsWhere("ipvs && udp.length > 16", "ipvs.syncid", "ipvs.conncount"); // not the 8-byte garbage
            assertThat(rows).isNotEmpty();
            assertThat(rows).allSatisfy(r -> assertThat(r.get(0)).isEqualTo("7"));
            assertThat(rows.stream().mapToInt(r -> Integer.parseInt(r.get(1))).sum()).isEqualTo(conns);
        } finally {
            master.close();
            backup.close();
        }
    }
}
