package org.jvs.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.jvs.director.api.ApiTls;
import org.jvs.director.api.ApiToken;
import org.jvs.director.api.ControlClient;
import org.jvs.director.api.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control API on HTTPS (docs/api.md): curl, a real TLS client, checks the certificate and presents the
 * tokens; the answers are the Unix socket's; read-only tokens change nothing; a reload swaps certificate and
 * tokens without dropping a connection already open.
 */
class HttpsApiTest {
    static final String RW = "jvs_rw-token-for-the-test-0000000000000000000";
    static final String RO = "jvs_ro-token-for-the-test-1111111111111111111";

    @TempDir
    Path dir;
    Director director;
    AuditCapture audit;

    @AfterEach
    void stop() {
        if (audit != null) {
            audit.close();
        }
        if (director != null) {
            director.close();
        }
    }

    static String tokens(String... names) {
        StringBuilder b = new StringBuilder("  tokens:\n");
        for (String n : names) {
            String token = n.equals("deploy") ? RW : RO;
            b.append("    - {name: ").append(n).append(", access: ").append(n.equals("deploy") ? "read-write" : "read-only")
                    .append(", sha256: ").append(ApiToken.hash(token)).append("}\n");
        }
        return b.toString();
    }

    Path config(String api) throws IOException {
        Path cfg = dir.resolve("jvs.yaml");
        Files.writeString(cfg, DirectorTest.CONFIG + "api:\n  listen: 127.0.0.1:0\n" + api);
        return cfg;
    }

    void start(Path cfg) throws IOException {
        audit = new AuditCapture();
        director = new Director(cfg, List.of(), dir.resolve("run/jvs.sock"));
    }

    record Answer(int status, String body, String headers) {
        Map<String, Object> json() {
            return DirectorTest.json(body);
        }
    }

    /** curl with {@code --cacert ca}: status, body and headers; a TLS failure shows as status 0 with curl's message. */
    Answer curl(Path ca, String token, String method, String path, String body) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "5", "--cacert", ca.toString(), "-X", method,
                "-D", dir.resolve("headers").toString(), "-o", dir.resolve("body").toString(), "-w", "%{http_code}"));
        if (token != null) {
            cmd.addAll(List.of("-H", "Authorization: Bearer " + token));
        }
        if (body != null) {
            cmd.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body));
        }
        cmd.add("https://127.0.0.1:" + director.apiPort() + path);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            return new Answer(0, out, "");
        }
        return new Answer(Integer.parseInt(out.substring(out.length() - 3)), Files.readString(dir.resolve("body")),
                Files.readString(dir.resolve("headers")));
    }

    @Test
    void aSelfSignedCertificateIsMadeOnceKeptAndItsFingerprintIsOpenssls() throws Exception {
        Path cfg = config("  state_dir: " + dir.resolve("state") + "\n" + tokens("deploy", "grafana"));
        start(cfg);
        Path cert = dir.resolve("state").resolve(ApiTls.SELF_SIGNED_CERT);
        Path key = dir.resolve("state").resolve(ApiTls.SELF_SIGNED_KEY);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        Process p = new ProcessBuilder("openssl", "x509", "-in", cert.toString(), "-noout", "-fingerprint", "-sha256", "-ext",
                "subjectAltName").redirectErrorStream(true).start();
        String openssl = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(openssl).isZero();
        assertThat(openssl).contains("sha256 Fingerprint=" + director.apiTls().fingerprint())
                .contains("DNS:localhost").contains("IP Address:127.0.0.1");

        Answer status = curl(cert, RO, "GET", "/v1/status", null);
        assertThat(status.status()).as(status.body()).isEqualTo(200);
        assertThat(status.json()).containsEntry("services", 1L);

        String first = director.apiTls().fingerprint();
        director.close();
        start(cfg);
        assertThat(director.apiTls().fingerprint()).as("the second start keeps the pair").isEqualTo(first);
        assertThat(curl(cert, RO, "GET", "/v1/status", null).status()).isEqualTo(200);
    }

    @Test
    void tokensDecideWhoMayLookAndWhoMayChangeAndTheAnswersAreTheUnixSockets() throws Exception {
        start(config(tokens("deploy", "grafana")));
        Path ca = dir.resolve(ApiTls.SELF_SIGNED_CERT);

        Answer none = curl(ca, null, "GET", "/v1/status", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers()).containsIgnoringCase("WWW-Authenticate: Bearer");
        assertThat(curl(ca, "jvs_not-a-token", "GET", "/v1/status", null).status()).isEqualTo(401);
        assertThat(curl(ca, RW.substring(0, RW.length() - 1), "GET", "/v1/status", null).status()).as("a near miss").isEqualTo(401);

        // read-only: every GET and the read-only jvsadm commands; no change of any kind
        assertThat(curl(ca, RO, "GET", "/v1/snapshot", null).body())
                .isEqualTo(new ControlClient(dir.resolve("run/jvs.sock")).call("GET", "/v1/snapshot", null).body());
        Answer list = curl(ca, RO, "POST", "/v1/ipvsadm", "{\"argv\":[\"-L\",\"-n\"]}");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json()).containsEntry("exit", 0L);
        assertThat((String) list.json().get("stdout")).contains("127.0.0.1:18081");
        Answer add = curl(ca, RO, "POST", "/v1/ipvsadm", "{\"argv\":[\"-A\",\"-t\",\"127.0.0.1:18090\"]}");
        assertThat(add.status()).isEqualTo(403);
        assertThat(add.json().get("error")).isEqualTo("token grafana is read-only: jvsadm -A -t 127.0.0.1:18090 changes the director");
        assertThat(curl(ca, RO, "PUT", "/v1/defense", "{\"drop_entry\":1}").status()).isEqualTo(403);
        assertThat(curl(ca, RO, "POST", "/v1/reload", "").status()).isEqualTo(403);
        assertThat(director.loadBalancer().services()).hasSize(1);
        assertThat(director.loadBalancer().defense().dropEntryMode()).isZero();

        // read-write: the change is made and audited with the token's name
        Answer rw = curl(ca, RW, "POST", "/v1/ipvsadm", "{\"argv\":[\"-A\",\"-t\",\"127.0.0.1:18090\",\"-s\",\"wlc\"]}");
        assertThat(rw.status()).isEqualTo(200);
        assertThat(rw.json()).containsEntry("exit", 0L);
        assertThat(director.loadBalancer().services()).hasSize(2);
        assertThat(curl(ca, RW, "PUT", "/v1/defense", "{\"drop_entry\":1}").json()).containsEntry("drop_entry", 1L);
        {
            assertThat(audit.lines()).contains("change by token deploy: jvsadm -A -t 127.0.0.1:18090 -s wlc",
                    "change by token deploy: jvsadm --defense drop_entry=1");
            assertThat(audit.lines()).contains("change by token grafana: refused (read-only): jvsadm -A -t 127.0.0.1:18090")
                    .noneMatch(l -> l.contains("grafana") && !l.contains("refused"));
        }

        // what the API does not know, or does not allow, is said plainly
        Answer wrongMethod = curl(ca, RW, "DELETE", "/v1/status", null);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.json().get("error")).isEqualTo("no route DELETE /v1/status; /v1/status takes GET");
        assertThat(curl(ca, RW, "GET", "/v1/nothing", null).status()).isEqualTo(404);
    }

    @Test
    void plainHttpOrABadHandshakeOnTheHttpsPortHurtsNobodyElse() throws Exception {
        start(config(tokens("deploy")));
        Path ca = dir.resolve(ApiTls.SELF_SIGNED_CERT);
        try (Socket plain = new Socket("127.0.0.1", director.apiPort())) {
            plain.getOutputStream().write("GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            plain.setSoTimeout(5000);
            byte[] answer = plain.getInputStream().readNBytes(64);
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("200 OK");
        }
        Answer untrusted = curl(dir.resolve("jvs.yaml"), RW, "GET", "/v1/status", null); // not a CA file: curl refuses
        assertThat(untrusted.status()).isZero();
        assertThat(curl(ca, RW, "GET", "/v1/status", null).status()).isEqualTo(200);
    }

    @Test
    void aReloadSwapsCertificateAndTokensAndAnOpenConnectionKeepsWorking() throws Exception {
        openssl("a");
        String tls = "  tls: {certificate: " + dir.resolve("a.crt") + ", key: " + dir.resolve("a.key") + "}\n";
        Path cfg = config(tls + tokens("deploy", "grafana"));
        start(cfg);
        assertThat(curl(dir.resolve("a.crt"), RO, "GET", "/v1/status", null).status()).isEqualTo(200);

        SSLSocket open = connect(dir.resolve("a.crt")); // handshaken with certificate a, request not sent yet
        SSLSocket openRo = connect(dir.resolve("a.crt")); // the same, for a token the reload revokes

        openssl("b");
        Files.writeString(cfg, DirectorTest.CONFIG + "api:\n  listen: 127.0.0.1:0\n"
                + tls.replace("a.crt", "b.crt").replace("a.key", "b.key") + tokens("deploy"));
        Answer reload = curl(dir.resolve("a.crt"), RW, "POST", "/v1/reload", "");
        assertThat(reload.status()).as(reload.body()).isEqualTo(200);
        assertThat(reload.body()).contains("api: tokens [deploy(rw),grafana(ro)] -> [deploy(rw)]").contains("api: certificate CN=b");

        assertThat(request(open, RW)).as("the connection opened before the reload").startsWith("HTTP/1.1 200");
        assertThat(request(openRo, RO)).as("a revoked token, on a connection opened before the reload").startsWith("HTTP/1.1 401");
        assertThat(curl(dir.resolve("a.crt"), RW, "GET", "/v1/status", null).status()).as("a's CA no longer fits").isZero();
        assertThat(curl(dir.resolve("b.crt"), RW, "GET", "/v1/status", null).status()).isEqualTo(200);
        assertThat(curl(dir.resolve("b.crt"), RO, "GET", "/v1/status", null).status()).as("grafana's token is gone").isEqualTo(401);

        // a certificate that does not load refuses the whole reload and keeps b
        Files.writeString(dir.resolve("b.key"), "not a key\n");
        Files.writeString(cfg, Files.readString(cfg) + "    - {name: late, access: read-only, sha256: " + ApiToken.hash("late") + "}\n");
        Answer bad = curl(dir.resolve("b.crt"), RW, "POST", "/v1/reload", "");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().get("error").toString()).contains("b.key");
        assertThat(curl(dir.resolve("b.crt"), "late", "GET", "/v1/status", null).status()).as("nothing of that file applied").isEqualTo(401);
        assertThat(curl(dir.resolve("b.crt"), RW, "GET", "/v1/status", null).status()).isEqualTo(200);

        // the section taken out: the port stays until a restart, but no token opens it any more
        Files.writeString(cfg, DirectorTest.CONFIG);
        var out = new ControlClient(dir.resolve("run/jvs.sock")).call("POST", "/v1/reload", "");
        assertThat(out.body()).contains("api: listen none takes effect at restart (running with 127.0.0.1:0)")
                .contains("api: tokens [deploy(rw)] -> []");
        assertThat(curl(dir.resolve("b.crt"), RW, "GET", "/v1/status", null).status()).isEqualTo(401);
    }

    @Test
    void aCallerWithoutATokenIsAnsweredBeforeItsBodyIsRead() throws Exception {
        start(config(tokens("deploy")));
        try (SSLSocket s = connect(dir.resolve(ApiTls.SELF_SIGNED_CERT))) {
            // announces 8 MB and sends none of it: the answer must come from the head alone
            s.getOutputStream().write("POST /v1/ipvsadm HTTP/1.1\r\nHost: jvs\r\nContent-Length: 8000000\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(head).isEqualTo("HTTP/1.1 401");
        }
        try (SSLSocket s = connect(dir.resolve(ApiTls.SELF_SIGNED_CERT))) {
            // with a token, a settings route takes small bodies only
            s.getOutputStream().write(("PUT /v1/defense HTTP/1.1\r\nHost: jvs\r\nAuthorization: Bearer " + RW
                    + "\r\nContent-Length: 1000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(all).startsWith("HTTP/1.1 400").contains("body larger than 65536 bytes");
        }
    }

    void openssl(String name) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".crt", "-days", "2", "-subj", "/CN=" + name,
                "-addext", "subjectAltName=IP:127.0.0.1").directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("openssl: %s", out).isZero();
    }

    SSLSocket connect(Path ca) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(ca)) {
            trust.setCertificateEntry("ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", director.apiPort());
        s.setSoTimeout(5000);
        s.startHandshake();
        return s;
    }

    static String request(SSLSocket s, String token) throws IOException {
        try (s) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /v1/status HTTP/1.1\r\nHost: jvs\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            s.getInputStream().transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        }
    }

    record Cli(int exit, String out, String err) {
    }

    Cli jvsadm(ControlClient.Endpoint to, String... argv) {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int exit = JvsadmMain.run(List.of(argv), to, InputStream.nullInputStream(), new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void jvsadmOnAnotherMachineSpeaksToTheHttpsApiWithItsToken() throws Exception {
        start(config(tokens("deploy", "grafana")));
        Path ca = dir.resolve(ApiTls.SELF_SIGNED_CERT);
        java.net.URI base = java.net.URI.create("https://127.0.0.1:" + director.apiPort());
        var local = new ControlClient.Unix(dir.resolve("run/jvs.sock"));
        var ro = ControlClient.fromEnvironment(Map.of("JVS_API", base + "/", "JVS_API_TOKEN", RO, "JVS_API_CACERT", ca.toString()), null);
        Files.writeString(dir.resolve("deploy.token"), RW + "\n");
        var rw = ControlClient.fromEnvironment(Map.of("JVS_API", base.toString(), "JVS_API_TOKEN_FILE", dir.resolve("deploy.token").toString(),
                "JVS_API_CACERT", ca.toString()), null);

        Cli remote = jvsadm(ro, "-L", "-n");
        assertThat(remote.exit()).as(remote.err()).isZero();
        assertThat(remote.out()).isEqualTo(jvsadm(local, "-L", "-n").out()).contains("127.0.0.1:18081");
        assertThat(jvsadm(ro, "--vrrp").out()).isEqualTo(jvsadm(local, "--vrrp").out());

        Cli refused = jvsadm(ro, "-A", "-t", "127.0.0.1:18090");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("token grafana is read-only: jvsadm -A -t 127.0.0.1:18090 changes the director");
        assertThat(director.loadBalancer().services()).hasSize(1);

        Cli added = jvsadm(rw, "-A", "-t", "127.0.0.1:18090", "-s", "sh");
        assertThat(added.exit()).as(added.err()).isZero();
        assertThat(jvsadm(local, "-L", "-n").out()).contains("TCP  127.0.0.1:18090 sh");
        Cli dup = jvsadm(rw, "-A", "-t", "127.0.0.1:18090");
        assertThat(dup.exit()).as("refused by the balancer, as ipvsadm's exit 1").isEqualTo(1);

        Cli wrongToken = jvsadm(new ControlClient.Https(base, "jvs_nobody", ca), "-L", "-n");
        assertThat(wrongToken.exit()).isEqualTo(1);
        assertThat(wrongToken.err()).contains("missing or wrong bearer token");
        Cli untrusted = jvsadm(new ControlClient.Https(base, RW, null), "-L", "-n"); // the JDK's CAs do not know it
        assertThat(untrusted.exit()).isEqualTo(2);
        assertThat(untrusted.err()).startsWith("jvsadm: TLS with " + base + " failed:").contains("JVS_API_CACERT");
        Cli nobody = jvsadm(new ControlClient.Https(java.net.URI.create("https://127.0.0.1:1"), RW, ca), "-L", "-n");
        assertThat(nobody.exit()).isEqualTo(2);
        assertThat(nobody.err()).contains("no JVS director answers at https://127.0.0.1:1");
    }

    @Test
    void theEnvironmentNamesTheEndpointOrSaysWhatIsMissing() {
        Path sock = dir.resolve("s.sock");
        assertThat(ControlClient.fromEnvironment(Map.of(), sock)).isEqualTo(new ControlClient.Unix(sock));
        assertThat(ControlClient.fromEnvironment(Map.of("JVS_API", "https://d:9443/", "JVS_API_TOKEN", "t"), sock))
                .isEqualTo(new ControlClient.Https(java.net.URI.create("https://d:9443"), "t", null));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ControlClient.fromEnvironment(Map.of("JVS_API", "http://d:9443", "JVS_API_TOKEN", "t"), sock))
                .hasMessageContaining("JVS_API must be https://host:port");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ControlClient.fromEnvironment(Map.of("JVS_API", "https://d:9443"), sock))
                .hasMessageContaining("no token: set JVS_API_TOKEN_FILE");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ControlClient.fromEnvironment(Map.of("JVS_API", "https://d:9443",
                "JVS_API_TOKEN_FILE", dir.resolve("none").toString()), sock)).hasMessageContaining("cannot be read");
    }

    @Test
    void theAnswersParseAsJson() throws Exception {
        start(config(tokens("deploy")));
        Answer a = curl(dir.resolve(ApiTls.SELF_SIGNED_CERT), RW, "GET", "/v1/openapi.json", null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(Json.parse(a.body())).isInstanceOf(Map.class);
    }
}
