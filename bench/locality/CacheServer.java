// A real server with a small in-memory cache, for bench/l7-locality.sh: several ports in one JVM, each an
// independent server with an LRU cache of CAPACITY objects. A miss holds the server's one disk for
// MISS_MICROS (the read the thesis' cache servers would make; one at a time, so misses queue and bound the
// server's throughput as a disk does) and fills the cache; a hit answers at once.
// GET /__stats answers "hits misses" for that port; GET /__reset empties its cache and counters.
//
// usage: java bench/locality/CacheServer.java CAPACITY MISS_MICROS PORT...
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

public class CacheServer {
    private static final byte[] BODY = "x".repeat(1024).getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws IOException {
        int capacity = Integer.parseInt(args[0]);
        long missNanos = Long.parseLong(args[1]) * 1000;
        for (int i = 2; i < args.length; i++) {
            start(Integer.parseInt(args[i]), capacity, missNanos);
        }
    }

    private static void start(int port, int capacity, long missNanos) throws IOException {
        Map<String, Boolean> cache = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
        AtomicLong hits = new AtomicLong();
        AtomicLong misses = new AtomicLong();
        Semaphore disk = new Semaphore(1, true);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/__stats" -> reply(exchange, (hits.get() + " " + misses.get() + "\n").getBytes(StandardCharsets.US_ASCII));
                case "/__reset" -> {
                    synchronized (cache) {
                        cache.clear();
                    }
                    hits.set(0);
                    misses.set(0);
                    reply(exchange, new byte[0]);
                }
                default -> {
                    boolean hit;
                    synchronized (cache) {
                        hit = cache.get(path) != null;
                    }
                    if (hit) {
                        hits.incrementAndGet();
                    } else {
                        misses.incrementAndGet();
                        disk.acquireUninterruptibly();
                        try {
                            LockSupport.parkNanos(missNanos); // the read; a virtual thread waits without a carrier
                        } finally {
                            disk.release();
                        }
                        synchronized (cache) {
                            cache.put(path, Boolean.TRUE);
                        }
                    }
                    reply(exchange, BODY);
                }
            }
        });
        server.start();
    }

    private static void reply(HttpExchange exchange, byte[] body) throws IOException {
        exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
