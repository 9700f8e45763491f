package org.switchboard.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Binds {@code routes}, part of {@link SpecBinder}: same error collection, same null-on-error rule. */
final class RouteBinder {
    /** The Synapse main process's upstream: the built-in table's last resort. */
    static final String DEFAULT_UPSTREAM = "main";
    static final String DEFAULT_LOCATION = "routes (default)";
    private static final String METHOD_EXPECTED = "expected an upper-case HTTP method such as GET";
    private static final String PREFIX_EXPECTED = "expected a path starting with /";
    private static final String NAME_EXPECTED =
            "expected a route name of letters, digits, '.', '_' and '-' (at most 64, not none)";
    private static final Pattern ROUTE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Errors errors;
    /** Null or empty when upstreams could not be read: that is reported already, so skip the checks. */
    private final Set<String> upstreamNames;

    private final Map<String, String> roles;
    /** Every upstream a route names, valid or not, so an upstream is not also reported as unused. */
    private final Set<String> upstreamsNamed = new LinkedHashSet<>();
    /** Each route name given, with where it was first given. */
    private final Map<String, String> routeNames = new HashMap<>();

    RouteBinder(Errors errors, Set<String> upstreamNames, Map<String, String> roles) {
        this.errors = errors;
        this.upstreamNames = upstreamNames;
        this.roles = roles;
    }

    List<RouteEntrySpec> routes(Node node) {
        if (node.isAbsent()) {
            return checkMainForPreset(node, List.of(PresetSpec.synapse(DEFAULT_LOCATION)));
        }
        List<Node> items = node.list("expected a list of routes");
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            node.fail("an empty list", "expected at least one route; omit routes for the built-in Synapse table");
            return null;
        }
        List<RouteEntrySpec> routes = new ArrayList<>();
        for (Node item : items) {
            RouteEntrySpec route = item.isMap() && !item.field("preset").isAbsent() ? preset(item) : route(item);
            if (route != null) {
                routes.add(route);
            }
        }
        return checkMainForPreset(node, routes);
    }

    /**
     * The Synapse table sends unmatched requests, and roles without an upstream of their own, to
     * the main process: it must be there.
     */
    private List<RouteEntrySpec> checkMainForPreset(Node node, List<RouteEntrySpec> routes) {
        boolean usesPreset = routes.stream().anyMatch(PresetSpec.class::isInstance);
        String main = roles.getOrDefault(DEFAULT_UPSTREAM, DEFAULT_UPSTREAM);
        if (usesPreset && canCheckUpstreams() && !upstreamNames.contains(main)) {
            node.fail(node.isAbsent() ? "omitted, so the built-in Synapse table" : "the synapse preset",
                    "expected an upstream named " + main + " for the Synapse main process: unmatched requests "
                            + "and roles without an upstream of their own go there");
            return null;
        }
        return routes;
    }

    private PresetSpec preset(Node node) {
        if (!node.expectMap("preset", "host")) {
            return null;
        }
        Node hostNode = node.field("host");
        String host = host(hostNode);
        if (!hostNode.isAbsent() && host == null) {
            return null;
        }
        Node name = node.field("preset");
        String text = name.string("expected a preset name: " + PresetSpec.SYNAPSE);
        if (text != null && !text.equals(PresetSpec.SYNAPSE)) {
            name.fail("expected a preset name: " + PresetSpec.SYNAPSE);
            return null;
        }
        return text == null ? null : new PresetSpec(node.location(), text, host);
    }

    private RouteSpec route(Node node) {
        int mark = errors.count();
        if (!node.expectMap("name", "path", "methods", "host", "upstream", "respond", "hashKey", "maxBody", "websocket",
                "allow", "rateLimit", "stripPrefix")) {
            return null;
        }
        String name = name(node.field("name"));
        PathMatchSpec path = path(node.field("path"));
        Set<String> methods = methods(node.field("methods"));
        String host = host(node.field("host"));
        Node upstreamNode = node.field("upstream");
        Node respondNode = node.field("respond");
        String upstream = null;
        RespondSpec respond = null;
        if (!upstreamNode.isAbsent() && !respondNode.isAbsent()) {
            respondNode.fail("expected either upstream or respond, not both");
        } else if (!respondNode.isAbsent()) {
            respond = RouteActionBinder.respond(respondNode, errors);
        } else {
            upstream = upstream(upstreamNode);
        }
        String hashKey = hashKey(node.field("hashKey"));
        Node maxBodyNode = node.field("maxBody");
        Long maxBody = maxBodyNode.isAbsent() ? null : maxBodyNode.size(0, 1L << 40);
        Node webSocketNode = node.field("websocket");
        Boolean webSocket = webSocketNode.isAbsent() ? Boolean.FALSE : webSocketNode.bool();
        List<Cidr> allow = RouteActionBinder.allow(node.field("allow"));
        RateLimitSpec rateLimit = RouteActionBinder.rateLimit(node.field("rateLimit"), errors);
        boolean stripPrefix = stripPrefix(node.field("stripPrefix"), path, respond != null);
        return errors.noneSince(mark) ? new RouteSpec(name != null ? name : node.location(), host, methods, path, upstream,
                hashKey, maxBody,
                webSocket, allow, rateLimit, respond, stripPrefix) : null;
    }

    /**
     * A route's own name for its metrics and log lines, in place of its position ({@code routes[3]}),
     * which moves whenever a route is added above it. No {@code /} or {@code [}: the built-in
     * table's names and the positions cannot be taken; {@code none} is a request no route matched.
     */
    private String name(Node node) {
        if (node.isAbsent()) {
            return null;
        }
        String name = node.string(NAME_EXPECTED);
        if (name == null) {
            return null;
        }
        if (!ROUTE_NAME.matcher(name).matches() || name.equals("none")) {
            node.fail(Node.describe(name), NAME_EXPECTED);
            return null;
        }
        String first = routeNames.putIfAbsent(name, node.location());
        if (first != null) {
            node.fail(Node.describe(name), "expected a name no other route has; " + first + " has it");
            return null;
        }
        return name;
    }

    /** Only a prefix route that forwards has a prefix to take away. */
    private static boolean stripPrefix(Node node, PathMatchSpec path, boolean responds) {
        if (node.isAbsent()) {
            return false;
        }
        Boolean strip = node.bool();
        if (Boolean.TRUE.equals(strip) && path != null && path.kind() != PathMatchSpec.Kind.PREFIX) {
            node.fail("expected stripPrefix only on a route with path: {prefix: ...}");
            return false;
        }
        if (Boolean.TRUE.equals(strip) && responds) {
            node.fail("expected stripPrefix only on a route with an upstream");
            return false;
        }
        return Boolean.TRUE.equals(strip);
    }

    /** {@code user}, {@code token}, {@code room}, {@code source} or {@code header:<name>}. */
    static String hashKey(Node node) {
        if (node.isAbsent()) {
            return null;
        }
        String expected = "expected one of: user, token, room, source, header:<name>";
        String key = node.string(expected);
        if (key == null) {
            return null;
        }
        boolean header = key.startsWith("header:") && key.length() > "header:".length()
                && key.substring("header:".length()).chars().allMatch(RouteBinder::isTokenChar);
        if (!header && !List.of("user", "token", "room", "source").contains(key)) {
            node.fail(expected);
            return null;
        }
        return key;
    }

    private static boolean isTokenChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private PathMatchSpec path(Node node) {
        if (!node.expectMap("prefix", "regex")) {
            return null;
        }
        Node prefix = node.field("prefix");
        Node regex = node.field("regex");
        if (prefix.isAbsent() == regex.isAbsent()) {
            node.fail(prefix.isAbsent() ? "neither prefix nor regex" : "both prefix and regex",
                    "expected exactly one of: prefix, regex");
            return null;
        }
        return prefix.isAbsent() ? regex(regex) : prefix(prefix);
    }

    private static PathMatchSpec prefix(Node node) {
        String prefix = node.string(PREFIX_EXPECTED);
        if (prefix == null) {
            return null;
        }
        if (!prefix.startsWith("/")) {
            node.fail(PREFIX_EXPECTED);
            return null;
        }
        return PathMatchSpec.prefix(prefix);
    }

    private static PathMatchSpec regex(Node node) {
        String regex = node.string("expected a regular expression");
        if (regex == null) {
            return null;
        }
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            String where = e.getIndex() >= 0 ? " near index " + e.getIndex() : "";
            node.fail("expected a valid regular expression: " + e.getDescription() + where);
            return null;
        }
        return PathMatchSpec.regex(regex);
    }

    private static Set<String> methods(Node node) {
        if (node.isAbsent()) {
            return Set.of();
        }
        List<Node> items = node.list("expected a list of HTTP methods");
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            // An empty list reads as "no method", yet would match every method: refuse the ambiguity.
            node.fail("an empty list", "expected at least one method; omit methods to match any");
            return null;
        }
        Set<String> methods = new LinkedHashSet<>();
        for (Node item : items) {
            String method = item.string(METHOD_EXPECTED);
            if (method != null && !isUpperCaseToken(method)) {
                item.fail(METHOD_EXPECTED);
            } else if (method != null) {
                methods.add(method);
            }
        }
        return methods;
    }

    private static boolean isUpperCaseToken(String text) {
        return !text.isEmpty() && text.chars().allMatch(c -> c >= 'A' && c <= 'Z');
    }

    static final String HOST_EXPECTED = "expected a host name such as matrix.example.org or *.example.org";

    /** A host name, an IP literal ({@code [::1]} for IPv6) or {@code *.} and a domain; lower case. */
    static String host(Node node) {
        if (node.isAbsent()) {
            return null;
        }
        String host = node.string(HOST_EXPECTED);
        if (host != null && !isHostPattern(host)) {
            node.fail(HOST_EXPECTED);
            return null;
        }
        if (host == null) {
            return null;
        }
        // An IPv6 literal is compared without its brackets, as the Host header's is.
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return bare.toLowerCase(Locale.ROOT);
    }

    /** Whether a route's host ({@code *.example.com} included) covers a host name. */
    static boolean covers(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            String suffix = pattern.substring(1);
            return host.length() > suffix.length() && host.endsWith(suffix);
        }
        return pattern.equals(host);
    }

    static boolean isHostPattern(String host) {
        if (host.startsWith("*.")) {
            return WellKnownBinder.isHost(host.substring(2));
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            return Cidr.IpLiterals.parse(host.substring(1, host.length() - 1)) != null;
        }
        return WellKnownBinder.isHost(host);
    }

    private String upstream(Node node) {
        String name = node.string("expected the name of an upstream");
        if (name != null) {
            upstreamsNamed.add(name);
        }
        if (name == null || !canCheckUpstreams()) {
            return name;
        }
        if (!upstreamNames.contains(name)) {
            node.fail("expected one of: " + String.join(", ", upstreamNames));
            return null;
        }
        return name;
    }

    Set<String> upstreamsNamed() {
        return upstreamsNamed;
    }

    private boolean canCheckUpstreams() {
        return upstreamNames != null && !upstreamNames.isEmpty();
    }
}
