package org.jvs.director.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jvs.core.model.IpAddr;
import org.jvs.health.AgentChecker;
import org.jvs.health.DnsChecker;
import org.jvs.health.HealthConfig;
import org.jvs.health.HealthPolicy;
import org.jvs.health.HttpChecker;
import org.jvs.health.IcmpChecker;
import org.jvs.health.ScriptChecker;
import org.jvs.health.TcpChecker;
import org.jvs.health.UdpChecker;
import org.junit.jupiter.api.Test;

/** The health keys of the YAML file: defaults, overrides, and errors that name file, line, column and field. */
class HealthYamlTest {
    static final Path FILE = Path.of("jvs.yaml");

    static HealthConfig health(String yaml) {
        return new YamlConfigLoader().parse(FILE, yaml).health();
    }

    static String error(String yaml) {
        try {
            ConfigApplier.validate(new YamlConfigLoader().parse(FILE, yaml));
        } catch (ConfigFileException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted:\n" + yaml);
    }

    static final String FULL = """
            director:
              health:
                max_concurrent: 16
                notify: /usr/local/bin/jvs-notify --from jvs
                webhook: http://127.0.0.1:9000/hook
                notify_timeout: 2s
            services:
              - address: 10.0.0.100
                port: 80
                quorum: 2
                hysteresis: 1
                quorum_up: [/usr/bin/logger, quorum up]
                quorum_down: /usr/bin/logger quorum down
                sorry_server: {address: 10.0.0.99, port: 8080}
                sorry_server_inhibit: true
                health_check:
                  type: http
                  path: /health
                  status: [200, 300-399]
                  digest: 9B3A0C85A887A256D6939DA88AABD8CD
                  virtualhost: www.example.com
                  delay_loop: 2s
                  connect_timeout: 500ms
                  retry: 2
                  warmup: 0
                  rise: 2
                  fall: 3
                  slow_start: 10s
                real_servers:
                  - {address: 10.0.0.11, port: 80, weight: 3}
                  - address: 10.0.0.12
                    port: 80
                    health_check: {path: /other, inhibit_on_failure: true}
                  - address: 10.0.0.13
                    port: 80
                    health_check: {type: tcp, port: 8443}
                  - address: 10.0.0.14
                    port: 80
                    health_check: off
              - protocol: udp
                address: 10.0.0.100
                port: 53
                health_check: {type: dns, query_type: a, query_name: example.test, alpha: true}
                real_servers:
                  - {address: 10.0.0.21, port: 53}
                  - address: 10.0.0.22
                    port: 53
                    health_check: {type: udp, payload: "0a 0b", require_reply: 0a0b}
                  - address: 10.0.0.23
                    port: 53
                    health_check: {type: icmp}
                  - address: 10.0.0.24
                    port: 53
                    health_check: {type: script, command: "/bin/check {address} {port}", misc_timeout: 3s}
                  - address: 10.0.0.25
                    port: 53
                    health_check: {type: agent, port: 5555, send: "hello\\\\n"}
              - address: 10.0.0.200
                port: 80
                real_servers: [{address: 10.0.0.31, port: 80}]
            """;

    @Test
    void readsEveryKey() {
        HealthConfig h = health(FULL);
        assertThat(h.global()).isEqualTo(new HealthConfig.Global(16, List.of("/usr/local/bin/jvs-notify", "--from", "jvs"),
                URI.create("http://127.0.0.1:9000/hook"), Duration.ofSeconds(2)));
        HealthConfig.ServiceHealth web = h.services().get(0);
        assertThat(web.quorum()).isEqualTo(2);
        assertThat(web.hysteresis()).isEqualTo(1);
        assertThat(web.quorumUp()).containsExactly("/usr/bin/logger", "quorum up");
        assertThat(web.quorumDown()).containsExactly("/usr/bin/logger", "quorum", "down");
        assertThat(web.sorryServer().label()).isEqualTo("10.0.0.99:8080");
        assertThat(web.sorryInhibit()).isTrue();
        HttpChecker first = (HttpChecker) web.dests().get(0).checker();
        assertThat(first).isEqualTo(new HttpChecker(false, "/health", List.of(new HttpChecker.StatusRange(200, 200), new HttpChecker.StatusRange(300, 399)),
                "9b3a0c85a887a256d6939da88aabd8cd", null, "www.example.com", null, null, 0));
        assertThat(web.dests().get(0).policy()).isEqualTo(new HealthPolicy(Duration.ofSeconds(2), Duration.ofMillis(500), 2,
                Duration.ofSeconds(3), Duration.ZERO, 2, 3, false, false, Duration.ofSeconds(10)));
        // A server's own keys override the service default one by one.
        assertThat(((HttpChecker) web.dests().get(1).checker()).path()).isEqualTo("/other");
        assertThat(((HttpChecker) web.dests().get(1).checker()).digest()).isEqualTo("9b3a0c85a887a256d6939da88aabd8cd");
        assertThat(web.dests().get(1).policy().inhibitOnFailure()).isTrue();
        assertThat(web.dests().get(1).policy().delayLoop()).isEqualTo(Duration.ofSeconds(2));
        // Another type inherits the timers, not the HTTP fields.
        assertThat(web.dests().get(2).checker()).isEqualTo(new TcpChecker(8443));
        assertThat(web.dests().get(2).policy().delayBeforeRetry()).as("tcp's own default").isEqualTo(Duration.ofSeconds(1));
        assertThat(web.dests().get(3).checker()).isNull();

        HealthConfig.ServiceHealth dns = h.services().get(1);
        assertThat(dns.dests().get(0).checker()).isEqualTo(new DnsChecker("A", "example.test", 0));
        assertThat(dns.dests().get(0).policy()).isEqualTo(new HealthPolicy(HealthPolicy.DEFAULT_DELAY_LOOP, Duration.ofSeconds(5), 3,
                HealthPolicy.DEFAULT_DELAY_LOOP, HealthPolicy.DEFAULT_DELAY_LOOP, 1, 1, false, true, Duration.ZERO));
        assertThat(dns.dests().get(1).checker()).isEqualTo(new UdpChecker(new byte[] {10, 11}, true, new byte[] {10, 11}, 0));
        assertThat(dns.dests().get(2).checker()).isEqualTo(new IcmpChecker());
        assertThat(dns.dests().get(3).checker()).isEqualTo(new ScriptChecker(List.of("/bin/check", "{address}", "{port}"), 0));
        assertThat(dns.dests().get(3).policy().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(dns.dests().get(3).policy().retry()).as("script's default retry").isZero();
        assertThat(dns.dests().get(4).checker()).isEqualTo(new AgentChecker("hello\n", 5555));
        assertThat(h.services().get(2).watched()).isFalse();
    }

    @Test
    void keepalivedDefaults() {
        HealthConfig h = health("""
                services:
                  - {address: 10.0.0.1, port: 80, health_check: {type: http},
                     real_servers: [{address: 10.0.0.2, port: 80}]}
                """);
        HealthConfig.DestCheck d = h.services().getFirst().dests().getFirst();
        assertThat(d.checker()).isEqualTo(new HttpChecker(false, "/", HttpChecker.DEFAULT_STATUS, null, null, null, null, null, 0));
        assertThat(d.policy()).isEqualTo(new HealthPolicy(Duration.ofSeconds(60), Duration.ofSeconds(5), 1, Duration.ofSeconds(3),
                Duration.ofSeconds(60), 1, 1, false, false, Duration.ZERO));
        assertThat(h.services().getFirst().quorum()).isEqualTo(1);
        assertThat(h.global()).isEqualTo(HealthConfig.Global.DEFAULTS);
    }

    @Test
    void drServersAreMatchedAtTheServicePort() {
        HealthConfig h = health("""
                services:
                  - {address: 10.0.0.1, port: 80, health_check: {type: tcp},
                     real_servers: [{address: 10.0.0.2, port: 8080, method: dr}]}
                """);
        assertThat(h.services().getFirst().dests().getFirst().spec().port()).isEqualTo(80);
        assertThat(h.services().getFirst().dests().getFirst().spec().address()).isEqualTo(IpAddr.parse("10.0.0.2"));
    }

    static String svc(String check) {
        return """
                services:
                  - address: 10.0.0.1
                    port: 80
                    health_check: %s
                    real_servers: [{address: 10.0.0.2, port: 80}]
                """.formatted(check);
    }

    @Test
    void mistakesNameTheirPlace() {
        assertThat(error(svc("{type: telnet}"))).isEqualTo("jvs.yaml:4:26: services[0].health_check.type: unknown checker type 'telnet' "
                + "(known: agent, dns, http, https, icmp, script, smtp, tcp, udp)");
        assertThat(error(svc("{type: tcp, delay_loop: -1s}"))).isEqualTo("jvs.yaml:4:43: services[0].health_check.delay_loop: must be more than 0, got '-1s'");
        assertThat(error(svc("{type: tcp, delay_before_retry: -2}"))).isEqualTo("jvs.yaml:4:51: services[0].health_check.delay_before_retry: must not be negative, got '-2'");
        assertThat(error(svc("{type: tcp, retry: -1}"))).isEqualTo("jvs.yaml:4:38: services[0].health_check.retry: -1 out of range 0..1000");
        assertThat(error(svc("{type: script}"))).isEqualTo("jvs.yaml:4:19: services[0].health_check: a script check needs 'command' (a command line, or a list of words)");
        assertThat(error(svc("{type: agent}"))).isEqualTo("jvs.yaml:4:19: services[0].health_check: an agent check needs the agent's 'port'");
        assertThat(error(svc("{path: /}"))).startsWith("jvs.yaml:4:19: services[0].health_check: a health check needs 'type'");
        assertThat(error(svc("{type: tcp, path: /}"))).startsWith("jvs.yaml:4:31: services[0].health_check.path: unknown field 'path' (known: ");
        assertThat(error(svc("{type: http, digest: abc}"))).isEqualTo("jvs.yaml:4:40: services[0].health_check.digest: "
                + "digest must be 32 hexadecimal digits (an MD5, as genhash prints), got 'abc'");
        assertThat(error(svc("{type: http, status: 2xx}"))).startsWith("jvs.yaml:4:40: services[0].health_check.status: status code '2xx'");
        assertThat(error(svc("{type: http, regex: '('}"))).startsWith("jvs.yaml:4:39: services[0].health_check.regex: Unclosed group");
        assertThat(error(svc("{type: udp, payload: xyz}"))).isEqualTo("jvs.yaml:4:40: services[0].health_check.payload: not hexadecimal: 'xyz'");
        assertThat(error(svc("{type: dns, query_type: PTRX}"))).startsWith("jvs.yaml:4:43: services[0].health_check.query_type: unknown DNS query type 'PTRX'");
        assertThat(error(svc("{type: tcp, inhibit_on_failure: maybe}"))).isEqualTo("jvs.yaml:4:51: services[0].health_check.inhibit_on_failure: expected true or false, got 'maybe'");
        assertThat(error(svc("tcp"))).isEqualTo("jvs.yaml:4:19: services[0].health_check: expected the service's default check as a mapping (type: tcp, ...)");
    }

    @Test
    void sorryServerAndQuorumMistakes() {
        String base = """
                services:
                  - address: 10.0.0.1
                    port: 80
                    %s
                    real_servers: [{address: 10.0.0.2, port: 80}]
                """;
        assertThat(error(base.formatted("sorry_server: {address: 10.0.0.2, port: 80}")))
                .isEqualTo("jvs.yaml:4:19: services[0].sorry_server: sorry server 10.0.0.2:80 is also a real server of this service");
        assertThat(error(base.formatted("sorry_server: {address: '::1', port: 80}")))
                .isEqualTo("jvs.yaml:4:19: services[0].sorry_server: sorry server [::1]:80 and service tcp 10.0.0.1:80 are of different address families");
        assertThat(error(base.formatted("sorry_server: {port: 80}"))).isEqualTo("jvs.yaml:4:19: services[0].sorry_server: a real server needs 'address'");
        assertThat(error(base.formatted("sorry_server_inhibit: true"))).isEqualTo("jvs.yaml:4:27: services[0].sorry_server_inhibit: needs a sorry_server");
        assertThat(error(base.formatted("quorum: -1"))).isEqualTo("jvs.yaml:4:13: services[0].quorum: -1 out of range 0..2147483647");
        assertThat(error(base.formatted("quorum_up: []"))).isEqualTo("jvs.yaml:4:16: services[0].quorum_up: expected a command");
        assertThat(error("director: {health: {webhook: 'ftp://x/'}}\n")).isEqualTo("jvs.yaml:1:30: director.health.webhook: webhook must be an http:// or https:// URL, got 'ftp://x/'");
        assertThat(error("director: {health: {max_concurrent: 0}}\n")).isEqualTo("jvs.yaml:1:37: director.health.max_concurrent: 0 out of range 1..100000");
        assertThat(error("""
                services:
                  - address: 10.0.0.1
                    port: 80
                    real_servers:
                      - {address: 10.0.0.2, port: 80, health_check: sometimes}
                """)).isEqualTo("jvs.yaml:5:53: services[0].real_servers[0].health_check: expected a mapping, or 'off' to check this server not at all");
        assertThat(error("""
                services:
                  - address: '2001:db8::1'
                    port: 80
                    real_servers:
                      - {address: '2001:db8::2', port: 80, health_check: {type: icmp}}
                """)).isEqualTo("jvs.yaml:5:58: services[0].real_servers[0].health_check: icmp checks support IPv4 real servers only");
    }
}
