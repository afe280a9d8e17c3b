package org.jvs.director;

import java.util.stream.Collectors;
import org.jvs.core.model.ConfigException;
import org.jvs.director.api.ControlServer.Request;
import org.jvs.director.api.ControlServer.Response;
import org.jvs.director.api.ControlServer;
import org.jvs.director.api.Json;

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
        String route = r.method() + " " + r.path();
        try {
            return switch (route) {
                case "GET /v1/status" -> status();
                case "POST /v1/reload" -> reload();
                default -> r.path().startsWith("/v1/")
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

    private Response reload() {
        var changes = director.reload();
        String lines = changes.lines().stream().map(Json::quote).collect(Collectors.joining(","));
        return Response.json(200, "{\"changes\":[" + lines + "]}");
    }
}
