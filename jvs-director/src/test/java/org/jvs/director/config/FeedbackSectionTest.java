package org.jvs.director.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.jvs.core.model.IpAddr;
import org.jvs.core.model.ServiceKey;
import org.jvs.feedback.CollectorSpec;
import org.jvs.feedback.Coefficients;
import org.jvs.feedback.FeedbackConfig;
import org.jvs.feedback.FeedbackSettings;
import org.jvs.feedback.ProbeSpec;
import org.junit.jupiter.api.Test;

/** The {@code feedback:} section: defaults, overrides, and every bad value refused with its place. */
class FeedbackSectionTest {
    private static final String SERVICES = """
            services:
              - name: web
                address: 10.0.0.100
                port: 80
                real_servers:
                  - {address: 10.0.0.11, port: 80, weight: 10}
                  - {address: 10.0.0.12, port: 80, weight: 10}
              - address: 10.0.0.100
                port: 443
                real_servers:
                  - {address: 10.0.0.11, port: 443}
            """;

    private static FeedbackConfig parse(String feedback) {
        return new YamlConfigLoader().parse(Path.of("jvs.yaml"), SERVICES + feedback).feedback();
    }

    private static String error(String feedback) {
        try {
            parse(feedback);
        } catch (ConfigFileException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted:\n" + feedback);
    }

    private static final ServiceKey WEB = new ServiceKey.Virtual(org.jvs.core.model.Protocol.TCP, IpAddr.parse("10.0.0.100"), 80);
    private static final ServiceKey TLS = new ServiceKey.Virtual(org.jvs.core.model.Protocol.TCP, IpAddr.parse("10.0.0.100"), 443);

    @Test
    void noSectionNoFeedback() {
        assertThat(new YamlConfigLoader().parse(Path.of("jvs.yaml"), SERVICES).feedback().enabled()).isFalse();
    }

    @Test
    void anEmptySectionMeansTheThesisDefaultsForEveryService() {
        FeedbackConfig c = parse("feedback: {}\n");
        assertThat(c.settingsFor(WEB)).contains(FeedbackSettings.DEFAULT);
        FeedbackSettings d = FeedbackSettings.DEFAULT;
        assertThat(d.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.coefficients()).isEqualTo(new Coefficients(0.1, 0.3, 0.1, 0.1, 0.1, 0.3));
        assertThat(d.a()).isEqualTo(5.0);
        assertThat(d.scale()).isEqualTo(10);
        assertThat(d.collector()).isEqualTo(new CollectorSpec.SnmpV2c(null, 161, "public", Duration.ofSeconds(1), 1));
        assertThat(d.probe()).isEqualTo(new ProbeSpec.Tcp(0, Duration.ofSeconds(1)));
    }

    @Test
    void readsGlobalSettingsAndPerServiceOverrides() {
        FeedbackConfig c = parse("""
                feedback:
                  interval: 3s
                  coefficients: [0.2, 0.2, 0.1, 0.1, 0.1, 0.3]
                  a: 4
                  scale: 8
                  threshold: 2
                  right_load: {load: 2, disk: 80, memory: 85, processes: 500, response: 250ms}
                  collector: {snmp: {version: 3, user: mon, auth: SHA, auth_password: secret-1, priv: AES, priv_password: secret-2, timeout: 500ms, retries: 2}}
                  probe: {type: http, path: /health, host: www.example.com, timeout: 2s}
                  services:
                    - service: web
                      interval: 2s
                      servers:
                        - address: 10.0.0.12
                          collector: {agent: {port: 9000}}
                    - service: tcp 10.0.0.100:443
                      enabled: false
                """);
        FeedbackSettings web = c.settingsFor(WEB).orElseThrow();
        assertThat(web.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(web.a()).isEqualTo(4.0);
        assertThat(web.scale()).isEqualTo(8);
        assertThat(web.threshold()).isEqualTo(2);
        assertThat(web.rightLoad().response()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.settingsFor(TLS)).isEmpty();
        assertThat(c.collectorFor(WEB, IpAddr.parse("10.0.0.12"), 80)).isEqualTo(new CollectorSpec.Agent(null, 9000, Duration.ofSeconds(1)));
        assertThat(c.collectorFor(WEB, IpAddr.parse("10.0.0.11"), 80)).isInstanceOf(CollectorSpec.SnmpV3.class);
        assertThat(c.probeFor(WEB, IpAddr.parse("10.0.0.11"), 80)).isEqualTo(new ProbeSpec.Http(0, "/health", "www.example.com", Duration.ofSeconds(2)));
    }

    @Test
    void badValuesAreRefusedWithTheirPlace() {
        assertThat(error("feedback: {interval: 1s}\n")).contains("jvs.yaml:12:22: feedback.interval: interval must be between 2s and 10s, got 1000ms");
        assertThat(error("feedback: {interval: 11s}\n")).contains("interval must be between 2s and 10s");
        assertThat(error("feedback: {coefficients: {input: -0.1, load: 0.4, disk: 0.1, memory: 0.1, process: 0.2, response: 0.3}}\n"))
                .contains("feedback.coefficients").contains("coefficient input must be a number >= 0");
        assertThat(error("feedback: {coefficients: [0.5, 0.5, 0.5, 0, 0, 0]}\n")).contains("add up to 1");
        assertThat(error("feedback: {coefficients: [1, 0]}\n")).contains("expected six coefficients");
        assertThat(error("feedback: {a: lots}\n")).contains("feedback.a").contains("expected a number, got 'lots'");
        assertThat(error("feedback: {scale: 0}\n")).contains("feedback.scale").contains("0 out of range 1..1000");
        assertThat(error("feedback: {threshold: -1}\n")).contains("-1 out of range 0..65535");
        assertThat(error("feedback: {right_load: {processes: 0}}\n")).contains("right_load.processes must be a number > 0");
        assertThat(error("feedback: {collector: {snmp: {version: 1}}}\n")).contains("SNMP version must be 2c or 3, got '1'");
        assertThat(error("feedback: {collector: {snmp: {version: 2c, user: x}}}\n")).contains("'user' is for SNMP v3");
        assertThat(error("feedback: {collector: {snmp: {version: 3}}}\n")).contains("SNMP v3 needs 'user'");
        assertThat(error("feedback: {collector: {snmp: {version: 3, user: u, auth_password: short}}}\n")).contains("at least 8 characters");
        assertThat(error("feedback: {collector: {snmp: {timeout: 30s}}}\n")).contains("collector timeout must be between 1ms and 10s");
        assertThat(error("feedback: {collector: {agent: {port: 0}}}\n")).contains("0 out of range 1..65535");
        assertThat(error("feedback: {collector: {}}\n")).contains("either 'snmp: {...}' or 'agent: {...}'");
        assertThat(error("feedback: {probe: {type: icmp}}\n")).contains("probe type must be tcp or http, got 'icmp'");
        assertThat(error("feedback: {probe: {type: http, path: nope}}\n")).contains("probe path must start with /");
        assertThat(error("feedback: {intervall: 5s}\n")).contains("unknown field 'intervall'");
        assertThat(error("feedback: {services: [{service: mail}]}\n")).contains("no service 'mail' in this file");
        assertThat(error("feedback: {services: [{service: web}, {service: web}]}\n")).contains("given twice");
        assertThat(error("feedback: {services: [{interval: 3s}]}\n")).contains("needs 'service'");
        assertThat(error("feedback: {services: [{service: web, servers: [{address: 10.0.0.11}]}]}\n")).contains("needs 'collector' or 'probe'");
        assertThat(error("feedback: {services: [{service: web, interval: 20s}]}\n")).contains("interval must be between 2s and 10s");
    }
}
