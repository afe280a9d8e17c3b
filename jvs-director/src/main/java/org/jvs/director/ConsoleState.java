package org.jvs.director;

import java.util.concurrent.atomic.AtomicLong;
import org.jvs.cli.JsonFormat;
import org.jvs.cli.JsonWriter;
import org.jvs.core.Dest;
import org.jvs.core.Service;
import org.jvs.director.console.LiveState;

/**
 * The director as the console shows it: the control API's own JSON ({@code /v1/snapshot}, {@code /v1/health},
 * {@code /v1/feedback}, {@code /v1/vrrp}, the sync daemons) in one object, plus what only the director knows
 * per server: who sets its weight now, the feedback weight and health factor behind it, and whether it is
 * quiesced (with the weight a restore gives back) or draining.
 */
final class ConsoleState implements LiveState {
    private final Director director;
    private final AtomicLong generation = new AtomicLong();

    ConsoleState(Director director) {
        this.director = director;
    }

    /** Called after every change the director applies (API, reload, drain). */
    void changed() {
        generation.incrementAndGet();
    }

    @Override
    public long generation() {
        return generation.get();
    }

    @Override
    public Totals totals() {
        var lb = director.loadBalancer();
        long active = 0;
        for (Service s : lb.services()) {
            for (Dest d : s.dests()) {
                active += d.activeConns();
            }
        }
        var t = lb.stats().totals();
        return new Totals(t.conns(), t.inBytes(), t.outBytes(), active);
    }

    @Override
    public String json() {
        var lb = director.loadBalancer();
        var arbiter = director.weights();
        var ops = director.serverOps();
        JsonWriter w = new JsonWriter().beginObject();
        w.field("t", System.currentTimeMillis()).field("generation", generation.get());
        w.name("director").beginObject().field("version", Version.VERSION).field("uptime_ms", director.uptimeMillis())
                .field("config", director.configFile().toString())
                .field("connections", lb.connTable(false).size() + lb.connTable(true).size()).name("engines").beginArray();
        for (DataPlane p : director.planes()) {
            w.value(p.name());
        }
        w.endArray().name("schedulers").beginArray();
        for (String n : org.jvs.core.sched.Schedulers.names()) {
            w.value(n);
        }
        w.endArray().endObject();
        w.name("servers").beginObject();
        w.name("names").beginObject();
        for (Service s : lb.services()) {
            String name = director.serviceName(s.key());
            if (name != null) {
                w.field(s.key().toString(), name);
            }
        }
        w.endObject();
        w.name("weights").beginArray();
        for (Service s : lb.services()) {
            for (Dest d : s.dests()) {
                var a = d.spec().address();
                int port = d.spec().port();
                int fb = arbiter.feedbackWeight(s.key(), a, port);
                double factor = arbiter.healthFactor(s.key(), a, port);
                String server = a.withPort(port);
                w.beginObject().field("service", s.key().toString()).field("server", server)
                        .field("source", org.jvs.director.metrics.DirectorCollector.weightSource(d.spec().weight(), fb, factor))
                        .field("feedback_weight", fb).field("health_factor", factor)
                        .field("file_weight", director.fileWeight(s.key(), a, port))
                        .field("restore_weight", ops.weightBeforeQuiesce(s.key(), server))
                        .field("draining", ops.isDraining(s.key(), server)).endObject();
            }
        }
        w.endArray().endObject().endObject();
        String head = w.toString();
        // the API's documents as they are, so the console shows what jvsadm and the API show
        return head.substring(0, head.length() - 1)
                + ",\"snapshot\":" + JsonFormat.snapshot(lb.snapshot(), null, true, director.health().view())
                + ",\"health\":" + org.jvs.director.health.HealthJson.of(director.health())
                + ",\"feedback\":" + director.feedback().statusJson()
                + ",\"vrrp\":" + VrrpListing.json(director.failover().vrrpStatus())
                + ",\"sync\":" + director.failover().json() + "}";
    }
}
