package org.switchboard.routing;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Power of two choices: two endpoints drawn at random, the one with fewer requests in flight
 * per unit of weight wins. Nearly as good as scanning for the least loaded, without the herd
 * that a full scan sends to one endpoint that just became idle.
 */
public final class LeastRequestLoadBalancer implements LoadBalancer {
    private final Endpoint[] endpoints;
    private final Supplier<RandomGenerator> random;

    public LeastRequestLoadBalancer(List<Endpoint> endpoints, Supplier<RandomGenerator> random) {
        this.endpoints = endpoints.toArray(new Endpoint[0]);
        this.random = random;
    }

    public static LeastRequestLoadBalancer of(List<Endpoint> endpoints) {
        return new LeastRequestLoadBalancer(endpoints, ThreadLocalRandom::current);
    }

    @Override
    public Endpoint pick(RequestView request, HashKeyExtractor hashKey) {
        int n = endpoints.length;
        if (n <= 1) {
            return n == 0 ? null : endpoints[0];
        }
        RandomGenerator rng = random.get();
        int first = rng.nextInt(n);
        int second = rng.nextInt(n - 1);
        if (second >= first) {
            second++;
        }
        Endpoint a = endpoints[first];
        Endpoint b = endpoints[second];
        // a.load/a.weight <= b.load/b.weight, without division.
        long loadA = (long) a.load().inFlight() * b.weight();
        long loadB = (long) b.load().inFlight() * a.weight();
        return loadA <= loadB ? a : b;
    }
}
