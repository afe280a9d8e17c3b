package org.jvs.director.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real nginx backends on loopback for end-to-end tests: one nginx process, one server block per port,
 * each answering every request with {@code <name>\n}. Started from a generated config in a temporary
 * directory and stopped (with its workers) by {@link #close}, also when a test fails.
 */
final class NginxBackends implements AutoCloseable {
    private final Path dir;
    private final Process master;

    /** @param proxyProtocol the port expects a PROXY header (v1 or v2) and answers {@code <name> <client addr>:<port>} */
    record Backend(String name, int port, boolean proxyProtocol) {
        Backend(String name, int port) {
            this(name, port, false);
        }
    }

    private NginxBackends(Path dir, Process master) {
        this.dir = dir;
        this.master = master;
    }

    static NginxBackends start(Path dir, List<Backend> backends) throws IOException, InterruptedException {
        StringBuilder servers = new StringBuilder();
        for (Backend b : backends) {
            servers.append("  server { listen 127.0.0.1:").append(b.port()).append(b.proxyProtocol() ? " proxy_protocol" : "")
                    .append("; location / { return 200 \"").append(b.name())
                    .append(b.proxyProtocol() ? " $proxy_protocol_addr:$proxy_protocol_port" : "").append("\\n\"; } }\n");
        }
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                daemon off;
                master_process on;
                worker_processes 1;
                pid %s/nginx.pid;
                error_log %s/error.log warn;
                events { worker_connections 4096; }
                http {
                  access_log off;
                  client_body_temp_path %s;
                  proxy_temp_path %s;
                  fastcgi_temp_path %s;
                  uwsgi_temp_path %s;
                  scgi_temp_path %s;
                  keepalive_requests 100000;
                %s}
                """.formatted(dir, dir, dir, dir, dir, dir, dir, servers));
        Process p = new ProcessBuilder("nginx", "-c", conf.toString(), "-p", dir.toString(), "-e", dir.resolve("error.log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        NginxBackends n = new NginxBackends(dir, p);
        for (Backend b : backends) {
            if (!waitForPort(b.port(), 10_000)) {
                n.close();
                throw new IOException("nginx did not open port " + b.port() + ": " + Files.readString(dir.resolve("nginx.out")));
            }
        }
        return n;
    }

    static boolean waitForPort(int port, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    @Override
    public void close() {
        master.descendants().forEach(ProcessHandle::destroy);
        master.destroy();
        try {
            if (!master.waitFor(5, TimeUnit.SECONDS)) {
                master.destroyForcibly();
                master.descendants().forEach(ProcessHandle::destroyForcibly);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
