package org.jvs.director.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hundred reloads by SIGHUP during a wrk run through the socket engine, as an administrator's deployment script
 * would send them: the director runs as its own process ({@code DirectorMain}, as {@code bin/jvs director} starts
 * it), the file alternates between two configurations that differ in the weights and in one real server, and one
 * broken file in the middle is refused whole. wrk's keep-alive connections must see no error and no failed answer,
 * also those to the server a reload removes (an established connection finishes where it is). Loopback only;
 * wrk and the director are stopped after the test, also on failure.
 */
@Timeout(120)
class ReloadUnderLoadEndToEndTest extends DirectorProcessTest {
    static final int RELOADS = 100;


    String config(int vip, int[] ports, boolean second) {
        // A: three servers at weight 1; B: the first at weight 3, the second at 1, the third removed.
        String servers = second
                ? "      - {address: 127.0.0.1, port: " + ports[0] + ", weight: 3}\n"
                + "      - {address: 127.0.0.1, port: " + ports[1] + ", weight: 1}\n"
                : "      - {address: 127.0.0.1, port: " + ports[0] + "}\n"
                + "      - {address: 127.0.0.1, port: " + ports[1] + "}\n"
                + "      - {address: 127.0.0.1, port: " + ports[2] + "}\n";
        return """
                director: {control_socket: %s, conn_table_size: 65536, conn_table_size_v6: 64}
                services:
                  - address: 127.0.0.1
                    port: %d
                    scheduler: wrr
                    real_servers:
                """.formatted(dir.resolve("jvs.sock"), vip) + servers;
    }

    @Test
    void aHundredSighupReloadsDuringWrkLoseNoRequestAndABrokenFileIsRefusedWhole() throws Exception {
        int[] ports = SocketEngineEndToEndTest.freePorts(4);
        int vip = ports[3];
        backends = NginxBackends.start(Files.createDirectory(dir.resolve("nginx")), List.of(
                new NginxBackends.Backend("a", ports[0]), new NginxBackends.Backend("b", ports[1]),
                new NginxBackends.Backend("c", ports[2])));
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, config(vip, ports, false));
        Path log = dir.resolve("director.log");
        director = DirectorProcess.start(cfg, log, dir.resolve("jvs.sock"));

        Wrk wrk = Wrk.start(vip, 16, 14);
        Thread.sleep(1000);
        for (int i = 1; i <= RELOADS; i++) {
            if (i == RELOADS / 2) {
                // A broken file: refused whole with its line and reason; the running configuration stays.
                Files.writeString(cfg, config(vip, ports, false).replace("port: " + ports[1] + "}", "port: 99999}"));
                signalAndAwait(log, "reload refused, running configuration kept", 1);
            }
            Files.writeString(cfg, config(vip, ports, i % 2 == 1));
            signalAndAwait(log, "org.jvs.director: reloaded ", i);
            Thread.sleep(80);
        }
        Wrk.Result r = wrk.await();
        String out = director.log();
        System.out.printf("reload under load: %d SIGHUP reloads (and 1 refused) during wrk -c16 14 s: %d requests,"
                + " %d socket errors, %d non-2xx%n", count(out, "org.jvs.director: reloaded "), r.requests(), r.socketErrors(), r.non2xx());
        assertThat(r.requests()).as(r.output()).isGreaterThan(1000);
        assertThat(r.socketErrors()).as("wrk socket errors: " + r.output() + "\nlog:\n" + out).isZero();
        assertThat(r.non2xx()).as(r.output()).isZero();
        assertThat(out).contains("jvs.yaml:8:").contains("port: 99999 out of range 0..65535");
        assertThat(count(out, "org.jvs.director: reloaded ")).isEqualTo(RELOADS);
    }

    private void signalAndAwait(Path log, String line, int count) throws Exception {
        director.signal("HUP");
        director.await(line, count, Duration.ofSeconds(20));
    }

    private static int count(String text, String line) {
        return DirectorProcess.count(text, line);
    }
}
