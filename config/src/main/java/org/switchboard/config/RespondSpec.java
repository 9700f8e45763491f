package org.switchboard.config;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fixed answer given by the proxy itself instead of an upstream ({@code respond:} on a route,
 * and the Matrix well-known documents). The body is turned into bytes once, when the config is
 * read.
 *
 * @param status      the status code, 200-599
 * @param contentType the Content-Type header
 * @param headers     further header fields, in the order written
 * @param body        the body's bytes (UTF-8)
 */
public record RespondSpec(int status, String contentType, Map<String, String> headers, byte[] body) {
    public static final String JSON = "application/json";

    public RespondSpec {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        body = body.clone();
    }

    public static RespondSpec json(int status, String json, Map<String, String> headers) {
        return new RespondSpec(status, JSON, headers, json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public int bodyLength() {
        return body.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RespondSpec that && status == that.status && contentType.equals(that.contentType)
                && headers.equals(that.headers) && Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
        return (status * 31 + contentType.hashCode()) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "respond " + status + " " + contentType + " (" + body.length + " bytes)";
    }
}
