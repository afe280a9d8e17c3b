package org.jvs.director.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jvs.cli.IpvsadmParser;
import org.jvs.cli.UsageException;
import org.jvs.director.api.Json;
import org.jvs.director.config.ConfigApplier;
import org.jvs.director.config.ConfigFileException;
import org.jvs.director.config.RulesConfigLoader;
import org.jvs.director.config.YamlConfigLoader;
import org.jvs.director.importer.ImportException;
import org.jvs.director.importer.ImporterFuzzAccess;

/**
 * Bounded fuzzing of what the director reads from outside: the control API's JSON bodies, the YAML and
 * ipvsadm-save configuration loaders, jvsadm command lines and keepalived.conf files. Valid seeds are mutated (a
 * few bytes replaced with interesting or random ones, deleted, duplicated, or the text cut short); every input
 * must end in a value or in the parser's own clear error, never another exception, and within a bound (a parser
 * that loops or blows up on some input times the property out). Crash inputs found become cases below.
 * Every run draws new inputs (jqwik picks a new seed, and prints it when a property fails); a longer run is this
 * class in a loop: {@code for i in $(seq 100); do ./mvnw -o -q -pl jvs-director test -Dtest=UntrustedInputFuzzTest
 * || break; done}.
 */
class UntrustedInputFuzzTest {

    static final String[] JSON_SEEDS = {
            "{\"argv\":[\"-A\",\"-t\",\"10.0.0.1:80\",\"-s\",\"wlc\"],\"stdin\":\"-C\\n\"}",
            "{\"drop_entry\": 1, \"secure_tcp\": 3, \"amemthresh\": 1.5e3, \"x\": [true, false, null, -0.25]}",
            "[{\"a\": {\"b\": [\"\\u00e9\\n\\\"\", 123456789012345678901234567890]}}]",
    };

    static final String[] YAML_SEEDS = {
            """
            director:
              conn_table_size: 4096
              timeouts: {tcp: 100, tcpfin: 20, udp: 10}
              defense: {drop_entry: 1, secure_tcp: 3}
            services:
              - address: 10.0.0.100
                port: 80
                scheduler: wrr
                persistence: {timeout: 60, netmask: 255.255.255.0}
                health_check: {type: http, path: /, delay_loop: 2s, retry: 1}
                real_servers:
                  - {address: 10.0.0.1, weight: 3, method: dr}
                  - {address: 10.0.0.2, port: 8080, method: nat, health_check: off}
                  - {address: 10.0.0.3, method: tun, tunnel: {type: gue, port: 6080, checksum: remcsum}}
              - protocol: udp
                address: "2001:db8::1"
                port: 53
                real_servers:
                  - {address: "2001:db8::2", method: nat}
            """,
            """
            services:
              - fwmark: 7
                scheduler: mh
                flags: [mh-fallback, mh-port]
                engine: packet
                real_servers: [{address: 192.0.2.1}]
            packet:
              interfaces: [{name: eth0, role: both}]
            """,
    };

    static final String[] RULES_SEEDS = {
            "-A -t 10.0.0.100:80 -s wlc -p 300 -M 255.255.255.0\n-a -t 10.0.0.100:80 -r 10.0.0.1:80 -g -w 3\n"
                    + "-a -t 10.0.0.100:80 -r 10.0.0.2:8080 -m -x 100 -y 50\n-A -u [2001:db8::1]:53 -s rr\n"
                    + "-A -f 7 -s mh -b mh-fallback\n",
    };

    static final String[] ARGV_SEEDS = {
            "-A -t 10.0.0.100:80 -s wrr -p 300 -M 24",
            "-a -t 10.0.0.100:80 -r 10.0.0.1:8080 -i --tun-type gue --tun-port 6080 --tun-remcsum -w 5",
            "-L -n --stats --rate --exact --json",
            "--defense drop_entry=1 secure_tcp=3 amemthresh=2048",
            "--start-daemon master --mcast-interface eth0 --syncid 5 --sync-maxlen 1472",
            "--where tcp 192.0.2.7:40000 10.0.0.100:80 --mark 5",
    };

    static final String[] KEEPALIVED_SEEDS = {
            """
            global_defs { router_id lb1 }
            virtual_server 10.0.0.100 80 {
                delay_loop 6
                lb_algo wlc
                lb_kind DR
                persistence_timeout 50
                protocol TCP
                real_server 10.0.0.1 80 {
                    weight 3
                    HTTP_GET { url { path /health status_code 200 } connect_timeout 3 }
                }
                real_server 10.0.0.2 80 { weight 1 TCP_CHECK { connect_port 80 } }
            }
            virtual_server fwmark 7 { lb_algo rr lb_kind TUN tun_type gue tun_port 6080 real_server 10.0.0.3 0 { } }
            """,
    };

    // ---- the properties ----------------------------------------------------------------------------------

    @Property(tries = 2000)
    void controlApiJsonEndsInAValueOrAClearError(@ForAll("json") String body) {
        try {
            Json.parse(body);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("bad JSON at offset ");
        }
    }

    @Property(tries = 1500)
    void yamlConfigurationsEndInAConfigurationOrAPositionedError(@ForAll("yaml") String text) {
        try {
            ConfigApplier.validate(new YamlConfigLoader().parse(Path.of("jvs.yaml"), text));
        } catch (ConfigFileException e) {
            assertThat(e.getMessage()).startsWith("jvs.yaml");
        }
    }

    @Property(tries = 1500)
    void ipvsadmSaveRulesEndInAConfigurationOrAPositionedError(@ForAll("rules") String text) {
        try {
            ConfigApplier.validate(new RulesConfigLoader().parse(Path.of("rules"), text));
        } catch (ConfigFileException e) {
            assertThat(e.getMessage()).startsWith("rules");
        }
    }

    @Property(tries = 2000)
    void jvsadmCommandLinesEndInACommandOrAUsageError(@ForAll("argv") List<String> argv) {
        try {
            IpvsadmParser.parse(argv);
        } catch (UsageException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 1000)
    void keepalivedFilesEndInYamlOrAnImportError(@ForAll("keepalived") String text) {
        try {
            assertThat(ImporterFuzzAccess.importText("keepalived.conf", text).yaml()).isNotNull();
        } catch (ImportException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    // ---- crash inputs the fuzzing found, kept as regression cases ----------------------------------------

    @org.junit.jupiter.api.Test
    void aUnicodeEscapeWithoutFourHexDigitsIsABadEscape() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Json.parse("\"a\\u\u00e90e9\""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("bad JSON at offset 4: bad \\u escape");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Json.parse("\"\\u12G4\""))
                .hasMessage("bad JSON at offset 3: bad \\u escape");
        assertThat(Json.parse("\"\\u00E9\"")).isEqualTo("\u00e9");
    }

    @org.junit.jupiter.api.Test
    void aPersistenceTimeoutThatIsNoNumberIsAWarningNotACrash() throws ImportException {
        var r = ImporterFuzzAccess.importText("keepalived.conf", """
                virtual_server 10.0.0.100 80 {
                    persistence_timeout x
                    lb_kind DR
                    real_server 10.0.0.1 80 { }
                }
                """);
        assertThat(r.messages().toString()).contains("expected a whole number, got 'x'; not translated");
        assertThat(r.yaml()).doesNotContain("persistence:");
    }

    // ---- inputs ------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<String> json() {
        return mutated(JSON_SEEDS);
    }

    @Provide
    Arbitrary<String> yaml() {
        return mutated(YAML_SEEDS);
    }

    @Provide
    Arbitrary<String> rules() {
        return mutated(RULES_SEEDS);
    }

    @Provide
    Arbitrary<String> keepalived() {
        return mutated(KEEPALIVED_SEEDS);
    }

    @Provide
    Arbitrary<List<String>> argv() {
        return mutated(ARGV_SEEDS).map(s -> new ArrayList<>(Arrays.asList(s.split(" ", -1))));
    }

    static Arbitrary<String> mutated(String[] seeds) {
        return Combinators.combine(Arbitraries.integers().between(0, seeds.length - 1), Arbitraries.integers().between(0, 8),
                Arbitraries.longs()).as((s, n, r) -> mutate(seeds[s], n, r));
    }

    /** {@code count} mutations of {@code seed}'s UTF-8 bytes, decoded back (broken sequences become U+FFFD). */
    static String mutate(String seed, int count, long random) {
        Random rnd = new Random(random);
        byte[] b = seed.getBytes(StandardCharsets.UTF_8);
        byte[] interesting = {'\n', ' ', '\t', ':', ',', '-', '{', '}', '[', ']', '"', '\\', '=', '0', '9', '.', 0,
                (byte) 0xFF, (byte) 0xC3, '&', '*', '!', '#', '|', '>'};
        for (int i = 0; i < count && b.length > 0; i++) {
            int at = rnd.nextInt(b.length);
            b = switch (rnd.nextInt(5)) {
                case 0 -> set(b, at, interesting[rnd.nextInt(interesting.length)]);
                case 1 -> set(b, at, (byte) rnd.nextInt(256));
                case 2 -> cut(b, at, 1 + rnd.nextInt(Math.min(8, b.length - at)));
                case 3 -> {
                    int from = rnd.nextInt(b.length);
                    yield insert(b, at, Arrays.copyOfRange(b, from, Math.min(b.length, from + 1 + rnd.nextInt(16))));
                }
                default -> Arrays.copyOf(b, at); // the text cut short
            };
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] set(byte[] b, int at, byte v) {
        b[at] = v;
        return b;
    }

    private static byte[] cut(byte[] b, int at, int n) {
        byte[] c = new byte[b.length - n];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(b, at + n, c, at, b.length - at - n);
        return c;
    }

    private static byte[] insert(byte[] b, int at, byte[] piece) {
        byte[] c = new byte[b.length + piece.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(piece, 0, c, at, piece.length);
        System.arraycopy(b, at, c, at + piece.length, b.length - at);
        return c;
    }
}
