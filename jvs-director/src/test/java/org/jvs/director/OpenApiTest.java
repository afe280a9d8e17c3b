package org.jvs.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.jvs.director.api.ControlClient;
import org.jvs.director.api.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document served at {@code /v1/openapi.json} stays true: it names exactly the routes the API has,
 * and every route, called with the document's own example, answers a status the document lists with a body
 * its schema accepts.
 */
class OpenApiTest {
    @TempDir
    Path dir;
    Director director;

    @AfterEach
    void stop() {
        if (director != null) {
            director.close();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    static Map<String, Object> document() {
        return map(Json.parse(OpenApi.document()));
    }

    @Test
    void theDocumentNamesEveryRouteAndNoOther() {
        TreeSet<String> documented = new TreeSet<>();
        for (var p : map(document().get("paths")).entrySet()) {
            for (String method : map(p.getValue()).keySet()) {
                documented.add(method.toUpperCase(Locale.ROOT) + " " + p.getKey());
            }
        }
        assertThat(documented).isEqualTo(new TreeSet<>(ControlApi.routeNames()));
        assertThat(document().get("openapi").toString()).startsWith("3.");
    }

    @Test
    void everyRouteAnswersWhatTheDocumentSays() throws Exception {
        Path cfg = dir.resolve("jvs.yaml");
        // a checked server (nothing listens on it: DOWN, with an event) so that /v1/health has something to describe
        Files.writeString(cfg, DirectorTest.CONFIG.replace("    scheduler: rr\n", "    scheduler: rr\n"
                + "    health_check: {type: tcp, delay_loop: 1s, connect_timeout: 1s, retry: 0, warmup: 0}\n")
                // an unchecked server for the examples of /v1/servers/*, which drain removes at the end
                + "  - {address: 127.0.0.1, port: 18090, real_servers: [{address: 127.0.0.1, port: 18091, method: nat}]}\n");
        director = new Director(cfg, List.of(), dir.resolve("jvs.sock"));
        ControlClient client = new ControlClient(dir.resolve("jvs.sock"));
        Map<String, Object> doc = document();
        List<String> checked = new ArrayList<>();
        long end = System.currentTimeMillis() + 10_000;
        while (!client.call("GET", "/v1/health", null).body().contains("\"event\"") && System.currentTimeMillis() < end) {
            Thread.sleep(100);
        }
        for (var p : map(doc.get("paths")).entrySet()) {
            for (var m : map(p.getValue()).entrySet()) {
                Map<String, Object> op = map(m.getValue());
                String body = null;
                if (op.get("requestBody") != null) {
                    Map<String, Object> content = map(map(map(op.get("requestBody")).get("content")).get("application/json"));
                    validate(doc, content.get("schema"), content.get("example"), "example of " + m.getKey() + " " + p.getKey());
                    body = toJson(content.get("example"));
                }
                var answer = client.call(m.getKey().toUpperCase(Locale.ROOT), p.getKey(), body);
                String where = m.getKey() + " " + p.getKey() + " -> " + answer.status();
                Map<String, Object> responses = map(op.get("responses"));
                assertThat(responses).as(where + " is not a documented status").containsKey(Integer.toString(answer.status()));
                assertThat(answer.status()).as(where + ": " + answer.body()).isEqualTo(200);
                Object schema = map(map(map(responses.get("200")).get("content")).get("application/json")).get("schema");
                validate(doc, schema, Json.parse(answer.body()), where);
                for (String status : responses.keySet()) {
                    if (!status.equals("200")) {
                        Object err = map(map(map(responses.get(status)).get("content")).get("application/json")).get("schema");
                        assertThat(map(err).get("$ref")).as(where + " " + status).isEqualTo("#/components/schemas/Error");
                    }
                }
                checked.add(where);
            }
        }
        assertThat(checked).hasSize(ControlApi.routeNames().size());
    }

    @Test
    void theValidatorRefusesWhatTheSchemaDoesNotAllow() {
        Map<String, Object> doc = document();
        Object status = Json.parse("{\"$ref\":\"#/components/schemas/Status\"}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> validate(doc, status, Json.parse("{\"version\":\"1\"}"), "x"))
                .hasMessageContaining("uptime_ms");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> validate(doc, status, Json.parse(
                "{\"version\":1,\"uptime_ms\":1,\"config\":\"c\",\"services\":1,\"connections\":0,\"engines\":[]}"), "x"))
                .hasMessageContaining("x.version");
    }

    static String toJson(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> Json.quote(s);
            case Map<?, ?> m -> m.entrySet().stream().map(e -> Json.quote(e.getKey().toString()) + ":" + toJson(e.getValue()))
                    .collect(java.util.stream.Collectors.joining(",", "{", "}"));
            case List<?> l -> l.stream().map(OpenApiTest::toJson).collect(java.util.stream.Collectors.joining(",", "[", "]"));
            default -> v.toString();
        };
    }

    /** The part of JSON Schema the document uses: $ref, type, nullable, enum, required, properties, items, additionalProperties. */
    static void validate(Map<String, Object> doc, Object schemaObj, Object value, String where) {
        Map<String, Object> schema = map(schemaObj);
        if (schema.get("$ref") instanceof String ref) {
            Object target = doc;
            for (String part : ref.substring(2).split("/")) {
                target = map(target).get(part);
            }
            assertThat(target).as(where + ": " + ref + " resolves").isNotNull();
            validate(doc, target, value, where);
            return;
        }
        if (value == null) {
            assertThat(schema.get("nullable")).as(where + " is null").isEqualTo(Boolean.TRUE);
            return;
        }
        if (schema.get("type") instanceof String type) {
            boolean ok = switch (type) {
                case "object" -> value instanceof Map;
                case "array" -> value instanceof List;
                case "string" -> value instanceof String;
                case "integer" -> value instanceof Long || value instanceof Integer;
                case "number" -> value instanceof Number;
                case "boolean" -> value instanceof Boolean;
                default -> throw new AssertionError(where + ": unknown type " + type);
            };
            assertThat(ok).as(where + " should be " + type + ", is " + value).isTrue();
        }
        if (schema.get("enum") instanceof List<?> allowed) {
            assertThat(allowed.contains(value)).as(where + ": " + value + " not in " + allowed).isTrue();
        }
        if (value instanceof Map<?, ?> object) {
            if (schema.get("required") instanceof List<?> required) {
                for (Object r : required) {
                    assertThat(object.containsKey(r)).as(where + " lacks " + r).isTrue();
                }
            }
            Map<String, Object> props = schema.get("properties") == null ? Map.of() : map(schema.get("properties"));
            for (var e : object.entrySet()) {
                Object sub = props.get(e.getKey());
                if (sub != null) {
                    validate(doc, sub, e.getValue(), where + "." + e.getKey());
                } else {
                    assertThat(schema.get("additionalProperties")).as(where + " has undocumented " + e.getKey()).isNotEqualTo(Boolean.FALSE);
                }
            }
        }
        if (value instanceof List<?> list && schema.get("items") != null) {
            for (int i = 0; i < list.size(); i++) {
                validate(doc, schema.get("items"), list.get(i), where + "[" + i + "]");
            }
        }
    }
}
