package org.jvs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP checks against a real nginx on loopback; HTTPS against a JDK TLS server that records the SNI it got. */
class HttpCheckerTest {
    static final Duration T = Duration.ofSeconds(2);
    static final String BODY = "hello jvs\n";

    @TempDir
    static Path dir;
    static Process nginx;
    static int port;
    static int vhostPort;

    @BeforeAll
    static void startNginx() throws Exception {
        port = Loopback.closedPort().getPort();
        vhostPort = Loopback.closedPort().getPort();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                daemon off;
                master_process off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 64; }
                http {
                  access_log off;
                  client_body_temp_path %1$s; proxy_temp_path %1$s; fastcgi_temp_path %1$s; uwsgi_temp_path %1$s; scgi_temp_path %1$s;
                  server {
                    listen 127.0.0.1:%2$d;
                    location = / { return 200 "hello jvs\\n"; }
                    location = /down { return 503 "maintenance\\n"; }
                  }
                  server { listen 127.0.0.1:%3$d default_server; return 404; }
                  server { listen 127.0.0.1:%3$d; server_name good.example; location / { return 200 "vhost ok\\n"; } }
                }
                """.formatted(dir, port, vhostPort));
        nginx = new ProcessBuilder("nginx", "-c", conf.toString(), "-p", dir.toString(), "-e", dir.resolve("error.log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (new TcpChecker(0).check(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), T).status() != CheckResult.Status.UP) {
            assertThat(System.nanoTime()).as("nginx started: %s", Files.exists(dir.resolve("nginx.out")) ? Files.readString(dir.resolve("nginx.out")) : "")
                    .isLessThan(end);
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stopNginx() throws Exception {
        if (nginx != null) {
            nginx.destroy();
            if (!nginx.waitFor(5, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
        }
    }

    static HttpChecker http(String path, List<HttpChecker.StatusRange> status, String digest, String regex, String vhost) {
        return new HttpChecker(false, path, status, digest, regex, vhost, null, null, 0);
    }

    static InetSocketAddress at(int p) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), p);
    }

    @Test
    void statusDigestAndRegex() {
        assertThat(http("/", null, null, null, null).check(at(port), T).reason()).startsWith("status 200 in ");
        assertThat(http("/down", null, null, null, null).check(at(port), T)).isEqualTo(CheckResult.down("status 503 not in [200-299]"));
        assertThat(http("/down", List.of(HttpChecker.StatusRange.parse("200"), HttpChecker.StatusRange.parse("500-599")), null, null, null)
                .check(at(port), T).status()).isEqualTo(CheckResult.Status.UP);
        String md5 = HttpChecker.md5(BODY.getBytes(StandardCharsets.UTF_8));
        assertThat(http("/", null, md5, null, null).check(at(port), T).reason()).startsWith("status 200, digest ok in ");
        assertThat(http("/", null, "0123456789abcdef0123456789abcdef", null, null).check(at(port), T))
                .isEqualTo(CheckResult.down("digest mismatch: got " + md5 + ", expected 0123456789abcdef0123456789abcdef"));
        assertThat(http("/", null, null, "hel+o\\s+jvs", null).check(at(port), T).reason()).startsWith("status 200, regex ok in ");
        assertThat(http("/", null, null, "goodbye", null).check(at(port), T)).isEqualTo(CheckResult.down("body does not match regex /goodbye/"));
    }

    @Test
    void theVirtualHostChoosesTheServerBlock() {
        assertThat(http("/", null, null, "vhost ok", "good.example").check(at(vhostPort), T).status()).isEqualTo(CheckResult.Status.UP);
        assertThat(http("/", null, null, null, null).check(at(vhostPort), T)).isEqualTo(CheckResult.down("status 404 not in [200-299]"));
    }

    @Test
    void refusedAndAServerThatNeverAnswers() throws Exception {
        assertThat(http("/", null, null, null, null).check(Loopback.closedPort(), T)).isEqualTo(CheckResult.down("connect refused"));
        try (var mute = new Loopback.Tcp(50, Loopback.lines("!silence"))) {
            assertThat(http("/", null, null, null, null).check(mute.address(), Duration.ofMillis(500)))
                    .isEqualTo(CheckResult.down("response timeout after 500 ms"));
        }
        try (var notHttp = new Loopback.Tcp(50, Loopback.lines("<GET", "SSH-2.0-OpenSSH_9.2"))) {
            assertThat(http("/", null, null, null, null).check(notHttp.address(), T))
                    .isEqualTo(CheckResult.down("not an HTTP response: 'SSH-2.0-OpenSSH_9.2'"));
        }
    }

    @Test
    void badConfigurationIsRefusedWhenTheCheckerIsBuilt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> http("/", null, "xyz", null, null))
                .hasMessageContaining("digest must be 32 hexadecimal digits");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> http("/", null, null, "(", null)).isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> http("health", null, null, null, null)).hasMessageContaining("must start with '/'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpChecker.StatusRange.parse("2xx")).hasMessageContaining("not a number");
    }

    // ---------------------------------------------------------------- HTTPS

    /** A keystore with one self-signed key, and its certificate as PEM, made by the JDK's keytool. */
    static Path[] keystore(String name) throws Exception {
        Path ks = dir.resolve(name + ".p12");
        Path pem = dir.resolve(name + ".pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "k", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-validity", "2", "-keystore", ks.toString(), "-storepass", "secret", "-storetype", "PKCS12");
        run(keytool, "-exportcert", "-rfc", "-alias", "k", "-keystore", ks.toString(), "-storepass", "secret", "-file", pem.toString());
        return new Path[] {ks, pem};
    }

    static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(String.join(" ", argv) + ": " + out).isTrue();
    }

    @Test
    void httpsTrustsAnyCertificateByDefaultSendsSniAndHonoursACaFile() throws Exception {
        Path[] server = keystore("tls-server");
        Path[] other = keystore("other-ca");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(server[0])) {
            ks.load(in, "secret".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "secret".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        List<String> sni = new CopyOnWriteArrayList<>();
        try (SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!ss.isClosed()) {
                    try (Socket s = ss.accept()) {
                        SSLSocket ssl = (SSLSocket) s;
                        ssl.setSoTimeout(5000);
                        ssl.startHandshake();
                        List<SNIServerName> names = ((ExtendedSSLSession) ssl.getSession()).getRequestedServerNames();
                        sni.add(names.isEmpty() ? "-" : ((SNIHostName) names.getFirst()).getAsciiName());
                        while (!Loopback.readLine(ssl.getInputStream()).isEmpty()) {
                            // the request's headers
                        }
                        ssl.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"
                                .getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // a client that gave up on the certificate
                    }
                }
            });
            InetSocketAddress a = at(ss.getLocalPort());
            assertThat(new HttpChecker(true, "/", null, null, "ok", null, null, null, 0).check(a, T).reason()).startsWith("status 200, regex ok");
            assertThat(new HttpChecker(true, "/", null, null, null, null, "www.example.test", null, 0).check(a, T).status())
                    .isEqualTo(CheckResult.Status.UP);
            assertThat(new HttpChecker(true, "/", null, null, null, null, null, server[1], 0).check(a, T).status())
                    .as("the server's own certificate as CA").isEqualTo(CheckResult.Status.UP);
            CheckResult wrongCa = new HttpChecker(true, "/", null, null, null, null, null, other[1], 0).check(a, T);
            assertThat(wrongCa.status()).isEqualTo(CheckResult.Status.DOWN);
            assertThat(wrongCa.reason()).startsWith("TLS: ");
            assertThat(sni).startsWith("-", "www.example.test");
        }
        try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = plain.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // done
                }
            });
            assertThat(new HttpChecker(true, "/", null, null, null, null, null, null, 0).check(at(plain.getLocalPort()), T).reason())
                    .as("TLS to a plain-text server").startsWith("TLS");
        }
    }
}
