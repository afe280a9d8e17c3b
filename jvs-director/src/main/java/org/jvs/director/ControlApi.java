package org.jvs.director;

import java.util.stream.Collectors;
import org.jvs.core.model.ConfigException;
import org.jvs.director.api.ControlServer.Request;
import org.jvs.director.api.ControlServer.Response;
import org.jvs.director.api.ControlServer;
import org.jvs.director.api.Json;
import org.jvs.cli.CommandExecutor;
import org.jvs.cli.IpvsadmCommand;
import org.jvs.cli.IpvsadmParser;
import org.jvs.cli.JsonFormat;
import org.jvs.cli.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The control API's routes (reference: {@code docs/api.md}). Every configuration change goes through the
 * director's lock; a refused change answers 422 with the reason and changes nothing.
 */
final class ControlApi implements ControlServer.Handler {
    private final Director director;

    ControlApi(Director director) {
        this.director = director;
    }

    /** What a route needs of its caller: to look, to change, or, for ipvsadm, whatever its command does. */
    enum Needs { READ, WRITE, BY_COMMAND }

    private record Route(Needs needs, java.util.function.BiFunction<ControlApi, Request, Response> handler) {
    }

    /** Every route, in the order docs/api.md and the OpenAPI document list them (a test holds the three equal). */
    private static final Map<String, Route> ROUTES = routes();

    private static Map<String, Route> routes() {
        Map<String, Route> m = new java.util.LinkedHashMap<>();
        m.put("GET /v1/status", new Route(Needs.READ, (a, r) -> a.status()));
        m.put("POST /v1/reload", new Route(Needs.WRITE, (a, r) -> a.reload(r.caller())));
        m.put("POST /v1/ipvsadm", new Route(Needs.BY_COMMAND, (a, r) -> a.ipvsadm(r.body(), r.caller())));
        m.put("GET /v1/snapshot", new Route(Needs.READ, (a, r) -> Response.json(200, JsonFormat.snapshot(
                a.director.loadBalancer().snapshot(), null, true, a.director.health().view()))));
        m.put("GET /v1/health", new Route(Needs.READ, (a, r) -> Response.json(200, org.jvs.director.health.HealthJson.of(a.director.health()))));
        m.put("GET /v1/connections", new Route(Needs.READ, (a, r) -> Response.json(200, JsonFormat.connections(a.director.loadBalancer().connections()))));
        m.put("GET /v1/feedback", new Route(Needs.READ, (a, r) -> Response.json(200, a.director.feedback().statusJson())));
        m.put("GET /v1/vrrp", new Route(Needs.READ, (a, r) -> Response.json(200, VrrpListing.json(a.director.failover().vrrpStatus()))));
        m.put("GET /v1/l7", new Route(Needs.READ, (a, r) -> L7Listing.response(a.director.httpPlane(), query(r))));
        m.put("GET /v1/defense", new Route(Needs.READ, (a, r) -> Response.json(200, PerSourceListing.defenseJson(a.director))));
        m.put("PUT /v1/defense", new Route(Needs.WRITE, (a, r) -> a.defense(r.body(), r.caller())));
        m.put("POST /v1/servers/quiesce", new Route(Needs.WRITE, (a, r) -> badInput(() -> a.director.serverOps().quiesce(r.body(), r.caller()))));
        m.put("POST /v1/servers/restore", new Route(Needs.WRITE, (a, r) -> badInput(() -> a.director.serverOps().restore(r.body(), r.caller()))));
        m.put("POST /v1/servers/weight", new Route(Needs.WRITE, (a, r) -> badInput(() -> a.director.serverOps().weight(r.body(), r.caller()))));
        m.put("POST /v1/servers/drain", new Route(Needs.WRITE, (a, r) -> badInput(() -> a.director.serverOps().drain(r.body(), r.caller()))));
        m.put("GET /v1/openapi.json", new Route(Needs.READ, (a, r) -> Response.json(200, OpenApi.document())));
        return java.util.Collections.unmodifiableMap(m);
    }

    /** {@code "METHOD /path"} of every route, for the OpenAPI test. */
    static java.util.Set<String> routeNames() {
        return ROUTES.keySet();
    }

    @Override
    public Response handle(Request r) {
        int q = r.path().indexOf('?');
        String path = q < 0 ? r.path() : r.path().substring(0, q);
        String name = r.method() + " " + path;
        Route route = ROUTES.get(name);
        if (route == null) {
            boolean otherMethod = ROUTES.keySet().stream().anyMatch(k -> k.endsWith(" " + path));
            return otherMethod ? Response.error(405, "no route " + name + "; " + path + " takes " + methods(path))
                    : path.startsWith("/v1/") ? Response.error(404, "no route " + name + " (see docs/api.md)")
                    : Response.error(404, "the control API lives under /v1/");
        }
        if (route.needs() == Needs.WRITE && !r.caller().readWrite()) {
            return refusedReadOnly(r.caller(), name);
        }
        try {
            return route.handler().apply(this, r);
        } catch (ConfigException e) {
            return Response.error(422, e.getMessage());
        }
    }

    /** A body that is not the JSON a route expects answers 400 with what was expected. */
    private static Response badInput(java.util.function.Supplier<Response> route) {
        try {
            return route.get();
        } catch (IllegalArgumentException e) {
            return Response.error(400, e.getMessage());
        }
    }

    private static String methods(String path) {
        return ROUTES.keySet().stream().filter(k -> k.endsWith(" " + path)).map(k -> k.substring(0, k.indexOf(' ')))
                .collect(Collectors.joining(", "));
    }

    private static String query(Request r) {
        int q = r.path().indexOf('?');
        return q < 0 ? "" : r.path().substring(q + 1);
    }

    private static Response refusedReadOnly(org.jvs.director.api.Caller caller, String what) {
        audit(caller, "refused (read-only): " + what);
        return Response.error(403, caller.name() + " is read-only: " + what + " changes the director");
    }

    /** One line in the director's log for every change made, or refused for want of access, with who asked. */
    static void audit(org.jvs.director.api.Caller caller, String what) {
        System.getLogger("org.jvs.director.audit").log(System.Logger.Level.INFO, "change by " + caller.name() + ": " + what);
    }

    private Response status() {
        var lb = director.loadBalancer();
        String engines = director.planes().stream().map(p -> Json.quote(p.name())).collect(Collectors.joining(","));
        return Response.json(200, "{\"version\":" + Json.quote(Version.VERSION)
                + ",\"uptime_ms\":" + director.uptimeMillis()
                + ",\"config\":" + Json.quote(director.configFile().toString())
                + ",\"services\":" + lb.services().size()
                + ",\"connections\":" + (lb.connTable(false).size() + lb.connTable(true).size())
                + ",\"engines\":[" + engines + "]}");
    }

    /**
     * {@code {"argv": [...], "stdin": "..."}} -> {@code {"exit": n, "stdout": "...", "stderr": "..."}}: one
     * ipvsadm command line, exactly as jvsadm was given it. Exit 0 done, 1 refused by the balancer (nothing
     * changed), 2 bad command line.
     */
    private Response ipvsadm(String body, org.jvs.director.api.Caller caller) {
        List<String> argv = new ArrayList<>();
        String stdin = "";
        try {
            if (!(Json.parse(body) instanceof Map<?, ?> m) || !(m.get("argv") instanceof List<?> a)) {
                return Response.error(400, "expected {\"argv\": [\"-L\", \"-n\"]}");
            }
            for (Object o : a) {
                if (!(o instanceof String str)) {
                    return Response.error(400, "argv must be a list of strings");
                }
                argv.add(str);
            }
            if (m.get("stdin") instanceof String in) {
                stdin = in;
            }
        } catch (IllegalArgumentException e) {
            return Response.error(400, e.getMessage());
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int exit;
        String err = "";
        IpvsadmCommand parsed = null;
        try {
            IpvsadmCommand cmd = IpvsadmParser.parse(argv);
            parsed = cmd;
            if (cmd instanceof IpvsadmCommand.Restore r) {
                cmd = r.withInput(stdin);
            }
            EngineCheck.check(cmd, director.runsPacketEngine()); // no packet: section, no packet-engine services
            EngineCheck.checkHttpEdit(cmd, k -> {
                var s = director.loadBalancer().service(k);
                return s == null ? null : s.spec().engine();
            }, k -> !director.httpSettings(k).rules().isEmpty());
            IpvsadmCommand run = cmd;
            if (!readOnly(cmd) && !caller.readWrite()) {
                return refusedReadOnly(caller, "jvsadm " + String.join(" ", argv));
            }
            if (readOnly(cmd)) {
                CommandExecutor.execute(director.loadBalancer(), run, out, director.health().view(), director.failover());
            } else {
                director.change(() -> {
                    CommandExecutor.execute(director.loadBalancer(), run, out, org.jvs.cli.HealthSource.NONE, director.failover());
                    followedByHealth(run);
                    return null;
                });
                audit(caller, "jvsadm " + String.join(" ", argv));
            }
            exit = 0;
        } catch (UsageException e) {
            exit = 2;
            err = "jvsadm: " + e.getMessage() + "\nTry `jvsadm -h' or 'jvsadm --help' for more information.\n";
        } catch (ConfigException e) {
            exit = 1;
            err = "jvsadm: " + e.getMessage() + "\n";
        }
        out.flush();
        String stdout = buf.toString(StandardCharsets.UTF_8);
        if (exit == 0 && parsed instanceof IpvsadmCommand.Defense d) { // the engines' per-source limits beside the core's defences
            // the command has run; its listing is the same with the engines' limits added
            stdout = d.json() ? PerSourceListing.defenseJson(director) + "\n" : stdout + PerSourceListing.text(director);
        }
        return Response.json(200, "{\"exit\":" + exit + ",\"stdout\":" + Json.quote(stdout)
                + ",\"stderr\":" + Json.quote(err) + "}");
    }

    /** Servers jvsadm adds get their service's health check; servers it deletes are no longer checked. */
    private void followedByHealth(IpvsadmCommand cmd) {
        switch (cmd) {
            case IpvsadmCommand.AddDest a -> director.health().addedByCommand(a.service(), a.dest());
            case IpvsadmCommand.DeleteDest d -> director.health().deletedByCommand(d.service(), d.address(), d.port());
            default -> {
            }
        }
    }

    private static boolean readOnly(IpvsadmCommand cmd) {
        return switch (cmd) {
            case IpvsadmCommand.List l -> true;
            case IpvsadmCommand.Save s -> true;
            case IpvsadmCommand.Where w -> true;
            case IpvsadmCommand.Help h -> true;
            case IpvsadmCommand.Version v -> true;
            case IpvsadmCommand.Defense d when d.setsNothing() -> true;
            default -> false;
        };
    }

    /**
     * {@code PUT /v1/defense} with any of {@code {"drop_entry": 0..3, "drop_packet": 0..3, "secure_tcp": 0..3,
     * "amemthresh": pages, "am_droprate": n}}: the same settings and checks as {@code jvsadm --defense}, all or
     * nothing; answers as {@code GET /v1/defense}.
     */
    private Response defense(String body, org.jvs.director.api.Caller caller) {
        List<String> argv = new ArrayList<>(List.of("--defense"));
        try {
            if (!(Json.parse(body) instanceof Map<?, ?> m) || m.isEmpty()) {
                return Response.error(400, "expected an object with some of drop_entry, drop_packet, secure_tcp, amemthresh,"
                        + " am_droprate, e.g. {\"drop_entry\": 1}");
            }
            for (var e : m.entrySet()) {
                if (!(e.getValue() instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                    return Response.error(400, e.getKey() + ": expected a whole number, not " + e.getValue());
                }
                argv.add(e.getKey() + "=" + n.longValue());
            }
            IpvsadmCommand cmd = IpvsadmParser.parse(argv);
            director.change(() -> {
                CommandExecutor.execute(director.loadBalancer(), cmd, new PrintStream(OutputStream.nullOutputStream()),
                        org.jvs.cli.HealthSource.NONE, director.failover());
                return null;
            });
            audit(caller, "jvsadm " + String.join(" ", argv));
        } catch (IllegalArgumentException | UsageException e) {
            return Response.error(400, e.getMessage());
        }
        return Response.json(200, PerSourceListing.defenseJson(director));
    }

    private Response reload(org.jvs.director.api.Caller caller) {
        var changes = director.reload();
        audit(caller, "reload (" + changes + ")");
        String lines = changes.lines().stream().map(Json::quote).collect(Collectors.joining(","));
        return Response.json(200, "{\"changes\":[" + lines + "]}");
    }
}
