package org.jvs.director.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.jvs.core.LoadBalancer;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.time.ManualClock;
import org.junit.jupiter.api.Test;

class RulesConfigLoaderTest {
    static final Path FILE = Path.of("ipvs.rules");
    final RulesConfigLoader loader = new RulesConfigLoader();

    @Test
    void readsWhatIpvsadmSaveWrites() {
        String rules = """
                # saved by ipvsadm -S -n
                -A -t 10.0.0.100:80 -s wlc -p 360
                -a -t 10.0.0.100:80 -r 10.0.0.11:80 -g -w 3
                -a -t 10.0.0.100:80 -r 10.0.0.12:8080 -m -w 1
                ipvsadm -A -u 10.0.0.100:53 -s rr
                -a -u 10.0.0.100:53 -r 10.0.0.13:53 -m
                --set 600 0 30
                """;
        assertThat(RulesConfigLoader.looksLikeRules(rules)).isTrue();
        assertThat(RulesConfigLoader.looksLikeRules("services: []\n")).isFalse();
        DirectorConfig c = loader.parse(FILE, rules);
        assertThat(c.services()).hasSize(2);
        assertThat(c.services().get(0).spec().persistence().timeoutSeconds()).isEqualTo(360);
        assertThat(c.services().get(0).dests()).hasSize(2);
        assertThat(c.services().get(0).dests().get(1).method()).isEqualTo(ForwardingMethod.NAT);
        assertThat(c.services().get(0).destLines()).containsExactly(3, 4);
        assertThat(c.settings().tcpTimeout()).isEqualTo(600);
        assertThat(c.settings().udpTimeout()).isEqualTo(30);

        LoadBalancer lb = new LoadBalancer(LoadBalancer.Options.DEFAULT.withCapacity(64, 16), new ManualClock());
        try {
            ConfigApplier.apply(lb, c);
            assertThat(lb.services()).hasSize(2);
            assertThat(lb.timeouts().view().tcp()).isEqualTo(600);
        } finally {
            lb.close();
        }
    }

    @Test
    void errorsNameTheLine() {
        assertThatThrownBy(() -> loader.parse(FILE, "-A -t 10.0.0.1:80\n-a -t 10.0.0.2:80 -r 10.0.0.3\n"))
                .hasMessage("ipvs.rules:2: service tcp 10.0.0.2:80 is not defined by an earlier -A line");
        assertThatThrownBy(() -> loader.parse(FILE, "-A -t 10.0.0.1:80\n\n-a -t 10.0.0.1:80 -r 10.0.0.3 -w 99999\n"))
                .isInstanceOf(ConfigFileException.class).hasMessageStartingWith("ipvs.rules:3: ");
        assertThatThrownBy(() -> loader.parse(FILE, "-A -t 10.0.0.1:80\n-L -n\n"))
                .hasMessage("ipvs.rules:2: only -A, -a, --set and -C belong in a rules file");
        DirectorConfig dup = loader.parse(FILE, "-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.3\n-a -t 10.0.0.1:80 -r 10.0.0.3\n");
        assertThatThrownBy(() -> ConfigApplier.validate(dup))
                .hasMessage("ipvs.rules:3: services[0].real_servers[1]: real server 10.0.0.3:80 already exists in service tcp 10.0.0.1:80");
    }
}
