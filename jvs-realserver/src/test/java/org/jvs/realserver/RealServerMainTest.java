package org.jvs.realserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.jvs.core.model.TunnelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code bin/jvs realserver}'s command line: what it accepts, and a clear sentence for each mistake. */
class RealServerMainTest {
    @Test
    void theUsualCommandLine() {
        RealServerMain.Options o = RealServerMain.parse(new String[] {"--tun", "ipip,gue", "--port", "6080",
                "--vip", "203.0.113.10,203.0.113.11", "--director", "192.0.2.2", "--dev", "tun-vip", "--stats", "5"});
        assertThat(o.types()).containsExactly(TunnelType.IPIP, TunnelType.GUE);
        assertThat(o.port()).isEqualTo(6080);
        assertThat(o.vips()).containsExactly(0xCB00_710A, 0xCB00_710B);
        assertThat(o.directors()).containsExactly(0xC000_0202);
        assertThat(o.device()).isEqualTo("tun-vip");
        assertThat(o.statsSeconds()).isEqualTo(5);
    }

    @Test
    void defaults() {
        RealServerMain.Options o = RealServerMain.parse(new String[] {"--tun", "gre", "--vip", "203.0.113.10"});
        assertThat(o.device()).isEqualTo(RealServerMain.DEFAULT_DEVICE);
        assertThat(o.directors()).isEmpty();
        assertThat(o.statsSeconds()).isEqualTo(60);
        assertThat(o.types()).isEqualTo(List.of(TunnelType.GRE));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--vip 203.0.113.10|--tun is required",
            "--tun ipip|--vip is required",
            "--tun gue --vip 203.0.113.10|--tun gue needs --port",
            "--tun ipip --port 6080 --vip 203.0.113.10|--port applies to gue only",
            "--tun vxlan --vip 203.0.113.10|unknown tunnel type 'vxlan'",
            "--tun ipip --vip 203.0.113.300|'203.0.113.300' is not an IP address",
            "--tun ipip --vip 2001:db8::1|IPv4 only",
            "--tun gue --port 70000 --vip 203.0.113.10|'70000' is not a number in 1..65535",
            "--tun ipip --vip 203.0.113.10 --dev this-name-is-too-long|is not an interface name",
            "--tun ipip --vip 203.0.113.10 --bogus 1|unknown option '--bogus'",
            "--tun ipip --vip|'--vip' needs a value",
    })
    void mistakesAreRefusedWithASentence(String line, String message) {
        assertThatThrownBy(() -> RealServerMain.parse(line.split(" "))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
