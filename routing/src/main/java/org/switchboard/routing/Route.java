package org.switchboard.routing;

import java.util.List;
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
 * @param fallbacks        upstreams to use, in order, when none of {@code upstream}'s endpoints
 *                         is available (a Synapse role's fallback to main)
 * @param panicWhenAllDown with nothing available anywhere, use the whole upstream anyway rather
 *                         than refuse everyone (own routes); the built-in table answers 503
 * @param initialSyncOnly  matches only initial syncs: {@code /sync} without {@code since} or with
 *                         {@code full_state=true}, and the {@code /initialSync} endpoints
 * @param webSocket        {@code Upgrade: websocket} requests are tunnelled (400 on other routes)
 * @param actions          allow-list, rate limit, fixed answer, prefix stripping ({@link RouteActions#NONE})
 */
public record Route(String name, String host, Set<String> methods, PathMatcher path, Upstream upstream,
                    HashKeyExtractor hashKey, String hashKeyName, boolean sticky, boolean initialSyncOnly,
                    long maxBodyBytes, List<Upstream> fallbacks, boolean panicWhenAllDown, boolean webSocket,
                    RouteActions actions) {

    public Route {
        methods = Set.copyOf(methods);
        fallbacks = List.copyOf(fallbacks);
        host = host == null ? null : host.toLowerCase(Locale.ROOT);
        actions = actions == null ? RouteActions.NONE : actions;
    }

    public Route(String name, String host, Set<String> methods, PathMatcher path, Upstream upstream,
                 HashKeyExtractor hashKey, String hashKeyName, boolean sticky, boolean initialSyncOnly,
                 long maxBodyBytes, List<Upstream> fallbacks, boolean panicWhenAllDown, boolean webSocket) {
        this(name, host, methods, path, upstream, hashKey, hashKeyName, sticky, initialSyncOnly, maxBodyBytes, fallbacks,
                panicWhenAllDown, webSocket, RouteActions.NONE);
    }

    public static Route of(String name, PathMatcher path, Upstream upstream, long maxBodyBytes) {
        return new Route(name, null, Set.of(), path, upstream, HashKeys.USER, "user", false, false, maxBodyBytes,
                List.of(), true, false);
    }

    /** A route answered by the proxy itself: no upstream. */
    public static Route responding(String name, String host, Set<String> methods, PathMatcher path,
                                   RouteActions actions) {
        return new Route(name, host, methods, path, null, HashKeys.USER, "user", false, false, Long.MAX_VALUE, List.of(),
                false, false, actions);
    }

    public Route withFallbacks(List<Upstream> newFallbacks, boolean panic) {
        return new Route(name, host, methods, path, upstream, hashKey, hashKeyName, sticky, initialSyncOnly,
                maxBodyBytes, newFallbacks, panic, webSocket, actions);
    }

    /** Whether the proxy answers this route itself instead of forwarding. */
    public boolean responds() {
        return actions.respond() != null;
    }

    /** The upstream tag of a route the proxy answers itself. */
    public static final String LOCAL = "local";

    /** The upstream's name, or {@link #LOCAL} for a route the proxy answers itself (a metric tag). */
    public String upstreamName() {
        return upstream == null ? LOCAL : upstream.name();
    }

    /**
     * Whether the request's method and path (and initial-sync condition) fit. The host is not
     * looked at: {@link VirtualHosts} chose this route's table by the request's Host already (or
     * the table a default host lends to hosts no route names).
     */
    public boolean matches(RequestView request) {
        return (methods.isEmpty() || methods.contains(request.method()))
                && path.matches(request.path())
                && (!initialSyncOnly || isInitialSync(request));
    }

    public Endpoint pick(RequestView request) {
        return pick(request, List.of());
    }

    /**
     * An available endpoint of the upstream, else of the first fallback with one; else, where
     * allowed, any endpoint of the upstream (panic); else null (503). {@code avoid}: endpoints a
     * retry must not return to.
     */
    public Endpoint pick(RequestView request, List<Endpoint> avoid) {
        Eligibility healthy = Eligibility.healthyExcept(avoid);
        Endpoint endpoint = balancerOf(upstream).pick(request, hashKey, healthy);
        for (int i = 0; endpoint == null && i < fallbacks.size(); i++) {
            endpoint = balancerOf(fallbacks.get(i)).pick(request, hashKey, healthy);
        }
        if (endpoint == null && panicWhenAllDown) {
            endpoint = balancerOf(upstream).pick(request, hashKey, Eligibility.anyExcept(avoid));
        }
        return endpoint;
    }

    private LoadBalancer balancerOf(Upstream target) {
        return sticky && target.loadBalancerKind() != LoadBalancerKind.RING_HASH ? target.affinity() : target.loadBalancer();
    }

    /** Whether this route's hash key decides the endpoint. */
    public boolean hashes() {
        return upstream != null && (sticky || upstream.loadBalancerKind() == LoadBalancerKind.RING_HASH);
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

}
