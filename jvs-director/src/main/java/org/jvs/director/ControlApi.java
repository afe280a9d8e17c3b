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

    @Override
    public Response handle(Request r) {
        int q = r.path().indexOf('?');
        String path = q < 0 ? r.path() : r.path().substring(0, q);
        String query = q < 0 ? "" : r.path().substring(q + 1);
        String route = r.method() + " " + path;
        try {
            return switch (route) {
                case "GET /v1/status" -> status();
                case "POST /v1/reload" -> reload();
                case "POST /v1/ipvsadm" -> ipvsadm(r.body());
                case "GET /v1/snapshot" -> Response.json(200, JsonFormat.snapshot(director.loadBalancer().snapshot(), null, true, director.health().view()));
                case "GET /v1/health" -> Response.json(200, org.jvs.director.health.HealthJson.of(director.health()));
                case "GET /v1/connections" -> Response.json(200, JsonFormat.connections(director.loadBalancer().connections()));
                case "GET /v1/feedback" -> Response.json(200, director.feedback().statusJson());
                case "GET /v1/vrrp" -> Response.json(200, VrrpListing.json(director.failover().vrrpStatus()));
                case "GET /v1/l7" -> L7Listing.response(director.httpPlane(), query);
                case "GET /v1/defense" -> Response.json(200, PerSourceListing.json(director, JsonFormat.defense(director.loadBalancer())));
                case "PUT /v1/defense" -> defense(r.body());
                default -> path.startsWith("/v1/")
                        ? Response.error(404, "no route " + route + " (see docs/api.md)")
                        : Response.error(404, "the control API lives under /v1/");
            };
        } catch (ConfigException e) {
            return Response.error(422, e.getMessage());
        }
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
    private Response ipvsadm(String body) {
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
            if (readOnly(cmd)) {
                CommandExecutor.execute(director.loadBalancer(), run, out, director.health().view(), director.failover());
            } else {
                director.change(() -> {
                    CommandExecutor.execute(director.loadBalancer(), run, out, org.jvs.cli.HealthSource.NONE, director.failover());
                    followedByHealth(run);
                    return null;
                });
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
            stdout = d.json() ? PerSourceListing.json(director, stdout) + "\n" : stdout + PerSourceListing.text(director);
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
    private Response defense(String body) {
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
        } catch (IllegalArgumentException | UsageException e) {
            return Response.error(400, e.getMessage());
        }
        return Response.json(200, PerSourceListing.json(director, JsonFormat.defense(director.loadBalancer())));
    }

    private Response reload() {
        var changes = director.reload();
        String lines = changes.lines().stream().map(Json::quote).collect(Collectors.joining(","));
        return Response.json(200, "{\"changes\":[" + lines + "]}");
    }
}
