package org.switchboard.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.switchboard.config.EndpointSpec;
import org.switchboard.config.RouteSpec;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.UpstreamSpec;

/**
 * The compiled, immutable routing state of one config: upstreams with their load balancers and
 * the route table. A request reads it once, at its start, and keeps it to the end.
 */
public final class RoutingSnapshot {
    private final Map<String, Upstream> upstreams;
    private final RouteTable routeTable;

    private RoutingSnapshot(Map<String, Upstream> upstreams, RouteTable routeTable) {
        this.upstreams = upstreams;
        this.routeTable = routeTable;
    }

    /** Compiles a validated spec; route upstreams must name configured upstreams. */
    public static RoutingSnapshot compile(SwitchboardSpec spec) {
        Map<String, Upstream> upstreams = new LinkedHashMap<>();
        for (UpstreamSpec upstreamSpec : spec.upstreams().values()) {
            List<Endpoint> endpoints = new ArrayList<>();
            for (EndpointSpec endpointSpec : upstreamSpec.endpoints()) {
                endpoints.add(new Endpoint(upstreamSpec.name(), endpointSpec.id(), endpointSpec.address()));
            }
            upstreams.put(upstreamSpec.name(),
                    new Upstream(upstreamSpec.name(), endpoints, new RoundRobinLoadBalancer(endpoints)));
        }
        List<Route> routes = new ArrayList<>();
        for (RouteSpec routeSpec : spec.routes()) {
            Upstream upstream = upstreams.get(routeSpec.upstream());
            if (upstream == null) {
                throw new IllegalArgumentException(routeSpec.location() + ": unknown upstream " + routeSpec.upstream());
            }
            routes.add(new Route(routeSpec.location(), routeSpec.host(), routeSpec.methods(),
                    PathMatcher.of(routeSpec.path()), upstream));
        }
        return new RoutingSnapshot(Collections.unmodifiableMap(upstreams), new RouteTable(routes));
    }

    /** The route for a request, or null when none matches. */
    public Route route(RequestView request) {
        return routeTable.match(request);
    }

    public RouteTable routeTable() {
        return routeTable;
    }

    public Map<String, Upstream> upstreams() {
        return upstreams;
    }
}
