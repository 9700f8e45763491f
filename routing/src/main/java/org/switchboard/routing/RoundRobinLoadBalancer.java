package org.switchboard.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Each endpoint in turn. One counter shared by all event loops: contention is one CAS. */
public final class RoundRobinLoadBalancer implements LoadBalancer {
    private final Endpoint[] endpoints;
    private final AtomicInteger next = new AtomicInteger();

    public RoundRobinLoadBalancer(List<Endpoint> endpoints) {
        this.endpoints = endpoints.toArray(new Endpoint[0]);
    }

    @Override
    public Endpoint pick(RequestView request, HashKeyExtractor hashKey) {
        if (endpoints.length == 0) {
            return null;
        }
        return endpoints[Math.floorMod(next.getAndIncrement(), endpoints.length)];
    }
}
