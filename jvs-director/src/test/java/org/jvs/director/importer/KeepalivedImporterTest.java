package org.jvs.director.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jvs.director.config.DirectorConfig;
import org.jvs.director.config.YamlConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The importer on four realistic keepalived.conf files (src/test/resources/keepalived/NAME/keepalived.conf),
 * each compared with its golden expected.yaml, plus messages, exit codes and parse errors. Run with
 * {@code -Djvs.import.regenerate=true} to rewrite the golden files after an intended change (then read the diff).
 */
class KeepalivedImporterTest {
    static final Path RES = Path.of("src/test/resources/keepalived");

    static Path input(String name) {
        return RES.resolve(name).resolve("keepalived.conf");
    }

    static List<String> formatted(KeepalivedImporter.Result r) {
        return r.messages().stream().map(Message::format).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dr-pair", "nat-pair", "v3-unicast", "includes"})
    void matchesTheGoldenFile(String name) throws Exception {
        KeepalivedImporter.Result r = KeepalivedImporter.importFile(input(name));
        Path golden = RES.resolve(name).resolve("expected.yaml");
        if (Boolean.getBoolean("jvs.import.regenerate")) {
            Files.writeString(golden, r.yaml());
        }
        assertThat(r.yaml()).isEqualTo(Files.readString(golden));
    }

    /** The whole generated file loads with the director's own loader: services, health, packet, vrrp and sync. */
    @ParameterizedTest
    @ValueSource(strings = {"dr-pair", "nat-pair", "v3-unicast", "includes"})
    void servicesAndHealthChecksLoad(String name, @TempDir Path dir) throws Exception {
        String yaml = KeepalivedImporter.importFile(input(name)).yaml();
        Path file = dir.resolve("jvs.yaml");
        Files.writeString(file, yaml);
        DirectorConfig c = new YamlConfigLoader().load(file);
        assertThat(c.services()).isNotEmpty();
        assertThat(c.vrrp().instances()).isNotEmpty();
        assertThat(c.packet()).isNotNull();
        assertThat(c.health().services()).hasSameSizeAs(c.services());
    }

    /** Drops the named top-level sections (and the comment lines just above them). */
    static String withoutSections(String yaml, String... names) {
        StringBuilder out = new StringBuilder();
        StringBuilder pendingComments = new StringBuilder();
        boolean skipping = false;
        for (String line : yaml.split("\n", -1)) {
            boolean top = !line.isEmpty() && !line.startsWith(" ") && !line.startsWith("#");
            if (top) {
                skipping = List.of(names).stream().anyMatch(n -> line.startsWith(n + ":"));
                if (skipping) {
                    pendingComments.setLength(0);
                }
            }
            if (skipping) {
                continue;
            }
            if (line.startsWith("#")) {
                pendingComments.append(line).append('\n');
                continue;
            }
            out.append(pendingComments).append(line).append('\n');
            pendingComments.setLength(0);
        }
        return out.append(pendingComments).toString();
    }

    @Test
    void drPair() throws Exception {
        KeepalivedImporter.Result r = KeepalivedImporter.importFile(input("dr-pair"));
        assertThat(r.complete()).isFalse();
        assertThat(formatted(r)).filteredOn(m -> !m.contains(": note: ")).extracting(m -> m.substring(0, m.indexOf(": '")))
                .containsExactly("keepalived.conf:4", "keepalived.conf:8", "keepalived.conf:9", "keepalived.conf:10",
                        "keepalived.conf:50", "keepalived.conf:116");
        assertThat(formatted(r)).contains("keepalived.conf:50: '192.168.200.101/24 dev eth0 label eth0:1' options dropped "
                + "(label eth0:1): JVS's VRRP adds the address, with 'dev' only");
        // Identical HTTP_GET blocks on both servers become the service's default check.
        assertThat(r.yaml()).contains("    # the same check on every real server (first at keepalived.conf:68)\n    health_check:\n      type: http\n");
        assertThat(r.yaml()).contains("sorry_server: {address: 192.168.200.250, port: 80, method: dr}");
    }

    @Test
    void natPairIsCompleteAndRunsBothSyncDaemons() throws Exception {
        KeepalivedImporter.Result r = KeepalivedImporter.importFile(input("nat-pair"));
        assertThat(r.complete()).isTrue();
        assertThat(formatted(r)).contains("keepalived.conf:8: note: 'lvs_sync_daemon eth1 VI_EXT id 5 maxlen 1472' becomes a master "
                + "and a backup sync daemon running together (keepalived switches between them with VI_EXT); both use syncid 5");
        assertThat(r.yaml()).contains("""
                    - {state: master, mcast_interface: eth1, syncid: 5, maxlen: 1472}
                    - {state: backup, mcast_interface: eth1, syncid: 5, maxlen: 1472}
                """);
        assertThat(r.yaml()).contains("- {name: eth0, role: client}", "- {name: eth1, role: server}");
        assertThat(r.yaml()).contains("garp_master_delay: 10s                    # keepalived.conf:6 (global_defs vrrp_garp_master_delay)");
    }

    @Test
    void v3Unicast() throws Exception {
        KeepalivedImporter.Result r = KeepalivedImporter.importFile(input("v3-unicast"));
        assertThat(formatted(r).stream().filter(m -> !m.contains(": note: ")))
                .containsExactly("keepalived.conf:5: 'enable_script_security' not translated: JVS does not check who may modify the "
                        + "scripts it runs: make every script (and its directory) owned by root and not writable by others yourself",
                        "keepalived.conf:6: 'script_user root' dropped: JVS runs vrrp and health-check scripts as the director's own user "
                        + "(run the director as that user, or make the scripts setuid-safe)",
                        "keepalived.conf:20: 'user root' dropped: JVS runs vrrp scripts as the director's own user");
        assertThat(r.yaml()).doesNotContain("user:");
        assertThat(r.yaml()).contains("advert_int: 500ms", "version: 3", "preempt: false", "unicast_peer: [192.0.2.3]",
                "track_interface: [ens5, {name: ens4, weight: -10}]", "track_script: [chk_haproxy, {name: chk_disk, weight: -30}]",
                "health_check: {type: tcp, port: 443, connect_timeout: 1500ms}",
                "{address: 192.0.2.13, port: 443, method: dr, weight: 0, health_check: off}");
    }

    @Test
    void includesAndWhatJvsLacks() throws Exception {
        KeepalivedImporter.Result r = KeepalivedImporter.importFile(input("includes"));
        assertThat(formatted(r).stream().filter(m -> !m.contains(": note: ")).map(m -> m.substring(0, m.indexOf(": '"))))
                .containsExactly("keepalived.conf:4", "keepalived.conf:10", "keepalived.conf:23", "conf.d/10-https.conf:2",
                        "conf.d/10-https.conf:28", "conf.d/20-app.conf:6", "conf.d/20-app.conf:20",
                        "conf.d/20-app.conf:25", "conf.d/20-app.conf:26");
        assertThat(formatted(r)).contains("conf.d/20-app.conf:4: note: 'lvs_method TUN' translated as method: tun: every real server"
                + " needs a tunnel endpoint holding the VIP (the kernel's tunl0, or bin/jvs realserver where it has no tunnel modules:"
                + " docs/packet.md, VS/TUN)");
        assertThat(r.yaml()).contains("ca_file: /etc/keepalived/ca.pem           # keepalived.conf:9", "sni: api.example.net",
                "command: \"/usr/local/bin/check-smtp.sh 192.0.2.42\"");
    }

    @Test
    void syncGroupMembersGetScriptWeightZero() throws Exception {
        KeepalivedImporter.Result r = KeepalivedImporter.importText("k.conf", """
                vrrp_script chk { script "/bin/true"
                  weight -20 }
                vrrp_sync_group G { group { A B } }
                vrrp_instance A { interface eth0
                  virtual_router_id 1
                  track_script { chk } }
                vrrp_instance B { interface eth0
                  virtual_router_id 2 }
                """);
        assertThat(r.yaml()).contains("track_script: [{name: chk, weight: 0}]");
        assertThat(formatted(r)).anyMatch(m -> m.startsWith("k.conf:6: note: 'track_script' weights set to 0"));
    }

    @Test
    void virtualServerGroupBecomesOneServicePerEntry() throws Exception {
        KeepalivedImporter.Result r = KeepalivedImporter.importText("k.conf", """
                virtual_server_group WEB {
                  10.0.0.1-2 80
                  10.0.0.5 8080
                  fwmark 7
                  10.0.1.0/29 80
                }
                virtual_server group WEB {
                  lvs_method DR
                  real_server 10.0.0.11 80 { TCP_CHECK { } }
                }
                """);
        assertThat(r.yaml()).contains("name: tcp-10.0.0.1-80", "name: tcp-10.0.0.2-80", "name: tcp-10.0.0.5-8080", "name: fwmark-7");
        assertThat(formatted(r)).anyMatch(m -> m.startsWith("k.conf:5: '10.0.1.0/29 80' this form of address range"));
        assertThat(formatted(r)).anyMatch(m -> m.startsWith("k.conf:7: note: 'virtual_server group WEB' becomes one JVS service per entry"));
    }

    @Test
    void tokenizerFollowsKeepalivedQuotingAndComments() throws Exception {
        List<KeepalivedTokenizer.Token> t = KeepalivedTokenizer.tokenize("k.conf", """
                a "b c"d 'e"f' ! comment
                x\t"\\x41\\101\\"" # more
                y{z}
                """, m -> { });
        assertThat(t).extracting(KeepalivedTokenizer.Token::text).containsExactly("a", "b cd", "e\"f", "x", "AA\"", "y", "{", "z", "}");
        assertThat(t).extracting(tok -> tok.src().line()).containsExactly(1, 1, 1, 2, 2, 3, 3, 3, 3);
    }

    @Test
    void openingBraceOnTheNextLine() throws Exception {
        List<Stmt> s = KeepalivedParser.parse("k.conf", "vrrp_instance V\n{\n  state BACKUP\n}\n", m -> { });
        assertThat(s).singleElement().satisfies(v -> {
            assertThat(v.args()).containsExactly("V");
            assertThat(v.block()).extracting(Stmt::text).containsExactly("state BACKUP");
        });
    }

    @Test
    void parseErrorsNameTheLine() {
        assertThatThrownBy(() -> KeepalivedParser.parse("k.conf", "global_defs {\n  router_id x\n\nvrrp_instance V {\n}\n", m -> { }))
                .isInstanceOf(ImportException.class).hasMessage("k.conf:1: block opened here is never closed ('}' missing)");
        assertThatThrownBy(() -> KeepalivedParser.parse("k.conf", "global_defs {\n}\n}\n", m -> { }))
                .hasMessage("k.conf:3: '}' closes no block");
        assertThatThrownBy(() -> KeepalivedParser.parse("k.conf", "global_defs {\n}\nvirtual_sever 10.0.0.1 80 {\n}\n", m -> { }))
                .hasMessage("k.conf:3: unknown keyword 'virtual_sever' (a block keepalived does not know): not a keepalived top-level keyword");
        assertThatThrownBy(() -> KeepalivedParser.parse("k.conf", "global_defs {\n router_id \"x\n}\n", m -> { }))
                .hasMessage("k.conf:2: unterminated double quote");
    }

    @Test
    void unknownKeywordsInsideBlocksAreMessages() throws Exception {
        KeepalivedImporter.Result r = KeepalivedImporter.importText("k.conf", "global_defs {\n  bogus_keyword 1\n  router_id r\n}\n");
        assertThat(formatted(r)).containsExactly(
                "k.conf:2: 'bogus_keyword 1' not translated: no JVS equivalent in global_defs",
                "k.conf:3: note: 'router_id r' kept as a comment at the top: JVS has no router id");
        assertThat(r.yaml()).contains("#   k.conf:2: 'bogus_keyword 1' not translated");
    }

    @Test
    void includeWithoutMatchIsAWarning(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("keepalived.conf");
        Files.writeString(f, "include missing/*.conf\n");
        KeepalivedImporter.Result r = KeepalivedImporter.importFile(f);
        assertThat(formatted(r)).containsExactly("keepalived.conf:1: 'include missing/*.conf' matches no file; nothing included");
    }

    @Test
    void includeGlobsAreSortedAndRelativeToTheIncludingFile(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/b/2.conf"), "");
        Files.writeString(dir.resolve("a/b/1.conf"), "");
        Files.writeString(dir.resolve("a/b/x.txt"), "");
        assertThat(KeepalivedTokenizer.glob(dir, "a/*/*.conf")).containsExactly(dir.resolve("a/b/1.conf"), dir.resolve("a/b/2.conf"));
        assertThat(KeepalivedTokenizer.glob(dir, "a/b/{2,1}.conf")).containsExactly(dir.resolve("a/b/1.conf"), dir.resolve("a/b/2.conf"));
    }

    // ---- the command ----------------------------------------------------------------------------------------

    record Run(int exit, String out, String err) {
    }

    static Run main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ImportMain.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void exitCodes(@TempDir Path dir) throws Exception {
        Run complete = main(input("nat-pair").toString());
        assertThat(complete.exit()).isZero();
        assertThat(complete.out()).isEqualTo(Files.readString(RES.resolve("nat-pair/expected.yaml")));
        assertThat(complete.err()).doesNotContain("not translated");

        Run partial = main(input("dr-pair").toString());
        assertThat(partial.exit()).isEqualTo(1);
        assertThat(partial.out()).startsWith("# JVS director configuration").contains("services:");
        assertThat(partial.err()).contains("keepalived.conf:116: 'notify_down \"/etc/keepalived/rs-down.sh 192.168.200.22\"' not translated")
                .endsWith("import-keepalived: 6 lines not translated (listed above and at the top of the YAML)\n");

        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "global_defs {\n  router_id x\n}\nfoo_block {\n}\n");
        Run broken = main(bad.toString());
        assertThat(broken.exit()).isEqualTo(2);
        assertThat(broken.out()).isEmpty();
        assertThat(broken.err()).isEqualTo("bad.conf:4: unknown keyword 'foo_block' (a block keepalived does not know): not a keepalived top-level keyword\n");

        Files.writeString(bad, "vrrp_instance V {\n  state MASTER\n");
        assertThat(main(bad.toString()).exit()).isEqualTo(2);
        assertThat(main(bad.toString()).err()).isEqualTo("bad.conf:1: block opened here is never closed ('}' missing)\n");

        Run missing = main(dir.resolve("nope.conf").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.conf: cannot read");

        Path out = dir.resolve("out.yaml");
        Run toFile = main(input("nat-pair").toString(), "-o", out.toString());
        assertThat(toFile.exit()).isZero();
        assertThat(toFile.out()).isEmpty();
        assertThat(Files.readString(out)).isEqualTo(complete.out());

        assertThat(main().exit()).isEqualTo(2);
        assertThat(main("--bogus", "x").exit()).isEqualTo(2);
    }
}
