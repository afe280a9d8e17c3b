package org.jvs.director.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.jvs.core.Decision;
import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.conn.TcpStateMachine;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.Protocol;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.sched.Flow;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfigApplierTest {
    static final ServiceKey WEB = new ServiceKey.Virtual(Protocol.TCP, IpAddr.parse("10.0.0.100"), 80);
    final LoadBalancer lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(1000, 100), new ManualClock());
    final YamlConfigLoader loader = new YamlConfigLoader();

    @AfterEach
    void close() {
        lb.close();
    }

    ConfigApplier.Changes apply(String yaml) {
        return ConfigApplier.apply(lb, loader.parse(Path.of("jvs.yaml"), yaml));
    }

    static final String V1 = """
            services:
              - address: 10.0.0.100
                port: 80
                scheduler: rr
                real_servers:
                  - {address: 10.0.0.1, method: dr}
                  - {address: 10.0.0.2, method: dr}
              - protocol: udp
                address: 10.0.0.100
                port: 53
                real_servers:
                  - {address: 10.0.0.9, port: 53, method: nat}
            """;

    @Test
    void reloadTouchesOnlyWhatChanged() {
        assertThat(apply(V1).lines()).containsExactly("added service tcp 10.0.0.100:80", "added 10.0.0.1:80 to tcp 10.0.0.100:80",
                "added 10.0.0.2:80 to tcp 10.0.0.100:80", "added service udp 10.0.0.100:53", "added 10.0.0.9:53 to udp 10.0.0.100:53");
        Dest kept = lb.service(WEB).dest(IpAddr.parse("10.0.0.1"), 80);
        Flow f = new Flow().set(6, IpAddr.parse("1.2.3.4"), 1000, IpAddr.parse("10.0.0.100"), 80);
        Decision d = new Decision();
        lb.inbound(f, TcpStateMachine.SYN, 60, d);
        assertThat(d.dest).isSameAs(kept);

        assertThat(apply(V1).isEmpty()).as("same file, nothing to do").isTrue();

        var changes = apply("""
                services:
                  - address: 10.0.0.100
                    port: 80
                    scheduler: wrr
                    real_servers:
                      - {address: 10.0.0.1, method: dr, weight: 0}
                      - {address: 10.0.0.3, method: dr, weight: 2}
                """);
        assertThat(changes.lines()).containsExactly("removed service udp 10.0.0.100:53", "changed service tcp 10.0.0.100:80",
                "removed 10.0.0.2:80 from tcp 10.0.0.100:80", "changed 10.0.0.1:80 in tcp 10.0.0.100:80", "added 10.0.0.3:80 to tcp 10.0.0.100:80");
        assertThat(lb.service(WEB).dest(IpAddr.parse("10.0.0.1"), 80)).as("same server object: counts and stats kept").isSameAs(kept);
        assertThat(kept.weight()).isZero();
        assertThat(kept.inactiveConns()).as("its connection survives the reload").isEqualTo(1);
        lb.inbound(f, TcpStateMachine.ACK, 40, d);
        assertThat(d.dest).isSameAs(kept);
        assertThat(lb.service(WEB).scheduler().name()).isEqualTo("wrr");
    }

    @Test
    void aFileWithAMistakeAnywhereChangesNothing() {
        apply(V1);
        String before = lb.snapshot().services().toString();
        assertThatThrownBy(() -> apply("""
                services:
                  - address: 10.0.0.100
                    port: 80
                    scheduler: wlc
                    real_servers:
                      - {address: 10.0.0.1, method: dr}
                  - address: 10.0.0.200
                    port: 80
                    real_servers:
                      - {address: 10.0.0.7, method: dr}
                      - {address: 10.0.0.7, method: dr}
                """)).isInstanceOf(ConfigFileException.class)
                .hasMessage("jvs.yaml:11: services[1].real_servers[1]: real server 10.0.0.7:80 already exists in service tcp 10.0.0.200:80");
        assertThat(lb.snapshot().services().toString()).isEqualTo(before);
    }

    @Test
    void timeoutsTheFileOmitsGoBackToTheDefaults() {
        apply("""
                director:
                  timeouts: {tcp: 100, tcpfin: 20, udp: 10}
                """);
        assertThat(lb.timeouts().view().tcp()).isEqualTo(100);
        apply("");
        assertThat(lb.timeouts().view()).isEqualTo(new org.jvs.core.conn.Timeouts().view());
    }

    @Test
    void theDefenceSettingsFollowTheFileAndWhatItOmitsIsIpvsDefault() {
        apply("""
                director:
                  defense: {drop_entry: 1, drop_packet: 3, secure_tcp: 2, amemthresh: 2048, am_droprate: 5}
                """);
        var d = lb.defense();
        assertThat(d.dropEntryMode()).isEqualTo(1);
        assertThat(d.dropPacketMode()).isEqualTo(3);
        assertThat(d.dropRate()).isEqualTo(5);
        assertThat(d.threshold()).isEqualTo(2048L * 4096);
        apply("""
                director:
                  defense: {secure_tcp: 3}
                """);
        assertThat(d.secureTcpMode()).isEqualTo(3);
        assertThat(d.secureTcpActive()).isTrue();
        assertThat(d.dropEntryMode()).isZero();
        assertThat(d.dropRate()).isZero();
        assertThat(d.threshold()).isEqualTo(1024L * 4096);
        assertThat(d.amDropRate()).isEqualTo(10);
        apply("");
        assertThat(d.secureTcpActive()).isFalse();
    }
}
