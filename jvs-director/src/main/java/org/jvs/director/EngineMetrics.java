package org.jvs.director;

import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.Unit;
import org.jvs.director.metrics.DirectorCollector;
import org.jvs.proxy.SocketEngine;
import org.jvs.proxy.http.HttpEngine;
import org.jvs.proxy.http.HttpStats;
import org.jvs.proxy.http.LatencyHistogram;

/** The data planes' and VRRP's families for {@code /metrics}: counters they keep anyway, read at scrape time. */
final class EngineMetrics implements DirectorCollector.Source {
    private final Director director;

    EngineMetrics(Director director) {
        this.director = director;
    }

    @Override
    public void collect(DirectorCollector.Families f) {
        for (DataPlane p : director.planes()) {
            switch (p) {
                case SocketPlane s -> socket(f, s.engine());
                case HttpPlane h -> h.engines().forEach((k, e) -> http(f, k.toString(), e));
                case PacketPlane pp -> packet(f, pp.engine().counters());
                default -> {
                }
            }
        }
        sync(f, director.failover().syncDaemons());
        for (var v : director.failover().vrrpStatus()) {
            Labels l = Labels.of("instance", v.name());
            for (var st : org.jvs.vrrp.VrrpState.values()) {
                f.gauge("jvs_vrrp_state", "1 for the instance's VRRP state now", Labels.of("instance", v.name(), "state",
                        st.name().toLowerCase(java.util.Locale.ROOT)), v.state() == st ? 1 : 0);
            }
            f.gauge("jvs_vrrp_priority", "The instance's priority now (after tracking)", l, v.priority());
            f.counter("jvs_vrrp_adverts_sent", "Advertisements sent", null, l, v.counters().advertsSent());
            f.counter("jvs_vrrp_adverts_received", "Advertisements received that passed validation", null, l, v.counters().advertsReceived());
            f.counter("jvs_vrrp_became_master", "Transitions to MASTER", null, l, v.counters().becameMaster());
        }
    }

    /** The connection sync daemons (IPVS' master and backup), when started. */
    private static void sync(DirectorCollector.Families f, org.jvs.sync.SyncDaemons sync) {
        var m = sync.master();
        if (m != null) {
            var k = m.counters();
            f.counter("jvs_sync_master_messages", "Sync messages the master daemon sent", null, Labels.EMPTY, k.messages());
            f.counter("jvs_sync_master_records", "Connection records the master daemon sent", null, Labels.EMPTY, k.records());
            f.counter("jvs_sync_master_sent_bytes", "Bytes of sync messages sent", Unit.BYTES, Labels.EMPTY, k.bytes());
            f.counter("jvs_sync_master_send_errors", "Sync messages that could not be sent", null, Labels.EMPTY, k.sendErrors());
            f.counter("jvs_sync_master_queue_overflows", "Records dropped because the send queue was full", null, Labels.EMPTY, k.queueOverflows());
        }
        var b = sync.backup();
        if (b != null) {
            f.counter("jvs_sync_backup_messages", "Sync messages the backup daemon accepted", null, Labels.EMPTY, b.stats().messages());
            f.counter("jvs_sync_backup_dropped_messages", "Sync messages the backup daemon dropped (malformed, wrong syncid)", null,
                    Labels.EMPTY, b.stats().dropped());
            for (var o : org.jvs.core.LoadBalancer.SyncOutcome.values()) {
                f.counter("jvs_sync_backup_records", "Connection records received, by outcome", null,
                        Labels.of("outcome", o.name().toLowerCase(java.util.Locale.ROOT)), b.outcome(o));
            }
        }
    }

    private static void socket(DirectorCollector.Families f, SocketEngine e) {
        SocketEngine.Counters c = e.counters();
        Labels none = Labels.EMPTY;
        f.counter("jvs_socket_accepted_connections", "Client connections the socket engine accepted", null, none, c.accepted());
        f.counter("jvs_socket_rejected_connections", "Connections closed because the core gave no server", null, none, c.rejected());
        f.counter("jvs_socket_source_limited_connections", "Connections reset at accept by max_conn_per_source", null, none, c.sourceLimited());
        f.counter("jvs_socket_connect_failures", "Connects to real servers that failed", null, none, c.connectFailures());
        f.counter("jvs_socket_idle_closed_connections", "Relays closed at their idle timeout", null, none, c.idleClosed());
        f.counter("jvs_socket_udp_dropped_datagrams", "UDP datagrams dropped", null, none, c.udpDropped());
        f.counter("jvs_socket_relayed_bytes", "TCP bytes relayed, by how", Unit.BYTES, Labels.of("mode", "copy"), c.copiedBytes());
        f.counter("jvs_socket_relayed_bytes", "TCP bytes relayed, by how", Unit.BYTES, Labels.of("mode", "splice"), c.splicedBytes());
        f.gauge("jvs_socket_open_relays", "TCP relays open now", none, e.openRelays());
        f.gauge("jvs_socket_udp_sessions", "UDP sessions open now", none, e.udpSessions());
    }

    private static void http(DirectorCollector.Families f, String service, HttpEngine e) {
        HttpStats st = e.stats();
        Labels l = Labels.of("service", service);
        f.counter("jvs_http_requests", "Requests read by the http engine", null, l, st.requests.sum());
        f.counter("jvs_http_refused_requests", "Requests the switch answered itself (bad request, no server, ...)", null, l, st.refused.sum());
        f.counter("jvs_http_retries", "Requests sent again to another server", null, l, st.retries.sum());
        for (int i = 1; i < st.statusClass.length; i++) { // index = status / 100
            f.counter("jvs_http_responses", "Responses by status class", null, Labels.of("service", service, "code", i + "xx"),
                    st.statusClass[i].sum());
        }
        f.histogram("jvs_http_response_seconds", "Time from a request's head to its response's head", l, LatencyHistogram.BOUNDS_US,
                st.responseTime.counts(), st.responseTime.sumNanos() / 1e9);
        f.gauge("jvs_http_client_sessions", "Client connections open now", l, e.sessions());
        f.counter("jvs_http_source_limited_connections", "Connections reset at accept by max_conn_per_source", null, l,
                e.sourceLimiter().refused());
    }

    private static void packet(DirectorCollector.Families f, org.jvs.packet.engine.PacketEngine.Counters c) {
        Labels none = Labels.EMPTY;
        f.counter("jvs_packet_received_frames", "Frames the packet engine read", null, none, c.received());
        f.counter("jvs_packet_forwarded_frames", "Frames forwarded, by method", null, Labels.of("method", "dr"), c.forwardedDr());
        f.counter("jvs_packet_forwarded_frames", "Frames forwarded, by method", null, Labels.of("method", "nat"), c.forwardedNat());
        f.counter("jvs_packet_forwarded_frames", "Frames forwarded, by method", null, Labels.of("method", "tun"), c.forwardedTun());
        f.counter("jvs_packet_nat_replies", "Real servers' replies rewritten back to the VIP", null, none, c.natReplies());
        f.counter("jvs_packet_passed_frames", "Frames left to the director's kernel", null, none, c.passed());
        f.counter("jvs_packet_dropped_frames", "Frames dropped, by reason", null, Labels.of("reason", "other"), c.dropped());
        f.counter("jvs_packet_dropped_frames", "Frames dropped, by reason", null, Labels.of("reason", "no_neighbour"), c.noNeighbour());
        f.counter("jvs_packet_dropped_frames", "Frames dropped, by reason", null, Labels.of("reason", "no_route"), c.noRoute());
        f.counter("jvs_packet_arp_replies", "ARP replies sent for VIPs", null, none, c.arpReplies());
    }
}
