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
    public Endpoint pick(RequestView request, HashKeyExtractor hashKey, Eligibility eligibility) {
        int n = endpoints.length;
        if (n == 0) {
            return null;
        }
        RandomGenerator rng = random.get();
        // Two random starting points, each moved on to the next eligible endpoint.
        int first = nextEligible(rng.nextInt(n), -1, eligibility);
        if (first < 0) {
            return null;
        }
        int second = -1;
        if (n > 1) {
            int draw = rng.nextInt(n - 1);
            second = nextEligible(draw >= first ? draw + 1 : draw, first, eligibility);
        }
        if (second < 0) {
            return endpoints[first];
        }
        Endpoint a = endpoints[first];
        Endpoint b = endpoints[second];
        // a.load/a.weight <= b.load/b.weight, without division.
        long loadA = (long) a.load().inFlight() * b.weight();
        long loadB = (long) b.load().inFlight() * a.weight();
        return loadA <= loadB ? a : b;
    }

    /** The first eligible index from {@code start} on, wrapping, other than {@code not}; -1 if none. */
    private int nextEligible(int start, int not, Eligibility eligibility) {
        for (int k = 0; k < endpoints.length; k++) {
            int index = (start + k) % endpoints.length;
            if (index != not && eligibility.accepts(endpoints[index])) {
                return index;
            }
        }
        return -1;
    }
}
