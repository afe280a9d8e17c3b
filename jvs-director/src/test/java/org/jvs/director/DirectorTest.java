package org.jvs.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.jvs.director.api.ControlClient;
import org.jvs.director.api.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorTest {
    @TempDir
    Path dir;
    Director director;

    @AfterEach
    void stop() {
        if (director != null) {
            director.close();
        }
    }

    Path write(String name, String yaml) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    static final String CONFIG = """
            director:
              conn_table_size: 1024
              conn_table_size_v6: 64
            services:
              - address: 127.0.0.1
                port: 18080
                scheduler: rr
                real_servers:
                  - {address: 127.0.0.1, port: 18081, method: nat}
            """;

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String body) {
        return (Map<String, Object>) Json.parse(body);
    }

    @Test
    void servesStatusAndReloadsOnlyGoodFiles() throws Exception {
        Path cfg = write("jvs.yaml", CONFIG);
        Path sock = dir.resolve("run/jvs.sock");
        director = new Director(cfg, List.of(), sock);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock.getParent()))).isEqualTo("rwx------");

        ControlClient client = new ControlClient(sock);
        var status = client.call("GET", "/v1/status", null);
        assertThat(status.status()).isEqualTo(200);
        assertThat(json(status.body())).containsEntry("services", 1L).containsEntry("version", Version.VERSION);

        Files.writeString(cfg, CONFIG.replace("scheduler: rr", "scheduler: wlc") + """
                      - {address: 127.0.0.1, port: 18082, method: nat, weight: 2}
                """);
        var reload = client.call("POST", "/v1/reload", "");
        assertThat(reload.status()).isEqualTo(200);
        assertThat((List<Object>) json(reload.body()).get("changes")).containsExactly(
                "changed service tcp 127.0.0.1:18080", "added 127.0.0.1:18082 to tcp 127.0.0.1:18080");

        String good = director.loadBalancer().snapshot().services().toString();
        Files.writeString(cfg, CONFIG.replace("port: 18081", "port: 99999"));
        var refused = client.call("POST", "/v1/reload", "");
        assertThat(refused.status()).isEqualTo(422);
        assertThat((String) json(refused.body()).get("error"))
                .isEqualTo(cfg + ":9:36: services[0].real_servers[0].port: 99999 out of range 0..65535");
        assertThat(director.loadBalancer().snapshot().services().toString()).as("running config kept").isEqualTo(good);

        assertThat(client.call("GET", "/v1/nothing", null).status()).isEqualTo(404);
    }

    @Test
    void theDefencesAreReadAndSetThroughTheApiAllOrNothing() throws Exception {
        Path cfg = write("jvs.yaml", CONFIG.replace("  conn_table_size_v6: 64\n", "  conn_table_size_v6: 64\n  defense: {secure_tcp: 1}\n"));
        Path sock = dir.resolve("run/jvs.sock");
        director = new Director(cfg, List.of(), sock);
        ControlClient client = new ControlClient(sock);

        var got = json(client.call("GET", "/v1/defense", null).body());
        assertThat(got).containsEntry("secure_tcp", 1L).containsEntry("drop_entry", 0L).containsEntry("amemthresh", 1024L);
        assertThat((List<Object>) got.get("conn_tables")).hasSize(2);
        assertThat((Map<String, Object>) ((List<Object>) got.get("conn_tables")).getFirst()).containsEntry("capacity", 1024L);

        var set = client.call("PUT", "/v1/defense", "{\"drop_packet\": 3, \"am_droprate\": 4}");
        assertThat(set.status()).isEqualTo(200);
        assertThat((Map<String, Object>) json(set.body()).get("in_force")).containsEntry("drop_packet_one_in", 4L);

        var bad = client.call("PUT", "/v1/defense", "{\"drop_entry\": 1, \"secure_tcp\": 9}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat((String) json(bad.body()).get("error"))
                .isEqualTo("--defense: secure_tcp=9: a number in 0..3 (0 off, 1 automatic, 2 automatic and active now, 3 always)");
        assertThat(director.loadBalancer().defense().dropEntryMode()).as("nothing of a refused change").isZero();
        assertThat(client.call("PUT", "/v1/defense", "{\"drop_entry\": 1.5}").status()).isEqualTo(400);
        assertThat(client.call("PUT", "/v1/defense", "{}").status()).isEqualTo(400);
        assertThat(client.call("PUT", "/v1/defense", "[1]").status()).isEqualTo(400);

        // A reload puts back the file's defences; the table sizes only say they need a restart.
        Files.writeString(cfg, CONFIG.replace("conn_table_size: 1024", "conn_table_size: 2048"));
        var reload = json(client.call("POST", "/v1/reload", "").body());
        assertThat((List<Object>) reload.get("changes")).containsExactly("conn_table_size 2048 takes effect at restart (running with 1024)");
        assertThat(director.loadBalancer().defense().secureTcpMode()).isZero();
        assertThat(director.loadBalancer().defense().dropPacketMode()).isZero();
        client.call("PUT", "/v1/defense", "{\"drop_packet\": 3, \"am_droprate\": 4}");

        // jvsadm reaches the same settings through POST /v1/ipvsadm.
        var listing = json(client.call("POST", "/v1/ipvsadm", "{\"argv\":[\"--defense\"]}").body());
        assertThat((String) listing.get("stdout")).contains("net.ipv4.vs.drop_packet = 3\n", "net.ipv4.vs.am_droprate = 4\n",
                "# connection table IPv4: 0 of 1024 entries");
    }

    @Test
    void aSecondDirectorOnTheSameSocketIsRefusedAndAStaleSocketIsReplaced() throws Exception {
        Path cfg = write("jvs.yaml", CONFIG);
        Path sock = dir.resolve("jvs.sock");
        director = new Director(cfg, List.of(), sock);
        assertThatThrownBy(() -> new Director(cfg, List.of(), sock)).isInstanceOf(IOException.class)
                .hasMessageContaining("another JVS director is already listening on " + sock);
        director.close();
        director = null;
        Files.createFile(sock); // what a crashed director leaves behind
        director = new Director(cfg, List.of(), sock);
        assertThat(new ControlClient(sock).call("GET", "/v1/status", null).status()).isEqualTo(200);
    }

    @Test
    void startsFromIpvsadmSaveRulesToo() throws Exception {
        Path rules = write("ipvs.rules", "-A -t 127.0.0.1:18090 -s rr\n-a -t 127.0.0.1:18090 -r 127.0.0.1:18091 -m -w 2\n");
        director = new Director(rules, List.of(), dir.resolve("jvs.sock"));
        assertThat(director.loadBalancer().services()).singleElement()
                .satisfies(s -> assertThat(s.dests()[0].weight()).isEqualTo(2));
        Files.writeString(rules, "-A -t 127.0.0.1:18090 -s wlc\n");
        assertThat(director.reload().lines()).containsExactly("changed service tcp 127.0.0.1:18090",
                "removed 127.0.0.1:18091 from tcp 127.0.0.1:18090");
    }

    @Test
    void noDirectorRunningIsSaidClearly() {
        assertThatThrownBy(() -> new ControlClient(dir.resolve("none.sock")).call("GET", "/v1/status", null))
                .isInstanceOf(ControlClient.NotRunning.class)
                .hasMessageContaining("no JVS director is running on " + dir.resolve("none.sock"));
    }

    @Test
    void theTcpListenerWantsTheBearerToken() throws Exception {
        Files.writeString(dir.resolve("token"), "s3cret\n");
        Path cfg = write("jvs.yaml", CONFIG.replace("director:\n", "director:\n  control_tcp: {listen: 127.0.0.1:0, token_file: "
                + dir.resolve("token") + "}\n"));
        director = new Director(cfg, List.of(), dir.resolve("jvs.sock"));
        int port = director.controlTcpPort();
        assertThat(rawGet(port, null)).startsWith("HTTP/1.1 401");
        assertThat(rawGet(port, "wrong")).startsWith("HTTP/1.1 401");
        assertThat(rawGet(port, "s3cret")).startsWith("HTTP/1.1 200");
    }

    private static String rawGet(int port, String token) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /v1/status HTTP/1.1\r\nHost: x\r\n" + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
