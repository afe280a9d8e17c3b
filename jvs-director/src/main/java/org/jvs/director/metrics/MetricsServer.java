package org.jvs.director.metrics;

import com.sun.net.httpserver.BasicAuthenticator;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jvs.director.config.DirectorConfig;

/**
 * {@code /metrics} on the address of the {@code metrics:} section, in the Prometheus text format or OpenMetrics
 * (by the scraper's {@code Accept}, as client_java's exporter negotiates), with the director's families and the
 * JVM's (memory, GC, threads). A scrape runs on one thread of its own, never on an event loop.
 */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;
    private final ExecutorService executor;

    private MetricsServer(HTTPServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code config.listen()} and serves {@code collector}; a bind or password-file problem is an IOException naming it. */
    public static MetricsServer start(DirectorConfig.Metrics config, DirectorCollector collector) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(collector);
        JvmMetrics.builder().register(registry);
        String listen = config.listen();
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(listen.substring(colon + 1));
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("jvs-metrics").unstarted(r));
        HTTPServer.Builder b = HTTPServer.builder().inetAddress(InetAddress.getByName(host)).port(port).registry(registry)
                .executorService(executor);
        if (config.username() != null) {
            byte[] password;
            try {
                password = Files.readString(config.passwordFile()).strip().getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                executor.shutdownNow();
                throw new IOException("metrics: cannot read password_file " + config.passwordFile() + ": " + e.getMessage(), e);
            }
            byte[] user = config.username().getBytes(StandardCharsets.UTF_8);
            b.authenticator(new BasicAuthenticator("jvs metrics") {
                @Override
                public boolean checkCredentials(String u, String p) {
                    // both compared in constant time: a wrong guess takes as long as a near one
                    boolean userOk = MessageDigest.isEqual(user, u.getBytes(StandardCharsets.UTF_8));
                    return MessageDigest.isEqual(password, p.getBytes(StandardCharsets.UTF_8)) & userOk;
                }
            });
        }
        if (config.certificate() != null) {
            try {
                // The http engine's loader: the same PEM rules and errors; Netty's JDK context is a plain SSLContext.
                var tls = org.jvs.proxy.http.ServerTls.load(config.certificate(), config.key());
                b.httpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(
                        ((io.netty.handler.ssl.JdkSslContext) tls.context()).context()));
            } catch (IllegalArgumentException e) {
                executor.shutdownNow();
                throw new IOException("metrics: " + e.getMessage(), e);
            }
        }
        try {
            return new MetricsServer(b.buildAndStart(), executor);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new IOException("metrics: cannot listen on " + listen + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
        executor.shutdownNow();
    }
}
