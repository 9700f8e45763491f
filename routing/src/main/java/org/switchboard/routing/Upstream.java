package org.switchboard.routing;

import java.util.List;
import org.switchboard.config.LoadBalancerKind;

/**
 * A named group of endpoints and the load balancer that picks among them.
 *
 * @param affinity a ring over the same endpoints for routes that must stick to a key whatever
 *                 the upstream's balancer (a room's {@code /messages} pagination, one remote
 *                 server's federation transactions)
 */
public record Upstream(String name, List<Endpoint> endpoints, LoadBalancerKind loadBalancerKind,
                       LoadBalancer loadBalancer, RingHashLoadBalancer affinity) {
    public Upstream {
        endpoints = List.copyOf(endpoints);
    }
}
