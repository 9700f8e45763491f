package org.switchboard.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.switchboard.config.EndpointSpec;
import org.switchboard.config.LoadBalancerKind;
import org.switchboard.config.PathMatchSpec;
import org.switchboard.config.PresetSpec;
import org.switchboard.config.RouteEntrySpec;
import org.switchboard.config.RouteSpec;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.SynapseVersion;
import org.switchboard.config.UpstreamSpec;

/**
 * The compiled, immutable routing state of one config: upstreams with their load balancers and
 * the route table, with {@code - preset: synapse} expanded in place and every role resolved to
 * an upstream. A request reads it once, at its start, and keeps it to the end.
 */
public final class RoutingSnapshot {
    private static final String MAIN = "main";
    private static final String PRESET_PREFIX = "synapse/";

    private final Map<String, Upstream> upstreams;
    private final RouteTable routeTable;
    /** Where unmatched requests go when the Synapse preset is used (main), else null (404). */
    private final Route unmatched;
    /** The tables by Host when a route names a host, else null: every request uses {@link #routeTable}. */
    private final VirtualHosts hosts;

    /** How many routes have a rate limit: each address's buckets have one slot per such route. */
    private final int rateLimitSlots;
    /** The Synapse release the built-in table follows. */
    private final FollowedSynapse followed;
    /** The built-in table's routes sent to main because the followed release's workers lack them, with the release that has them. */
    private final Map<Route, SynapseVersion> heldBack;

    private RoutingSnapshot(Map<String, Upstream> upstreams, RouteTable routeTable, Route unmatched, int rateLimitSlots,
                            VirtualHosts hosts, FollowedSynapse followed, Map<Route, SynapseVersion> heldBack) {
        this.upstreams = upstreams;
        this.routeTable = routeTable;
        this.unmatched = unmatched;
        this.rateLimitSlots = rateLimitSlots;
        this.hosts = hosts;
        this.followed = followed;
        this.heldBack = heldBack;
    }

    /** With the release a pinned {@code synapse.version} names; with auto, the table as of its own release. */
    public static RoutingSnapshot compile(SwitchboardSpec spec) {
        return compile(spec, SynapsePreset.builtIn(), TokenUsers.NONE, null, FollowedSynapse.of(spec));
    }

    /**
     * Compiles a validated spec; route upstreams must name configured upstreams.
     *
     * @param tokenUsers what the {@code user} hash key knows of tokens that name no user
     */
    public static RoutingSnapshot compile(SwitchboardSpec spec, SynapsePreset preset, TokenUsers tokenUsers) {
        return compile(spec, preset, tokenUsers, null, FollowedSynapse.of(spec));
    }

    /**
     * As {@link #compile(SwitchboardSpec, SynapsePreset, TokenUsers)}, carrying over from
     * {@code previous} the live state (in-flight count, availability) of every endpoint whose
     * identity did not change: same upstream, same id, same address.
     */
    public static RoutingSnapshot compile(SwitchboardSpec spec, SynapsePreset preset, TokenUsers tokenUsers,
                                          RoutingSnapshot previous) {
        return compile(spec, preset, tokenUsers, previous, FollowedSynapse.of(spec));
    }

    /**
     * As {@link #compile(SwitchboardSpec, SynapsePreset, TokenUsers, RoutingSnapshot)}, the built-in
     * table following {@code followed}: a route whose {@code since} is newer than that release
     * goes to main (its role's fallback) until a compile with a release that has it.
     */
    public static RoutingSnapshot compile(SwitchboardSpec spec, SynapsePreset preset, TokenUsers tokenUsers,
                                          RoutingSnapshot previous, FollowedSynapse followed) {
        Roles roles = new Roles(spec);
        Map<String, Upstream> upstreams = new LinkedHashMap<>();
        for (UpstreamSpec upstreamSpec : spec.upstreams().values()) {
            Upstream before = previous == null ? null : previous.upstreams.get(upstreamSpec.name());
            upstreams.put(upstreamSpec.name(), upstream(upstreamSpec, roles, before));
        }
        List<Route> routes = new ArrayList<>(WellKnownRoutes.of(spec.wellKnown()));
        boolean usesPreset = false;
        int rateLimitSlots = 0;
        Map<Route, SynapseVersion> heldBack = new IdentityHashMap<>();
        for (RouteEntrySpec entry : spec.routes()) {
            if (entry instanceof RouteSpec routeSpec) {
                int slot = routeSpec.rateLimit() == null ? -1 : rateLimitSlots++;
                routes.add(route(routeSpec, upstreams, tokenUsers, spec.limits().requestBody(), slot));
            } else if (entry instanceof PresetSpec presetSpec) {
                usesPreset = true;
                expandPreset(preset, roles, spec, upstreams, routes, tokenUsers, presetSpec.host(), followed.version(),
                        heldBack);
            }
        }
        Route unmatched = usesPreset
                ? Route.of("synapse/unmatched", PathMatcher.of(PathMatchSpec.prefix("/")), upstreams.get(roles.resolve(MAIN)),
                        spec.limits().requestBody()).withFallbacks(List.of(), false)
                : null;
        boolean namesHosts = routes.stream().anyMatch(route -> route.host() != null);
        VirtualHosts hosts = namesHosts
                ? VirtualHosts.of(routes, route -> route.name().startsWith(PRESET_PREFIX), unmatched, spec.defaultHost())
                : null;
        return new RoutingSnapshot(Collections.unmodifiableMap(upstreams), new RouteTable(routes), unmatched,
                rateLimitSlots, hosts, followed, Collections.unmodifiableMap(heldBack));
    }

    private static EndpointLoad carriedLoad(Upstream before, EndpointSpec endpointSpec) {
        if (before != null) {
            for (Endpoint endpoint : before.endpoints()) {
                if (endpoint.id().equals(endpointSpec.id()) && endpoint.address().equals(endpointSpec.address())) {
                    return endpoint.load();
                }
            }
        }
        return new EndpointLoad();
    }

    private static Upstream upstream(UpstreamSpec spec, Roles roles, Upstream before) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (EndpointSpec endpointSpec : spec.endpoints()) {
            endpoints.add(new Endpoint(spec.name(), endpointSpec.id(), endpointSpec.address(), endpointSpec.weight(),
                    carriedLoad(before, endpointSpec)));
        }
        LoadBalancerKind kind = spec.loadBalancer() != null ? spec.loadBalancer() : roles.defaultLoadBalancer(spec.name());
        LoadBalancer loadBalancer = switch (kind) {
            case RING_HASH -> new RingHashLoadBalancer(endpoints, RingHashLoadBalancer.DEFAULT_VIRTUAL_NODES,
                    spec.hashBalanceFactor());
            case LEAST_REQUEST -> LeastRequestLoadBalancer.of(endpoints);
            case ROUND_ROBIN -> new RoundRobinLoadBalancer(endpoints);
        };
        RingHashLoadBalancer affinity = loadBalancer instanceof RingHashLoadBalancer ring ? ring
                : new RingHashLoadBalancer(endpoints, RingHashLoadBalancer.DEFAULT_VIRTUAL_NODES, 0);
        return new Upstream(spec.name(), endpoints, kind, loadBalancer, affinity);
    }

    private static Route route(RouteSpec spec, Map<String, Upstream> upstreams, TokenUsers tokenUsers, long defaultMaxBody,
                               int rateLimitSlot) {
        RouteActions actions = RouteActions.of(spec.allow(), spec.rateLimit(), rateLimitSlot, spec.respond(),
                spec.stripPrefix() ? spec.path().value() : null);
        Upstream upstream = upstreams.get(spec.upstream());
        if (upstream == null && spec.respond() == null) {
            throw new IllegalArgumentException(spec.location() + ": unknown upstream " + spec.upstream());
        }
        String hashKey = spec.hashKey() == null ? "user" : spec.hashKey();
        return new Route(spec.location(), spec.host(), spec.methods(), PathMatcher.of(spec.path()), upstream,
                HashKeyExtractor.of(hashKey, tokenUsers), hashKey, spec.hashKey() != null, false,
                spec.maxBody() != null ? spec.maxBody() : defaultMaxBody, List.of(), true, spec.webSocket(), actions);
    }

    private static void expandPreset(SynapsePreset preset, Roles roles, SwitchboardSpec spec,
                                     Map<String, Upstream> upstreams, List<Route> routes, TokenUsers tokenUsers,
                                     String host, SynapseVersion followed, Map<Route, SynapseVersion> heldBack) {
        for (SynapsePreset.Entry entry : preset.routes()) {
            if (entry.initialSync() && !roles.hasOwnUpstream("initial_synchrotron")) {
                // Without an initial-sync upstream, initial syncs are ordinary syncs: the sync
                // routes after these take them, keeping each user on their synchrotron.
                continue;
            }
            String hashKey = entry.hashKey() == null ? "user" : entry.hashKey();
            // Workers of the followed release lack it: main, which serves everything, until they have it.
            boolean held = !entry.servedBy(followed);
            List<String> chain = roles.resolveChain(held ? MAIN : entry.role());
            Upstream upstream = upstreams.get(chain.get(0));
            List<Upstream> fallbacks = chain.subList(1, chain.size()).stream().map(upstreams::get).toList();
            // The table's stickiness applies unless the operator chose this upstream's balancer.
            boolean sticky = entry.hashKey() != null && spec.upstreams().get(upstream.name()).loadBalancer() == null;
            // Media uploads are large by nature; everything else is JSON.
            long maxBody = entry.role().equals("media") ? spec.limits().mediaUploadBody() : spec.limits().requestBody();
            // A role's endpoints all down: its fallback chain, then 503 (never a process that cannot serve it).
            Route route = new Route(PRESET_PREFIX + entry.group(), host, entry.methods(), PathMatcher.of(entry.path()),
                    upstream, HashKeyExtractor.of(hashKey, tokenUsers), hashKey, sticky, entry.initialSync(), maxBody,
                    fallbacks, false, false);
            routes.add(route);
            if (held) {
                heldBack.put(route, entry.since());
            }
        }
    }

    /** The route for a request; null only when nothing matches and no preset is in use. */
    public Route route(RequestView request) {
        if (hosts == null) {
            Route route = routeTable.match(request);
            return route != null ? route : unmatched;
        }
        VirtualHosts.Table table = hosts.lookup(request.host());
        Route route = table.routes().match(request);
        return route != null ? route : table.unmatched();
    }

    /** The tables by Host, or null when no route names a host (one table serves every host). */
    public VirtualHosts hosts() {
        return hosts;
    }

    public RouteTable routeTable() {
        return routeTable;
    }

    /** The catch-all to main when the Synapse preset is used, else null. */
    public Route unmatched() {
        return unmatched;
    }

    /** The Synapse release the built-in table follows, and how it is known. */
    public FollowedSynapse followed() {
        return followed;
    }

    /**
     * The release whose workers serve {@code route}, when the followed release's lack it and it
     * goes to main meanwhile; null for any other route.
     */
    public SynapseVersion heldBackUntil(Route route) {
        return heldBack.get(route);
    }

    /** How many of the built-in table's routes go to main until the followed release moves. */
    public int heldBackCount() {
        return heldBack.size();
    }

    /** How many routes carry a rate limit (each has a slot in an address's buckets). */
    public int rateLimitSlots() {
        return rateLimitSlots;
    }

    public Map<String, Upstream> upstreams() {
        return upstreams;
    }
}
