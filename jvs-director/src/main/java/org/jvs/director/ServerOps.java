package org.jvs.director;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jvs.core.Dest;
import org.jvs.core.Service;
import org.jvs.core.model.ConfigException;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ServiceKey;
import org.jvs.director.api.ControlServer.Response;
import org.jvs.director.api.Json;

/**
 * What an operator does to one real server without retyping it: quiesce (weight 0, remembering the weight it
 * had), restore (that weight back, or the file's), and drain (quiesce, then remove it once it holds no
 * connection). The control API's {@code POST /v1/servers/{quiesce,restore,drain}} (docs/api.md), which the
 * console's buttons call; jvsadm's {@code -e -w 0} does the first by hand.
 */
final class ServerOps {
    /** A server being drained, and when it started (for the listing). */
    record Draining(ServiceKey service, String server, long sinceMillis) {
    }

    private final Director director;
    /** "service|server" -> the administrator's weight before the quiesce. */
    private final Map<String, Integer> before = new ConcurrentHashMap<>();
    private final Map<String, Draining> draining = new ConcurrentHashMap<>();

    ServerOps(Director director) {
        this.director = director;
    }

    /** {@code {"service": "tcp 10.0.0.1:80", "server": "10.0.0.2:80"}} as the snapshot names them. */
    private record Target(Service service, Dest dest) {
        String id() {
            return service.key() + "|" + dest.spec().address().withPort(dest.spec().port());
        }
    }

    private Target target(String body) {
        return target(Json.parse(body));
    }

    private Target target(Object json) {
        if (!(json instanceof Map<?, ?> m) || !(m.get("service") instanceof String s) || !(m.get("server") instanceof String d)) {
            throw new IllegalArgumentException("expected {\"service\": \"tcp 10.0.0.1:80\", \"server\": \"10.0.0.2:80\"} (names as in GET /v1/snapshot)");
        }
        Service service = director.loadBalancer().services().stream().filter(x -> x.key().toString().equals(s)).findFirst()
                .orElseThrow(() -> new ConfigException("no service " + s));
        for (Dest dest : service.dests()) {
            if (dest.spec().address().withPort(dest.spec().port()).equals(d)) {
                return new Target(service, dest);
            }
        }
        throw new ConfigException("service " + s + " has no real server " + d);
    }

    Response quiesce(String body, org.jvs.director.api.Caller caller) {
        Target t = target(body);
        director.change(() -> {
            quiesce(t);
            return null;
        });
        ControlApi.audit(caller, "quiesce " + t.id().replace('|', ' '));
        return Response.json(200, result(t, "quiesced"));
    }

    private void quiesce(Target t) {
        DestSpec spec = t.dest().spec();
        if (spec.weight() > 0) {
            before.put(t.id(), spec.weight());
            director.loadBalancer().editDest(t.service().key(), spec.withWeight(0));
        }
    }

    Response restore(String body, org.jvs.director.api.Caller caller) {
        Target t = target(body);
        int w = director.change(() -> {
            draining.remove(t.id());
            Integer was = before.remove(t.id());
            int weight = was != null ? was : director.fileWeight(t.service().key(), t.dest().spec().address(), t.dest().spec().port());
            DestSpec spec = t.dest().spec();
            if (spec.weight() != weight) {
                director.loadBalancer().editDest(t.service().key(), spec.withWeight(weight));
            }
            return weight;
        });
        ControlApi.audit(caller, "restore " + t.id().replace('|', ' ') + " to weight " + w);
        return Response.json(200, result(t, "restored to weight " + w));
    }

    /**
     * {@code {"service", "server", "weight": n}}: the administrator's weight, everything else about the server
     * kept (jvsadm -e must repeat the forwarding method, or ipvsadm's rule makes it -g).
     */
    Response weight(String body, org.jvs.director.api.Caller caller) {
        Object json = Json.parse(body);
        Target t = target(json);
        if (!(json instanceof Map<?, ?> m) || !(m.get("weight") instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IllegalArgumentException("expected \"weight\": a whole number 0.." + DestSpec.MAX_WEIGHT);
        }
        long w = n.longValue();
        if (w < 0 || w > DestSpec.MAX_WEIGHT) {
            throw new ConfigException("weight " + w + " is outside 0.." + DestSpec.MAX_WEIGHT);
        }
        director.change(() -> {
            draining.remove(t.id());
            before.remove(t.id());
            director.loadBalancer().editDest(t.service().key(), t.dest().spec().withWeight((int) w));
            return null;
        });
        ControlApi.audit(caller, "weight " + t.id().replace('|', ' ') + " " + w);
        return Response.json(200, result(t, "weight " + w));
    }

    Response drain(String body, org.jvs.director.api.Caller caller) {
        Target t = target(body);
        director.change(() -> {
            quiesce(t);
            draining.put(t.id(), new Draining(t.service().key(), t.dest().spec().address().withPort(t.dest().spec().port()),
                    System.currentTimeMillis()));
            return null;
        });
        ControlApi.audit(caller, "drain " + t.id().replace('|', ' '));
        tick(); // a server with no connection goes at once
        return Response.json(200, result(t, draining.containsKey(t.id()) ? "draining" : "drained and removed"));
    }

    private static String result(Target t, String what) {
        return "{\"service\":" + Json.quote(t.service().key().toString()) + ",\"server\":"
                + Json.quote(t.dest().spec().address().withPort(t.dest().spec().port())) + ",\"result\":" + Json.quote(what) + "}";
    }

    boolean isDraining(ServiceKey service, String server) {
        return draining.containsKey(service + "|" + server);
    }

    /** The weight a quiesce left behind, or -1. */
    int weightBeforeQuiesce(ServiceKey service, String server) {
        return before.getOrDefault(service + "|" + server, -1);
    }

    /**
     * Every second: a draining server whose last connection has ended is removed, as {@code jvsadm -d} would.
     * Looked at and removed under the director's lock, so a restore or a new weight in between wins.
     */
    void tick() {
        synchronized (director) {
            for (var e : draining.entrySet()) {
                Draining d = e.getValue();
                Service s = director.loadBalancer().service(d.service());
                Dest dest = s == null ? null : find(s, d.server());
                if (dest == null || dest.spec().weight() != 0) {
                    draining.remove(e.getKey(), d); // removed or given a weight by someone else: no longer ours to drain
                    continue;
                }
                if (dest.activeConns() + dest.inactiveConns() == 0) {
                    director.change(() -> {
                        director.loadBalancer().deleteDest(d.service(), dest.spec().address(), dest.spec().port());
                        director.health().deletedByCommand(d.service(), dest.spec().address(), dest.spec().port());
                        return null;
                    });
                    draining.remove(e.getKey(), d);
                    before.remove(e.getKey());
                    ControlApi.audit(new org.jvs.director.api.Caller("drain", true), "removed drained " + d.server() + " from " + d.service());
                }
            }
        }
    }

    private static Dest find(Service s, String server) {
        for (Dest d : s.dests()) {
            if (d.spec().address().withPort(d.spec().port()).equals(server)) {
                return d;
            }
        }
        return null;
    }
}
