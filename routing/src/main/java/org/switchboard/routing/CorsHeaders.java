package org.switchboard.routing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CORS headers the Matrix client-server API asks of every response ("Web Browser Clients":
 * any origin, the API's methods and headers). Synapse sets them on its own answers, errors
 * included; the proxy sets them on the answers it gives itself (its errors, 429s, the
 * well-known documents), or a browser client such as Element Web on another origin sees a
 * network error instead of an answer it can read and act on.
 */
public final class CorsHeaders {
    /** Name to value, in the order they are written. */
    public static final Map<String, String> HEADERS = headers();
    /** The same as HTTP/1 header lines, each ending in CRLF. */
    public static final String HTTP1_LINES = lines();

    private CorsHeaders() {
    }

    private static Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Access-Control-Allow-Origin", "*");
        headers.put("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
        headers.put("Access-Control-Allow-Headers", "X-Requested-With, Content-Type, Authorization");
        return Collections.unmodifiableMap(headers);
    }

    private static String lines() {
        StringBuilder lines = new StringBuilder();
        HEADERS.forEach((name, value) -> lines.append(name).append(": ").append(value).append("\r\n"));
        return lines.toString();
    }
}
