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
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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
    final List<String> audit = new ArrayList<>();
    final Handler auditHandler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (audit) {
                audit.add(r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @AfterEach
    void stop() {
        Logger.getLogger("org.jvs.director.audit").removeHandler(auditHandler);
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
        Logger.getLogger("org.jvs.director.audit").addHandler(auditHandler);
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
        synchronized (audit) {
            assertThat(audit).contains("change by token deploy: jvsadm -A -t 127.0.0.1:18090 -s wlc",
                    "change by token deploy: jvsadm --defense drop_entry=1");
            assertThat(audit).noneMatch(l -> l.contains("grafana"));
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

        openssl("b");
        Files.writeString(cfg, DirectorTest.CONFIG + "api:\n  listen: 127.0.0.1:0\n"
                + tls.replace("a.crt", "b.crt").replace("a.key", "b.key") + tokens("deploy"));
        Answer reload = curl(dir.resolve("a.crt"), RW, "POST", "/v1/reload", "");
        assertThat(reload.status()).as(reload.body()).isEqualTo(200);
        assertThat(reload.body()).contains("api: tokens [deploy(rw),grafana(ro)] -> [deploy(rw)]").contains("api: certificate CN=b");

        assertThat(request(open, RW)).as("the connection opened before the reload").startsWith("HTTP/1.1 200");
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

    @Test
    void theAnswersParseAsJson() throws Exception {
        start(config(tokens("deploy")));
        Answer a = curl(dir.resolve(ApiTls.SELF_SIGNED_CERT), RW, "GET", "/v1/openapi.json", null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(Json.parse(a.body())).isInstanceOf(Map.class);
    }
}
