package org.switchboard.config;

import java.util.List;
import java.util.Set;

/**
 * One route of the ordered route table.
 *
 * @param location    the route's name: its {@code name} if given, else where it was written
 *                    ({@code routes[3]}); its metric tag and log name, and what later messages call it
 * @param host        the Host to match (case-insensitive, port ignored), or null for any
 * @param methods     upper-case methods to match, empty for any
 * @param path        the path matcher
 * @param upstream    the upstream it names, or null when it {@code respond}s itself
 * @param hashKey     what a ring-hash upstream hashes for this route ({@code user}, {@code token},
 *                    {@code room}, {@code source}, {@code header:<name>}), or null for the default
 * @param maxBody     the largest request body in bytes (413 beyond), or null for {@code limits.requestBody}
 * @param webSocket   {@code Upgrade: websocket} requests are tunnelled here (refused with 400 elsewhere)
 * @param allow       the client addresses admitted (403 for others), or null for every address
 * @param rateLimit   the per-client-address rate limit (429 beyond), or null for none
 * @param respond     the fixed answer given instead of forwarding, or null to forward
 * @param stripPrefix a prefix route only: the upstream sees the path without the prefix
 */
public record RouteSpec(String location, String host, Set<String> methods, PathMatchSpec path, String upstream,
                        String hashKey, Long maxBody, boolean webSocket, List<Cidr> allow, RateLimitSpec rateLimit,
                        RespondSpec respond, boolean stripPrefix) implements RouteEntrySpec {
    public RouteSpec {
        methods = Set.copyOf(methods);
        allow = allow == null ? null : List.copyOf(allow);
    }

    public RouteSpec(String location, String host, Set<String> methods, PathMatchSpec path, String upstream,
                     String hashKey, Long maxBody, boolean webSocket) {
        this(location, host, methods, path, upstream, hashKey, maxBody, webSocket, null, null, null, false);
    }

    public RouteSpec(String location, String host, Set<String> methods, PathMatchSpec path, String upstream,
                     String hashKey, Long maxBody) {
        this(location, host, methods, path, upstream, hashKey, maxBody, false);
    }

    public static RouteSpec of(PathMatchSpec path, String upstream) {
        return new RouteSpec("routes[?]", null, Set.of(), path, upstream, null, null, false);
    }

    public RouteSpec withMethods(Set<String> newMethods) {
        return new RouteSpec(location, host, newMethods, path, upstream, hashKey, maxBody, webSocket, allow, rateLimit,
                respond, stripPrefix);
    }

    public RouteSpec withHost(String newHost) {
        return new RouteSpec(location, newHost, methods, path, upstream, hashKey, maxBody, webSocket, allow, rateLimit,
                respond, stripPrefix);
    }

    public RouteSpec withHashKey(String newHashKey) {
        return new RouteSpec(location, host, methods, path, upstream, newHashKey, maxBody, webSocket, allow, rateLimit,
                respond, stripPrefix);
    }

    public RouteSpec withAllow(List<Cidr> newAllow) {
        return new RouteSpec(location, host, methods, path, upstream, hashKey, maxBody, webSocket, newAllow, rateLimit,
                respond, stripPrefix);
    }

    public RouteSpec withRateLimit(RateLimitSpec newRateLimit) {
        return new RouteSpec(location, host, methods, path, upstream, hashKey, maxBody, webSocket, allow, newRateLimit,
                respond, stripPrefix);
    }

    public RouteSpec withRespond(RespondSpec newRespond) {
        return new RouteSpec(location, host, methods, path, null, hashKey, maxBody, webSocket, allow, rateLimit,
                newRespond, stripPrefix);
    }

    public RouteSpec withStripPrefix(boolean strip) {
        return new RouteSpec(location, host, methods, path, upstream, hashKey, maxBody, webSocket, allow, rateLimit,
                respond, strip);
    }
}
