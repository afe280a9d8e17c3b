package org.jvs.proxy.http;

import java.net.InetSocketAddress;
import java.util.List;
import org.jvs.proxy.http.sched.L7Schedulers;

/**
 * One {@code engine: http} service: where it listens, its servers, how it schedules and its limits.
 *
 * @param clientAddress the field that tells servers the client's address (none by default, as HAProxy)
 * @param admission     hold requests while the servers carry Σ high (the thesis' admission control);
 *                      null: on for the locality schedulers (lblc, lblcr, content-lblcr), off otherwise
 * @param tunnels       which requests may become tunnels (null: {@link Tunnels#DEFAULT})
 */
public record HttpServiceConfig(InetSocketAddress listen, List<HttpBackend> backends, String scheduler,
                                L7Schedulers.Options options, HttpLimits limits, HttpTimeouts timeouts,
                                ClientAddress clientAddress, Boolean admission, Tunnels tunnels) {

    /**
     * @param upgrade a GET with {@code Upgrade} (websocket) is forwarded with it, and a 101 answer turns the
     *                connection into a tunnel (HAProxy's behaviour); false: the {@code Upgrade} is dropped, as
     *                RFC 9110 lets an intermediary do, and the server answers plain HTTP
     * @param connect a {@code CONNECT} goes to the chosen server, and its 2xx answer makes a tunnel (a
     *                cluster of forward proxies); false: 501
     */
    public record Tunnels(boolean upgrade, boolean connect) {
        public static final Tunnels DEFAULT = new Tunnels(true, false);
    }

    public HttpServiceConfig(InetSocketAddress listen, List<HttpBackend> backends, String scheduler, L7Schedulers.Options options,
                             HttpLimits limits, HttpTimeouts timeouts, ClientAddress clientAddress, Boolean admission) {
        this(listen, backends, scheduler, options, limits, timeouts, clientAddress, admission, null);
    }

    /** How the client's address reaches the servers. */
    public enum ClientAddress { NONE, X_FORWARDED_FOR, FORWARDED }

    public HttpServiceConfig(InetSocketAddress listen, List<HttpBackend> backends, String scheduler) {
        this(listen, backends, scheduler, null, null, null, null, null, null);
    }

    public HttpServiceConfig {
        backends = List.copyOf(backends); // none (yet): every request is answered 503
        scheduler = scheduler == null ? "wlc" : scheduler;
        options = options == null ? L7Schedulers.Options.DEFAULT : options;
        limits = limits == null ? HttpLimits.DEFAULT : limits;
        timeouts = timeouts == null ? HttpTimeouts.DEFAULT : timeouts;
        clientAddress = clientAddress == null ? ClientAddress.NONE : clientAddress;
        tunnels = tunnels == null ? Tunnels.DEFAULT : tunnels;
        if (admission == null) {
            admission = scheduler.equals("lblc") || scheduler.equals("lblcr") || scheduler.equals("content-lblcr");
        }
    }
}
