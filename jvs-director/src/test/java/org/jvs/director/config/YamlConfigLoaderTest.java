package org.jvs.director.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ProxyProtocol;
import org.jvs.core.model.SchedFlag;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.TunnelType;
import org.junit.jupiter.api.Test;

class YamlConfigLoaderTest {
    static final Path FILE = Path.of("jvs.yaml");
    final YamlConfigLoader loader = new YamlConfigLoader();

    DirectorConfig parse(String yaml) {
        return loader.parse(FILE, yaml);
    }

    ConfigFileException error(String yaml) {
        try {
            ConfigApplier.validate(parse(yaml));
        } catch (ConfigFileException e) {
            return e;
        }
        throw new AssertionError("accepted:\n" + yaml);
    }

    @Test
    void readsAFullConfiguration() {
        DirectorConfig c = parse("""
                director:
                  control_socket: /tmp/jvs-test/jvs.sock
                  control_tcp:
                    listen: 127.0.0.1:9990
                    token_file: /etc/jvs/token
                  conn_table_size: 4096
                  timeouts: {tcp: 600, udp: 30}
                  expire_nodest_conn: yes
                  drain_timeout: 3s
                  connect_timeout: 250ms
                services:
                  - name: web
                    address: 10.0.0.100
                    port: 80
                    scheduler: wrr
                    persistence: {timeout: 600, netmask: 255.255.255.0}
                    real_servers:
                      - {address: 10.0.0.11, port: 8080, method: nat, weight: 3, upper_threshold: 100, proxy_protocol: v2}
                      - {address: 10.0.0.12, method: tun, tunnel: {type: gue, port: 6080}}
                  - fwmark: 7
                    ipv6: true
                    scheduler: mh
                    flags: [mh-fallback, mh-port]
                    engine: packet
                  - protocol: udp
                    address: "2001:db8::53"
                    port: 53
                    scheduler: rr
                    one_packet: true
                    persistence: 60
                packet:
                  interfaces: [{name: eth0, role: both}]
                """);
        var st = c.settings();
        assertThat(st.controlSocket()).isEqualTo(Path.of("/tmp/jvs-test/jvs.sock"));
        assertThat(st.controlTcp()).isEqualTo("127.0.0.1:9990");
        assertThat(st.connTableSize()).isEqualTo(4096);
        assertThat(st.tcpTimeout()).isEqualTo(600);
        assertThat(st.tcpfinTimeout()).isZero();
        assertThat(st.udpTimeout()).isEqualTo(30);
        assertThat(st.expireNodestConn()).isTrue();
        assertThat(st.drainTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(st.connectTimeout()).isEqualTo(Duration.ofMillis(250));

        assertThat(c.services()).hasSize(3);
        var web = c.services().get(0);
        assertThat(web.name()).isEqualTo("web");
        assertThat(web.line()).isEqualTo(12);
        assertThat(web.spec().persistence().prefixLength()).isEqualTo(24);
        assertThat(web.dests().get(0).method()).isEqualTo(ForwardingMethod.NAT);
        assertThat(web.dests().get(0).weight()).isEqualTo(3);
        assertThat(web.dests().get(0).proxyProtocol()).isEqualTo(ProxyProtocol.V2);
        assertThat(web.dests().get(1).method()).isEqualTo(new ForwardingMethod.Tunnel(TunnelType.GUE, 6080));
        assertThat(web.destLines()).containsExactly(18, 19);
        var fwm = c.services().get(1);
        assertThat(fwm.spec().key()).isEqualTo(new ServiceKey.Fwmark(7, true));
        assertThat(fwm.spec().flags()).containsExactlyInAnyOrder(SchedFlag.MH_FALLBACK, SchedFlag.MH_PORT);
        assertThat(fwm.spec().engine()).isEqualTo(Engine.PACKET);
        var dns = c.services().get(2);
        assertThat(((ServiceKey.Virtual) dns.spec().key()).address()).isEqualTo(IpAddr.parse("2001:db8::53"));
        assertThat(dns.spec().onePacket()).isTrue();
        assertThat(dns.spec().persistence().prefixLength()).isEqualTo(128);
        ConfigApplier.validate(c);
    }

    @Test
    void errorsNameFileLineColumnAndField() {
        assertThat(error("""
                services:
                  - address: 10.0.0.1
                    port: 80
                    real_servers:
                      - address: 10.0.0.2
                        wieght: 3
                """).getMessage()).isEqualTo("jvs.yaml:6:9: services[0].real_servers[0].wieght: unknown field 'wieght' "
                + "(known: address, health_check, lower_threshold, method, port, proxy_protocol, tunnel, upper_threshold, weight)");
        assertThat(error("""
                services:
                  - address: 10.0.0.1
                    port: 80
                    real_servers:
                      - {address: 10.0.0.2, weight: 70000}
                """).getMessage()).isEqualTo("jvs.yaml:5:37: services[0].real_servers[0].weight: 70000 out of range 0..65535");
        assertThat(error("""
                services:
                  - address: 10.0.0.1
                    port: 80
                    scheduler: fastest
                """).getMessage()).startsWith("jvs.yaml:4:16: services[0].scheduler: unknown scheduler 'fastest' (known: ");
        assertThat(error("""
                services:
                  - address: web.example.com
                    port: 80
                """).getMessage()).isEqualTo("jvs.yaml:2:14: services[0].address: not a numeric IP address: 'web.example.com'");
        assertThat(error("""
                services:
                  - address: 10.0.0.1
                    port: 0
                """).getMessage()).isEqualTo("jvs.yaml:2:5: services[0]: service tcp 10.0.0.1:0: port 0 (all ports) requires persistence (-p)");
        assertThat(error("""
                services:
                  - address: 10.0.0.1
                    port: 80
                  - address: 10.0.0.1
                    port: 80
                """).getMessage()).isEqualTo("jvs.yaml:4: services[1]: service tcp 10.0.0.1:80 is already defined at line 2");
        assertThat(error("""
                services:
                  - address: 10.0.0.1
                    port: 80
                    real_servers:
                      - {address: 10.0.0.2}
                      - {address: "2001:db8::2", method: nat}
                """).getMessage()).startsWith("jvs.yaml:6: services[0].real_servers[1]: real server [2001:db8::2]:0 is IPv6");
        assertThat(error("""
                services:
                  - address: 10.0.0.1
                    port: [80
                """).getMessage()).startsWith("jvs.yaml:4:1: YAML syntax:");
        assertThat(error("""
                services:
                  - address: 10.0.0.1
                    port: 80
                    persistence: {timeout: 60, netmask: 255.0.255.0}
                """).getMessage()).isEqualTo("jvs.yaml:4:41: services[0].persistence.netmask: netmask 255.0.255.0 is not contiguous");
    }

    @Test
    void theDefenceSectionTakesIpvsSysctlNamesAndRanges() {
        assertThat(new YamlConfigLoader().parse(Path.of("jvs.yaml"), """
                director:
                  defense:
                    drop_entry: 1
                    secure_tcp: 3
                """).settings().defense()).isEqualTo(new DirectorConfig.Defense(1, 0, 3, 1024, 10));
        assertThat(new YamlConfigLoader().parse(Path.of("jvs.yaml"), "").settings().defense())
                .isEqualTo(DirectorConfig.Defense.DEFAULT);
        assertThat(error("""
                director:
                  defense: {drop_packet: 4}
                """).getMessage()).isEqualTo("jvs.yaml:2:26: director.defense.drop_packet: 4 out of range 0..3");
        assertThat(error("""
                director:
                  defense: {am_droprate: 0}
                """).getMessage()).isEqualTo("jvs.yaml:2:26: director.defense.am_droprate: 0 out of range 1..2147483647");
        assertThat(error("""
                director:
                  defense: {syn_cookies: 1}
                """).getMessage()).isEqualTo("jvs.yaml:2:13: director.defense.syn_cookies: unknown field 'syn_cookies' "
                + "(known: am_droprate, amemthresh, drop_entry, drop_packet, secure_tcp)");
    }

    @Test
    void maxConnPerSourceIsForTcpServicesOnTheSocketAndHttpEngines() {
        DirectorConfig c = parse("""
                services:
                  - {address: 127.0.0.1, port: 8080, max_conn_per_source: 100}
                  - {address: 127.0.0.1, port: 8081, engine: http, max_conn_per_source: 0}
                  - {address: 127.0.0.1, port: 8082}
                """);
        assertThat(c.services()).extracting(DirectorConfig.Service::maxConnPerSource).containsExactly(100, 0, 0);
        assertThat(error("""
                services:
                  - {address: 127.0.0.1, port: 8080, max_conn_per_source: -1}
                """).getMessage()).isEqualTo("jvs.yaml:2:59: services[0].max_conn_per_source: -1 out of range 0..1000000");
        assertThat(error("""
                services:
                  - {address: 127.0.0.1, port: 53, protocol: udp, max_conn_per_source: 10}
                """).getMessage()).contains("services[0].max_conn_per_source: max_conn_per_source applies to TCP services");
        assertThat(error("""
                services:
                  - {address: 10.0.0.1, port: 80, engine: packet, max_conn_per_source: 10}
                packet:
                  interfaces: [{name: eth0, role: both}]
                """).getMessage()).contains("max_conn_per_source needs the socket or http engine");
    }

    @Test
    void theMetricsSectionTakesAListenAddressAndOptionalBasicAuth() {
        assertThat(parse("metrics: {listen: 127.0.0.1:9400}").metrics()).isEqualTo(new DirectorConfig.Metrics("127.0.0.1:9400", null, null));
        assertThat(parse("").metrics()).isEqualTo(DirectorConfig.Metrics.NONE);
        assertThat(parse("metrics: {listen: '[::1]:9400', basic_auth: {username: prom, password_file: /etc/jvs/metrics.pw}}").metrics())
                .isEqualTo(new DirectorConfig.Metrics("[::1]:9400", "prom", Path.of("/etc/jvs/metrics.pw")));
        assertThat(error("metrics: {listen: 9400}").getMessage()).isEqualTo("jvs.yaml:1:19: metrics.listen: expected host:port, e.g. 127.0.0.1:9400");
        assertThat(error("metrics: {listen: 'localhost:70000'}").getMessage()).contains("port 70000 out of range 0..65535");
        assertThat(error("metrics: {port: 9400}").getMessage()).contains("metrics.port: unknown field 'port'");
        assertThat(error("metrics: {listen: 127.0.0.1:9400, basic_auth: {username: prom}}").getMessage())
                .contains("needs 'username' and 'password_file'");
        assertThat(parse("metrics: {listen: 127.0.0.1:9400, tls: {certificate: /etc/jvs/m.pem, key: /etc/jvs/m.key}}").metrics())
                .isEqualTo(new DirectorConfig.Metrics("127.0.0.1:9400", null, null, Path.of("/etc/jvs/m.pem"), Path.of("/etc/jvs/m.key")));
        assertThat(error("metrics: {listen: 127.0.0.1:9400, tls: {certificate: /etc/jvs/m.pem}}").getMessage())
                .contains("needs 'certificate' (PEM chain) and 'key' (PEM PKCS#8)");
    }

    @Test
    void withoutAMethodSocketServicesRelayLikeNatAndPacketServicesRoute() {
        DirectorConfig c = parse("""
                services:
                  - {address: 127.0.0.1, port: 8080, real_servers: [{address: 127.0.0.1, port: 8081}]}
                  - {address: 10.0.0.1, port: 80, engine: packet, real_servers: [{address: 10.0.0.2, port: 8080}]}
                packet:
                  interfaces: [{name: eth0, role: both}]
                """);
        assertThat(c.services().get(0).dests().get(0).method()).isEqualTo(ForwardingMethod.NAT);
        assertThat(c.services().get(1).dests().get(0).method()).isEqualTo(ForwardingMethod.DIRECT_ROUTE);
        assertThat(c.services().get(1).dests().get(0).normalizedFor(c.services().get(1).spec().key()).port()).isEqualTo(80);
    }

    @Test
    void emptyFileIsAnEmptyDirector() {
        DirectorConfig c = parse("");
        assertThat(c.services()).isEmpty();
        assertThat(c.settings().connTableSize()).isEqualTo(1 << 20);
    }

    @Test
    void theShippedQuickstartExampleIsValidAndChecksEveryBackend() throws Exception {
        // bin/jvs quickstart reads it; a broken example would break the main job.
        Path example = Path.of("..", "examples", "quickstart.yaml");
        DirectorConfig c = loader.parse(example, java.nio.file.Files.readString(example));
        ConfigApplier.validate(c);
        assertThat(c.services()).singleElement().satisfies(s -> assertThat(s.dests()).hasSize(3));
        assertThat(c.health().services()).singleElement().satisfies(h -> assertThat(h.watched()).isTrue());
    }
}
