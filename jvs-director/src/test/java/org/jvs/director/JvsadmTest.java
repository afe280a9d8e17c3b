package org.jvs.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jvsadm as a user runs it: through the daemon's control socket. */
class JvsadmTest {
    @TempDir
    Path dir;
    Director director;
    Path socket;

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void start() throws IOException {
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, """
                director: {conn_table_size: 4096, conn_table_size_v6: 64}
                services:
                  - address: 10.0.0.100
                    port: 80
                    scheduler: wlc
                    persistence: {timeout: 600, netmask: 24}
                    real_servers:
                      - {address: 10.0.0.11, method: dr, weight: 3}
                      - {address: 10.0.0.12, port: 8080, method: nat}
                """);
        socket = dir.resolve("jvs.sock");
        director = new Director(cfg, List.of(), socket);
    }

    @AfterEach
    void stop() {
        director.close();
    }

    Result jvsadmWithInput(String stdin, String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = JvsadmMain.run(List.of(argv), socket, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Result jvsadm(String... argv) {
        return jvsadmWithInput("", argv);
    }

    @Test
    void listsInIpvsadmFormat() {
        assertThat(jvsadm("-A", "-u", "10.0.0.100:53", "-s", "rr").exit()).isZero();
        assertThat(jvsadm("-a", "-u", "10.0.0.100:53", "-r", "10.0.0.13:53", "-m", "-w", "2").exit()).isZero();
        Result r = jvsadm("-L", "-n");
        assertThat(r.exit()).isZero();
        // ipvsadm pads the last columns, so dest lines end in blanks (marked | here).
        assertThat(r.out().replace(" \n", " |\n")).isEqualTo("""
                IP Virtual Server version 1.2.1 (size=2048)
                Prot LocalAddress:Port Scheduler Flags
                  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
                TCP  10.0.0.100:80 wlc persistent 600 mask 255.255.255.0
                  -> 10.0.0.11:80                 Route   3      0          0         |
                  -> 10.0.0.12:8080               Masq    1      0          0         |
                UDP  10.0.0.100:53 rr
                  -> 10.0.0.13:53                 Masq    2      0          0         |
                """);
    }

    @Test
    void saveRestoresToTheSameRules() {
        jvsadm("-A", "-f", "7", "-s", "mh", "-b", "mh-fallback,mh-port", "-p", "120");
        jvsadm("-a", "-f", "7", "-r", "10.0.0.21", "-i", "--tun-type", "gue", "--tun-port", "6080", "-x", "100", "-y", "50");
        jvsadm("-A", "-t", "[2001:db8::1]:443", "-s", "sh", "-b", "sh-port");
        jvsadm("-a", "-t", "[2001:db8::1]:443", "-r", "[2001:db8::11]:443", "-g", "-w", "5");
        String saved = jvsadm("-S", "-n").out();
        assertThat(saved).contains("-A -f 7 -s mh -p 120 -b mh-fallback,mh-port", "-A -t [2001:db8::1]:443 -s sh -b sh-port");
        assertThat(jvsadm("-C").exit()).isZero();
        assertThat(jvsadm("-L", "-n").out().lines()).as("only the three header lines").hasSize(3);
        Result restored = jvsadmWithInput(saved, "-R");
        assertThat(restored.exit()).as(restored.err()).isZero();
        assertThat(jvsadm("-S", "-n").out()).isEqualTo(saved);
    }

    @Test
    void badInputGivesAOneLineErrorAndChangesNothing() {
        String before = jvsadm("-S", "-n").out();
        Result usage = jvsadm("-a", "-t", "10.0.0.100:80", "-r", "10.0.0.99", "-w", "70000");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).startsWith("jvsadm: ").contains("weight");
        Result refused = jvsadm("-a", "-t", "10.0.0.100:80", "-r", "10.0.0.11", "-g");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("jvsadm: real server 10.0.0.11:80 already exists in service tcp 10.0.0.100:80\n");
        Result unknown = jvsadm("-E", "-t", "10.0.0.100:80", "-s", "fastest");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("fastest");
        Result host = jvsadm("-A", "-t", "www.example.com:80");
        assertThat(host.exit()).isEqualTo(2);
        assertThat(jvsadm("-S", "-n").out()).isEqualTo(before);
    }

    @Test
    void whereExplainsAndTimeoutsFollowSet() {
        Result w = jvsadm("--where", "tcp", "192.0.2.7:40000", "10.0.0.100:80");
        assertThat(w.out()).contains("dest:   10.0.0.11:80").contains("reason: scheduler: wlc of service tcp 10.0.0.100:80");
        assertThat(jvsadm("--set", "100", "0", "30").exit()).isZero();
        assertThat(jvsadm("-L", "--timeout").out()).isEqualTo("Timeout (tcp tcpfin udp): 100 120 30\n");
    }

    @Test
    void withoutADirectorItSaysSo() throws IOException {
        director.close();
        Result r = jvsadm("-L", "-n");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("jvsadm: no JVS director is running on " + socket
                + " (start one with: bin/jvs director --config FILE)\n");
    }
}
