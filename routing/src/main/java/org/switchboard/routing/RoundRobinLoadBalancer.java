package org.switchboard.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Each eligible endpoint in turn. One counter shared by all event loops: contention is one CAS. */
public final class RoundRobinLoadBalancer implements LoadBalancer {
    private final Endpoint[] endpoints;
    private final AtomicInteger next = new AtomicInteger();

    public RoundRobinLoadBalancer(List<Endpoint> endpoints) {
        this.endpoints = endpoints.toArray(new Endpoint[0]);
    }

    @Override
    public Endpoint pick(RequestView request, HashKeyExtractor hashKey, Eligibility eligibility) {
        int n = endpoints.length;
        int start = n == 0 ? 0 : Math.floorMod(next.getAndIncrement(), n);
        for (int k = 0; k < n; k++) {
            Endpoint candidate = endpoints[(start + k) % n];
            if (eligibility.accepts(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
