package org.switchboard.routing;

import java.util.List;

/** A named group of endpoints and the load balancer that picks among them. */
public record Upstream(String name, List<Endpoint> endpoints, LoadBalancer loadBalancer) {
    public Upstream {
        endpoints = List.copyOf(endpoints);
    }

    public Endpoint pick(RequestView request) {
        return loadBalancer.pick(request);
    }
}
