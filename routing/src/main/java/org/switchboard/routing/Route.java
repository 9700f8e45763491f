package org.switchboard.routing;

import java.util.Locale;
import java.util.Set;

/**
 * A compiled route: host, methods and path, naming an upstream.
 *
 * @param name    where it was configured ({@code routes[2]}); the metric tag and log name
 * @param host    lower-case host to match without port, or null for any
 * @param methods methods to match, empty for any
 */
public record Route(String name, String host, Set<String> methods, PathMatcher path, Upstream upstream) {

    public Route {
        methods = Set.copyOf(methods);
        host = host == null ? null : host.toLowerCase(Locale.ROOT);
    }

    public boolean matches(RequestView request) {
        return path.matches(request.path())
                && (methods.isEmpty() || methods.contains(request.method()))
                && (host == null || hostMatches(request.host()));
    }

    /** Compares a Host header with this route's host, ignoring case and any port. */
    private boolean hostMatches(String hostHeader) {
        if (hostHeader == null) {
            return false;
        }
        int end = hostHeader.length();
        if (hostHeader.startsWith("[")) {
            int close = hostHeader.indexOf(']');
            return close > 0 && hostHeader.regionMatches(true, 1, host, 0, close - 1) && host.length() == close - 1;
        }
        int colon = hostHeader.indexOf(':');
        if (colon >= 0) {
            end = colon;
        }
        return end == host.length() && hostHeader.regionMatches(true, 0, host, 0, end);
    }
}
