package org.switchboard.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Binds {@code routes}, part of {@link SpecBinder}: same error collection, same null-on-error rule. */
final class RouteBinder {
    /** Without a routes list, everything goes here: the single-Synapse setup needs no routes. */
    static final String DEFAULT_UPSTREAM = "main";
    static final String DEFAULT_LOCATION = "routes (default)";
    private static final String METHOD_EXPECTED = "expected an upper-case HTTP method such as GET";
    private static final String PREFIX_EXPECTED = "expected a path starting with /";

    private final Errors errors;
    /** Null or empty when upstreams could not be read: that is reported already, so skip the checks. */
    private final Set<String> upstreamNames;

    RouteBinder(Errors errors, Set<String> upstreamNames) {
        this.errors = errors;
        this.upstreamNames = upstreamNames;
    }

    List<RouteSpec> routes(Node node) {
        if (node.isAbsent()) {
            return defaultRoutes(node);
        }
        List<Node> items = node.list("expected a list of routes");
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            node.fail("an empty list", "expected at least one route; omit routes to send everything to upstream "
                    + DEFAULT_UPSTREAM);
            return null;
        }
        List<RouteSpec> routes = new ArrayList<>();
        for (Node item : items) {
            RouteSpec route = route(item);
            if (route != null) {
                routes.add(route);
            }
        }
        return routes;
    }

    private List<RouteSpec> defaultRoutes(Node node) {
        if (canCheckUpstreams() && !upstreamNames.contains(DEFAULT_UPSTREAM)) {
            node.fail("expected a list of routes, or an upstream named " + DEFAULT_UPSTREAM
                    + " to take every request");
            return null;
        }
        PathMatchSpec everything = PathMatchSpec.prefix("/");
        return List.of(new RouteSpec(DEFAULT_LOCATION, null, Set.of(), everything, DEFAULT_UPSTREAM));
    }

    private RouteSpec route(Node node) {
        int mark = errors.count();
        if (!node.expectMap("path", "methods", "host", "upstream")) {
            return null;
        }
        PathMatchSpec path = path(node.field("path"));
        Set<String> methods = methods(node.field("methods"));
        String host = host(node.field("host"));
        String upstream = upstream(node.field("upstream"));
        return errors.noneSince(mark) ? new RouteSpec(node.location(), host, methods, path, upstream) : null;
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

    private static String host(Node node) {
        if (node.isAbsent()) {
            return null;
        }
        String host = node.string("expected a host name such as matrix.example.org");
        if (host != null && host.isEmpty()) {
            node.fail("expected a host name such as matrix.example.org");
            return null;
        }
        return host;
    }

    private String upstream(Node node) {
        String name = node.string("expected the name of an upstream");
        if (name == null || !canCheckUpstreams()) {
            return name;
        }
        if (!upstreamNames.contains(name)) {
            node.fail("expected one of: " + String.join(", ", upstreamNames));
            return null;
        }
        return name;
    }

    private boolean canCheckUpstreams() {
        return upstreamNames != null && !upstreamNames.isEmpty();
    }
}
