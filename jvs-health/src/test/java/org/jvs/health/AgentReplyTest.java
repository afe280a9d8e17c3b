package org.jvs.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** HAProxy agent replies as HAProxy agents send them, and the malformed ones. */
class AgentReplyTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "75%|UP|-1|75|agent: 75%",
            "up|UP|-1|-1|agent: up",
            "ready 50%|UP|-1|50|agent: ready 50%",
            "ready,maxconn:30,80%|UP|-1|80|agent: ready,maxconn:30,80%",
            "weight:3|UP|3|-1|agent: weight:3",
            "weight:40%|UP|-1|40|agent: weight:40%",
            "drain|DRAIN|-1|-1|agent: drain",
            "maint|MAINT|-1|-1|agent: maint",
            "down #disk full|DOWN|-1|-1|agent: down (disk full)",
            "fail|DOWN|-1|-1|agent: fail",
            "stopped|DOWN|-1|-1|agent: stopped",
            "up drain|DRAIN|-1|-1|agent: up drain",
            "drain down|DOWN|-1|-1|agent: drain down",
            "maint up|MAINT|-1|-1|agent: maint up",
            "hello|DOWN|-1|-1|agent: malformed reply 'hello': unknown word 'hello'",
            "abc%|DOWN|-1|-1|agent: malformed reply 'abc%': bad number in 'abc%'",
            "weight:70000|DOWN|-1|-1|agent: malformed reply 'weight:70000': weight 70000 out of range 0..65535",
            "-5%|DOWN|-1|-1|agent: malformed reply '-5%': bad number in '-5%'",
            "# only a comment|DOWN|-1|-1|agent: empty reply (only a comment)",
    })
    void parses(String line, CheckResult.Status status, int weight, int percent, String reason) {
        CheckResult r = AgentChecker.parse(line);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.weight()).isEqualTo(weight);
        assertThat(r.percent()).isEqualTo(percent);
        assertThat(r.reason()).isEqualTo(reason);
    }

    @ParameterizedTest
    @CsvSource({"75%,10,0.75", "150%,10,1.0", "weight:5,10,0.5", "weight:20,10,1.0", "drain,10,0.0", "up,10,1.0"})
    void factorOfTheConfiguredWeight(String line, int configured, double factor) {
        assertThat(AgentChecker.parse(line).factor(configured)).isEqualTo(factor);
    }
}
