package org.switchboard.routing;

import java.util.Locale;
import java.util.Set;
import org.switchboard.config.LoadBalancerKind;

/**
 * A compiled route: host, methods and path, naming an upstream.
 *
 * @param name             where it came from ({@code routes[2]}, {@code synapse/typing}); the
 *                         metric tag and log name
 * @param host             lower-case host to match without port, or null for any
 * @param methods          methods to match, empty for any
 * @param hashKeyName      the configured hash key, for people ({@code user}, {@code room}, ...)
 * @param sticky           the hash key was chosen for this route: it sticks to the key even on an
 *                         upstream that balances otherwise
 * @param maxBodyBytes     the largest request body forwarded (413 beyond)
 * @param initialSyncOnly  matches only initial syncs: {@code /sync} without {@code since} or with
 *                         {@code full_state=true}, and the {@code /initialSync} endpoints
 */
public record Route(String name, String host, Set<String> methods, PathMatcher path, Upstream upstream,
                    HashKeyExtractor hashKey, String hashKeyName, boolean sticky, boolean initialSyncOnly,
                    long maxBodyBytes) {

    public Route {
        methods = Set.copyOf(methods);
        host = host == null ? null : host.toLowerCase(Locale.ROOT);
    }

    public static Route of(String name, PathMatcher path, Upstream upstream, long maxBodyBytes) {
        return new Route(name, null, Set.of(), path, upstream, HashKeys.USER, "user", false, false, maxBodyBytes);
    }

    public boolean matches(RequestView request) {
        return (methods.isEmpty() || methods.contains(request.method()))
                && path.matches(request.path())
                && (host == null || hostMatches(request.host()))
                && (!initialSyncOnly || isInitialSync(request));
    }

    public Endpoint pick(RequestView request) {
        LoadBalancer balancer = sticky && upstream.loadBalancerKind() != LoadBalancerKind.RING_HASH
                ? upstream.affinity() : upstream.loadBalancer();
        return balancer.pick(request, hashKey);
    }

    /** Whether this route's hash key decides the endpoint. */
    public boolean hashes() {
        return sticky || upstream.loadBalancerKind() == LoadBalancerKind.RING_HASH;
    }

    static boolean isInitialSync(RequestView request) {
        if (request.path().endsWith("/initialSync")) {
            return true;
        }
        String query = request.query();
        if (query == null) {
            return true;
        }
        String since = QueryParams.rawValue(query, "since");
        return since == null || since.isEmpty() || "true".equals(QueryParams.rawValue(query, "full_state"));
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
