package org.jvs.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jvs.director.api.ControlClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A director started without a {@code packet:} section runs no packet engine, so it refuses every way of getting
 * a packet-engine service (jvsadm -A, -E, -R, a reload) with a message that says why and what to do, and
 * changes nothing.
 */
class EngineCheckTest {
    @TempDir
    Path dir;
    Director director;
    Path socket;
    Path config;

    @BeforeEach
    void start() throws Exception {
        config = dir.resolve("jvs.yaml");
        Files.writeString(config, """
                director:
                  conn_table_size: 1024
                  conn_table_size_v6: 64
                services:
                  - address: 127.0.0.1
                    port: 18180
                    scheduler: rr
                    real_servers:
                      - {address: 127.0.0.1, port: 18181, method: nat}
                """);
        socket = dir.resolve("jvs.sock");
        director = new Director(config, List.of(), socket);
        assertThat(director.runsPacketEngine()).isFalse();
    }

    @AfterEach
    void stop() {
        director.close();
    }

    record Run(int exit, String out, String err) {
    }

    private Run jvsadm(String stdin, String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = stdin == null ? InputStream.nullInputStream() : new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        int rc = JvsadmMain.run(List.of(argv), socket, in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void jvsadmAddEditAndRestoreOfPacketEngineServicesAreRefusedAndChangeNothing() {
        String before = jvsadm(null, "-S", "-n").out();

        Run add = jvsadm(null, "-A", "-t", "10.9.0.1:80", "-s", "rr", "--engine", "packet");
        assertThat(add.exit()).isEqualTo(1);
        assertThat(add.err()).isEqualTo("jvsadm: --engine packet for tcp 10.9.0.1:80: this director runs without the packet "
                + "engine (its configuration had no 'packet:' section when it started): add one and restart the director "
                + "(see docs/packet.md)\n");

        Run edit = jvsadm(null, "-E", "-t", "127.0.0.1:18180", "-s", "rr", "--engine", "packet");
        assertThat(edit.exit()).isEqualTo(1);
        assertThat(edit.err()).startsWith("jvsadm: --engine packet for tcp 127.0.0.1:18180: this director runs without");

        Run restore = jvsadm("-A -t 10.9.0.2:80 -s rr\n-A -t 10.9.0.3:80 -s rr --engine packet\n", "-R");
        assertThat(restore.exit()).isEqualTo(1);
        assertThat(restore.err()).startsWith("jvsadm: line 2: --engine packet for tcp 10.9.0.3:80: this director runs without");

        assertThat(jvsadm(null, "-S", "-n").out()).as("nothing changed, not even restore's line 1").isEqualTo(before);
        // The socket engine's services are still welcome.
        assertThat(jvsadm(null, "-A", "-t", "10.9.0.4:80", "-s", "rr").exit()).isZero();
        assertThat(jvsadm(null, "-E", "-t", "10.9.0.4:80", "-s", "wrr", "--engine", "socket").exit()).isZero();
    }

    @Test
    void aReloadThatBringsPacketEngineServicesIsRefusedWithTheirPosition() throws Exception {
        String before = jvsadm(null, "-S", "-n").out();
        Files.writeString(config, Files.readString(config) + """
                  - address: 10.9.0.1
                    port: 80
                    engine: packet
                    real_servers:
                      - {address: 10.9.1.1}
                packet:
                  interfaces: [eth0]
                """);

        var r = new ControlClient(socket).call("POST", "/v1/reload", "");

        assertThat(r.status()).isEqualTo(422);
        assertThat(r.body()).contains("jvs.yaml:10: services[1].engine: this director runs without the packet engine");
        assertThat(jvsadm(null, "-S", "-n").out()).isEqualTo(before);
    }
}
