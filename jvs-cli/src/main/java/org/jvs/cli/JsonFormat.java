package org.jvs.cli;

import java.util.List;

import org.jvs.core.ConnEntry;
import org.jvs.core.Dest;
import org.jvs.core.FlowAnswer;
import org.jvs.core.conn.Timeouts;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ForwardingMethod;
import org.jvs.core.model.Persistence;
import org.jvs.core.model.ServiceKey;
import org.jvs.core.model.ServiceSpec;
import org.jvs.core.stats.Stats;
import org.jvs.core.view.DestView;
import org.jvs.core.view.ServiceView;
import org.jvs.core.view.Snapshot;

/**
 * The listings as JSON ({@code --json}), for scripts and the control API: the same data as the text
 * listings, in full (counters unabbreviated, rates as the core estimates them, every setting), one compact
 * line. Field names are stable; new fields may be added.
 */
public final class JsonFormat {

    private JsonFormat() {
    }

    /** {@code -L --json}: the whole table, or only {@code only} when it is not null. */
    public static String snapshot(Snapshot s, ServiceKey only, boolean sort) {
        return snapshot(s, only, sort, HealthSource.NONE);
    }

    /**
     * As above and, unless {@code health} is {@link HealthSource#NONE}, each service and server with a
     * {@code "health"} object (null where nothing is watched) and per service {@code "removedByHealth"}: the
     * watched servers not in the table now.
     */
    public static String snapshot(Snapshot s, ServiceKey only, boolean sort, HealthSource health) {
        JsonWriter w = new JsonWriter().beginObject();
        w.field("version", IpvsadmFormat.IPVS_VERSION).field("size", s.tableSize());
        timeouts(w.name("timeouts"), s.timeouts());
        totals(w.name("stats"), s.totals());
        rates(w.name("rates"), s.rates());
        w.name("services").beginArray();
        for (ServiceView v : IpvsadmFormat.ordered(s.services(), sort)) {
            if (only == null || v.spec().key().equals(only)) {
                service(w, v, sort, health);
            }
        }
        return w.endArray().endObject().toString();
    }

    /** {@code -L -c --json}. */
    public static String connections(List<ConnEntry> entries) {
        JsonWriter w = new JsonWriter().beginObject().name("connections").beginArray();
        for (ConnEntry e : entries) {
            w.beginObject()
                    .field("protocol", e.protocolLabel())
                    .field("state", e.state())
                    .field("expires", Math.max(0, e.expiresIn()))
                    .field("client", e.client().toString()).field("clientPort", e.clientPort())
                    .field("virtual", e.virtual().toString()).field("virtualPort", e.virtualPort())
                    .field("dest", e.dest().toString()).field("destPort", e.destPort())
                    .field("template", e.template())
                    .field("forward", e.method())
                    .endObject();
        }
        return w.endArray().endObject().toString();
    }

    /** {@code -L --timeout --json}. */
    public static String timeouts(Timeouts.View t) {
        return timeouts(new JsonWriter(), t).toString();
    }

    /**
     * The DoS defences and the connection tables they guard ({@code GET /v1/defense}): the five settings under
     * their sysctl names, what is in force, the memory figure they last saw, and each table's fill.
     */
    public static String defense(org.jvs.core.LoadBalancer lb) {
        return defense(lb, w -> {
        });
    }

    /** The same, with {@code more} members written after the core's (the director adds its engines' limits). */
    public static String defense(org.jvs.core.LoadBalancer lb, java.util.function.Consumer<JsonWriter> more) {
        var d = lb.defense();
        JsonWriter w = new JsonWriter().beginObject()
                .field("drop_entry", d.dropEntryMode()).field("drop_packet", d.dropPacketMode())
                .field("secure_tcp", d.secureTcpMode())
                .field("amemthresh", d.threshold() / org.jvs.core.defense.DefenseState.PAGE_BYTES)
                .field("am_droprate", d.amDropRate())
                .name("in_force").beginObject().field("drop_entry", d.dropEntryActive())
                .field("drop_packet_one_in", d.dropRate()).field("secure_tcp", d.secureTcpActive()).endObject()
                .field("available_bytes", d.availableMemory()).field("threshold_bytes", d.threshold())
                .name("conn_tables").beginArray();
        for (boolean v6 : new boolean[] {false, true}) {
            var t = lb.connTable(v6);
            w.beginObject().field("family", v6 ? "ipv6" : "ipv4").field("entries", t.size())
                    .field("capacity", t.capacity()).field("refused_when_full", t.insertFailures()).endObject();
        }
        w.endArray();
        more.accept(w);
        return w.endObject().toString();
    }

    /** {@code -L --daemon --json} where no sync daemon runs. */
    public static String daemons() {
        return new JsonWriter().beginObject().name("daemons").beginArray().endArray().endObject().toString();
    }

    /** {@code --where ... --json}. */
    public static String where(IpvsadmCommand.Where q, FlowAnswer a) {
        JsonWriter w = new JsonWriter().beginObject();
        w.name("flow").beginObject()
                .field("protocol", q.protocol().label())
                .field("client", q.client().toString()).field("clientPort", q.clientPort())
                .field("virtual", q.virtual().toString()).field("virtualPort", q.virtualPort())
                .field("fwmark", Integer.toUnsignedLong(q.fwmark()))
                .endObject();
        Dest d = a.dest();
        if (d == null) {
            w.name("dest").nullValue();
        } else {
            w.name("dest").beginObject()
                    .field("address", d.address().toString()).field("port", d.port())
                    .field("forward", d.method().ipvsadmName())
                    .field("weight", d.weight())
                    .field("service", d.service().key().toString())
                    .endObject();
        }
        return w.field("reason", a.reason().name()).field("detail", a.detail()).endObject().toString();
    }

    private static void service(JsonWriter w, ServiceView v, boolean sort, HealthSource health) {
        ServiceSpec spec = v.spec();
        w.beginObject().field("key", spec.key().toString());
        switch (spec.key()) {
            case ServiceKey.Virtual k -> w.field("protocol", k.protocol().label())
                    .field("address", k.address().toString()).field("port", k.port());
            case ServiceKey.Fwmark f -> w.field("fwmark", Integer.toUnsignedLong(f.mark()));
        }
        w.field("ipv6", spec.key().v6()).field("scheduler", spec.scheduler());
        w.name("flags").beginArray();
        String flags = IpvsadmFormat.schedFlags(spec);
        if (!flags.isEmpty()) {
            for (String f : flags.split(",")) {
                w.value(f);
            }
        }
        w.endArray();
        Persistence p = spec.persistence();
        if (p == null) {
            w.name("persistence").nullValue();
        } else {
            w.name("persistence").beginObject().field("timeout", p.timeoutSeconds())
                    .field("prefixLength", p.prefixLength()).endObject();
        }
        w.field("ops", spec.onePacket()).field("engine", spec.engine().configName());
        totals(w.name("stats"), v.totals());
        rates(w.name("rates"), v.rates());
        w.name("dests").beginArray();
        for (DestView d : IpvsadmFormat.orderedDests(v.dests(), sort)) {
            dest(w, d, health, health.dest(spec.key(), d.spec().address(), d.spec().port()));
        }
        w.endArray();
        if (health == HealthSource.NONE) {
            w.endObject(); // no health checking at all: exactly the fields a plain table has
            return;
        }
        HealthSource.ServiceHealth q = health.service(spec.key());
        if (q == null) {
            w.name("health").nullValue();
        } else {
            w.name("health").beginObject().field("quorumUp", q.quorumUp()).field("liveWeight", q.liveWeight())
                    .field("quorum", q.quorum()).field("hysteresis", q.hysteresis());
            if (q.sorryServer() == null) {
                w.name("sorryServer").nullValue();
            } else {
                w.field("sorryServer", q.sorryServer());
            }
            w.field("sorryActive", q.sorryActive()).endObject();
        }
        w.name("removedByHealth").beginArray();
        for (HealthSource.DestHealth dh : health.absent(spec.key())) {
            w.beginObject().field("address", dh.address().toString()).field("port", dh.port()).field("forward", dh.forward())
                    .field("configuredWeight", dh.configuredWeight());
            health(w, dh);
            w.endObject();
        }
        w.endArray().endObject();
    }

    private static void health(JsonWriter w, HealthSource.DestHealth h) {
        if (h == null) {
            w.name("health").nullValue();
            return;
        }
        w.name("health").beginObject().field("state", h.state()).field("check", h.check()).field("factor", h.factor())
                .field("reason", h.reason()).field("lastCheckAgoMs", h.lastAgoMillis()).field("sinceMs", h.sinceMillis()).endObject();
    }

    private static void dest(JsonWriter w, DestView d, HealthSource source, HealthSource.DestHealth h) {
        DestSpec spec = d.spec();
        w.beginObject()
                .field("address", spec.address().toString()).field("port", spec.port())
                .field("forward", spec.method().ipvsadmName());
        if (spec.method() instanceof ForwardingMethod.Tunnel t) {
            w.name("tunnel").beginObject().field("type", t.type().ipvsadmName());
            if (t.port() != 0) {
                w.field("port", t.port());
            }
            w.field("checksum", t.checksum().option());
            w.endObject();
        } else {
            w.name("tunnel").nullValue();
        }
        w.field("weight", d.weight()).field("configuredWeight", spec.weight())
                .field("upperThreshold", spec.upperThreshold()).field("lowerThreshold", spec.lowerThreshold())
                .field("activeConns", d.activeConns()).field("inactiveConns", d.inactiveConns())
                .field("persistentConns", d.persistentConns()).field("overloaded", d.overloaded())
                .field("proxyProtocol", spec.proxyProtocol().configName());
        totals(w.name("stats"), d.totals());
        rates(w.name("rates"), d.rates());
        if (source != HealthSource.NONE) {
            health(w, h);
        }
        w.endObject();
    }

    private static JsonWriter timeouts(JsonWriter w, Timeouts.View t) {
        return w.beginObject().field("tcp", t.tcp()).field("tcpfin", t.tcpfin()).field("udp", t.udp()).endObject();
    }

    private static void totals(JsonWriter w, Stats.Totals t) {
        w.beginObject().field("conns", t.conns()).field("inPackets", t.inPackets()).field("outPackets", t.outPackets())
                .field("inBytes", t.inBytes()).field("outBytes", t.outBytes()).endObject();
    }

    private static void rates(JsonWriter w, Stats.Rates r) {
        w.beginObject().field("cps", r.cps()).field("inPps", r.inPps()).field("outPps", r.outPps())
                .field("inBps", r.inBps()).field("outBps", r.outBps()).endObject();
    }
}
