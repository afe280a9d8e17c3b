package org.jvs.director.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.jvs.director.Director;
import org.jvs.director.TestPlanes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of a running director (socket and http engines, loopback): the families and labels it
 * exports, their values after traffic, both exposition formats, and basic auth.
 */
class MetricsEndpointTest extends MetricsFixture {
    @Test
    void servicesServersEnginesAndTheJvmAreExportedWithTheirCounts() throws Exception {
        start("metrics: {listen: 127.0.0.1:0}");
        var services = director.loadBalancer().services();
        int socketPort = ((org.jvs.core.model.ServiceKey.Virtual) services.get(0).key()).port();
        int httpPort = ((org.jvs.core.model.ServiceKey.Virtual) services.get(1).key()).port();
        for (int i = 0; i < 3; i++) {
            request(socketPort);
            request(httpPort);
        }
        HttpResponse<String> r = get(director.metricsPort(), null, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String text = r.body();
        String svc = "service=\"tcp 127.0.0.1:" + socketPort + "\"";
        assertThat(text)
                .contains("# TYPE jvs_service_connections_total counter")
                .containsPattern("jvs_service_connections_total\\{" + svc + "} 3\\.0")
                .containsPattern("jvs_server_configured_weight\\{server=\"127\\.0\\.0\\.1:\\d+\"," + svc + "} 3\\.0")
                .containsPattern("jvs_server_weight_source\\{server=\"127\\.0\\.0\\.1:\\d+\"," + svc + ",source=\"admin\"} 1\\.0")
                .containsPattern("jvs_conn_table_capacity\\{family=\"ipv4\"} 4096\\.0")
                .containsPattern("jvs_socket_accepted_connections_total 3\\.0")
                .containsPattern("jvs_http_requests_total\\{service=\"tcp 127\\.0\\.0\\.1:" + httpPort + "\"} 3\\.0")
                .containsPattern("jvs_http_responses_total\\{code=\"2xx\",service=\"tcp 127\\.0\\.0\\.1:" + httpPort + "\"} 3\\.0")
                .contains("jvs_http_response_seconds_bucket{")
                .contains("jvs_defense_in_force{strategy=\"secure_tcp\"} 0.0")
                .contains("jvs_build_info{version=\"" + org.jvs.director.Version.VERSION + "\"} 1.0")
                .contains("jvm_memory_used_bytes")
                .doesNotContain("clientPort");
        // The socket service's server is health-checked: once its first check is done, the check's duration is there.
        long deadline = System.currentTimeMillis() + 10_000;
        while (!text.contains("jvs_server_check_duration_seconds{") && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            text = get(director.metricsPort(), null, null).body();
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("jvs_server_check_duration_seconds\\{server=\"127\\.0\\.0\\.1:\\d+\","
                + svc + "} ([0-9.eE-]+)").matcher(text);
        assertThat(m.find()).as(text).isTrue();
        assertThat(Double.parseDouble(m.group(1))).as("a loopback connect, within its connect_timeout").isPositive().isLessThan(3.0);
        assertThat(text).containsPattern("jvs_server_up\\{server=\"127\\.0\\.0\\.1:\\d+\"," + svc + "} 1\\.0");
        HttpResponse<String> om = get(director.metricsPort(), "application/openmetrics-text; version=1.0.0", null);
        assertThat(om.headers().firstValue("Content-Type").orElse("")).startsWith("application/openmetrics-text");
        assertThat(om.body()).contains("jvs_service_in_bytes_total").endsWith("# EOF\n");
    }

    @Test
    void basicAuthIsAskedForWhenConfigured() throws Exception {
        Path pw = dir.resolve("metrics.pw");
        Files.writeString(pw, "s3cret\n");
        start("metrics: {listen: 127.0.0.1:0, basic_auth: {username: prom, password_file: " + pw + "}}");
        assertThat(get(director.metricsPort(), null, null).statusCode()).isEqualTo(401);
        assertThat(get(director.metricsPort(), null, "prom:wrong").statusCode()).isEqualTo(401);
        HttpResponse<String> ok = get(director.metricsPort(), null, "prom:s3cret");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("jvs_service_connections_total");
    }

    @Test
    void httpsServesTheSameMetricsWithTheConfiguredCertificate() throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out",
                "cert.pem", "-days", "2", "-subj", "/CN=jvs-metrics", "-addext", "subjectAltName=IP:127.0.0.1")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("openssl: %s", out).isZero();
        start("metrics: {listen: 127.0.0.1:0, tls: {certificate: " + dir.resolve("cert.pem") + ", key: " + dir.resolve("key.pem") + "}}");

        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(dir.resolve("cert.pem"))) {
            trust.setCertificateEntry("jvs", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        var ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        try (HttpClient c = HttpClient.newBuilder().sslContext(ssl).build()) {
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + director.metricsPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("jvs_service_connections_total");
        }
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> get(director.metricsPort(), null, null)))
                .as("plain HTTP to the HTTPS port gets no metrics").isNotNull();
    }
}
