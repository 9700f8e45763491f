package org.switchboard.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.switchboard.config.PathMatchSpec;
import org.switchboard.config.RespondSpec;
import org.switchboard.config.WellKnownSpec;

/**
 * The Matrix well-known documents as routes the proxy answers itself, first in the table: GET
 * and HEAD get the JSON, OPTIONS (a browser's preflight) gets 204, anything else 405; all with
 * the CORS headers the client-server spec asks of well-known hosts ("Web Browser Clients"), set
 * once here so they are never doubled.
 */
final class WellKnownRoutes {
    private static final Map<String, String> CACHED = cached();

    private WellKnownRoutes() {
    }

    private static Map<String, String> cached() {
        Map<String, String> headers = new LinkedHashMap<>(CorsHeaders.HEADERS);
        // As the Element Server Suite sends them: an hour, and no guessing of the type.
        headers.put("Cache-Control", "public, max-age=3600");
        headers.put("X-Content-Type-Options", "nosniff");
        return headers;
    }

    static List<Route> of(WellKnownSpec spec) {
        List<Route> routes = new ArrayList<>();
        if (spec == null) {
            return routes;
        }
        add(routes, spec, "client", spec.client());
        add(routes, spec, "server", spec.server());
        add(routes, spec, "support", spec.support());
        return routes;
    }

    private static void add(List<Route> routes, WellKnownSpec spec, String document, String json) {
        if (json == null) {
            return;
        }
        PathMatcher path = PathMatcher.of(PathMatchSpec.regex(
                "^" + WellKnownSpec.PATH_PREFIX.replace(".", "\\.") + document + "$"));
        String name = "wellKnown/" + document;
        RespondSpec document200 = RespondSpec.json(200, json, CACHED);
        RespondSpec preflight = new RespondSpec(204, RespondSpec.JSON, CorsHeaders.HEADERS, new byte[0]);
        Map<String, String> allow = new LinkedHashMap<>(CorsHeaders.HEADERS);
        allow.put("Allow", "GET, HEAD, OPTIONS");
        allow.put("Cache-Control", "no-store"); // as every error the proxy answers itself
        RespondSpec notAllowed = new RespondSpec(405, RespondSpec.JSON, allow,
                "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Unrecognized request\"}".getBytes(StandardCharsets.US_ASCII));
        List<String> hosts = spec.hosts().isEmpty() ? Collections.singletonList(null) : spec.hosts();
        for (String host : hosts) {
            routes.add(Route.responding(name, host, Set.of("GET", "HEAD"), path, RouteActions.respond(document200)));
            routes.add(Route.responding(name, host, Set.of("OPTIONS"), path, RouteActions.respond(preflight)));
            routes.add(Route.responding(name, host, Set.of(), path, RouteActions.respond(notAllowed)));
        }
    }
}
