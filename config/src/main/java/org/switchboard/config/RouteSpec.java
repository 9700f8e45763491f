package org.switchboard.config;

import java.util.Set;

/**
 * One route of the ordered route table.
 *
 * @param location where it was written ({@code routes[3]}), for messages about it later
 * @param host     the Host to match (case-insensitive, port ignored), or null for any
 * @param methods  upper-case methods to match, empty for any
 * @param path     the path matcher
 * @param upstream the upstream it names
 * @param hashKey  what a ring-hash upstream hashes for this route ({@code user}, {@code token},
 *                 {@code room}, {@code source}, {@code header:<name>}), or null for the default
 * @param maxBody  the largest request body in bytes (413 beyond), or null for {@code limits.requestBody}
 * @param webSocket {@code Upgrade: websocket} requests are tunnelled here (refused with 400 elsewhere)
 */
public record RouteSpec(String location, String host, Set<String> methods, PathMatchSpec path, String upstream,
                        String hashKey, Long maxBody, boolean webSocket) implements RouteEntrySpec {
    public RouteSpec {
        methods = Set.copyOf(methods);
    }

    public static RouteSpec of(PathMatchSpec path, String upstream) {
        return new RouteSpec("routes[?]", null, Set.of(), path, upstream, null, null, false);
    }

    public RouteSpec withMethods(Set<String> newMethods) {
        return new RouteSpec(location, host, newMethods, path, upstream, hashKey, maxBody, webSocket);
    }

    public RouteSpec withHost(String newHost) {
        return new RouteSpec(location, newHost, methods, path, upstream, hashKey, maxBody, webSocket);
    }

    public RouteSpec withHashKey(String newHashKey) {
        return new RouteSpec(location, host, methods, path, upstream, newHashKey, maxBody, webSocket);
    }
}
