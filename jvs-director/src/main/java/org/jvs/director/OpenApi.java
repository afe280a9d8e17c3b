package org.jvs.director;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The control API's OpenAPI 3 document ({@code GET /v1/openapi.json}), written by hand beside the routes it
 * describes and kept true by {@code OpenApiTest}, which calls every route and checks each answer against it.
 */
final class OpenApi {
    private static final String DOCUMENT = read();

    private OpenApi() {
    }

    static String document() {
        return DOCUMENT;
    }

    private static String read() {
        try (InputStream in = OpenApi.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
