package org.jvs.proxy.http;

import java.net.InetSocketAddress;
import java.util.List;
import org.jvs.proxy.http.sched.L7Schedulers;

/** One {@code engine: http} service: where it listens, its servers, how it schedules and its limits. */
public record HttpServiceConfig(InetSocketAddress listen, List<HttpBackend> backends, String scheduler,
                                L7Schedulers.Options options, HttpLimits limits, HttpTimeouts timeouts) {
    public HttpServiceConfig {
        backends = List.copyOf(backends);
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("an http service needs at least one server");
        }
        scheduler = scheduler == null ? "wlc" : scheduler;
        options = options == null ? L7Schedulers.Options.DEFAULT : options;
        limits = limits == null ? HttpLimits.DEFAULT : limits;
        timeouts = timeouts == null ? HttpTimeouts.DEFAULT : timeouts;
    }
}
