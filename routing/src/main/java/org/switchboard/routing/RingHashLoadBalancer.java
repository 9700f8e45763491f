package org.switchboard.routing;

import java.util.Arrays;
import java.util.List;

/**
 * Consistent hashing on a ring of virtual nodes. Positions come from each endpoint's identity
 * ({@code id#n}), never from list positions or addresses, so every replica and restart builds
 * the same ring, removing one of N endpoints moves only its keys (about 1/N), and they return
 * when it does. Weight multiplies an endpoint's virtual nodes.
 *
 * <p>With a {@code hashBalanceFactor} (bounded load, off at 0), a key walks clockwise past
 * endpoints already above {@code factor x} their fair share of in-flight requests.
 */
public final class RingHashLoadBalancer implements LoadBalancer {
    /** Virtual nodes per unit of weight: enough to keep 8 equal endpoints within ~15% of the mean. */
    public static final int DEFAULT_VIRTUAL_NODES = 256;

    private final long[] positions;
    private final Endpoint[] owners;
    private final Endpoint[] endpoints;
    private final int totalWeight;
    private final double balanceFactor;

    public RingHashLoadBalancer(List<Endpoint> endpoints, int virtualNodesPerWeight, double balanceFactor) {
        this.endpoints = endpoints.toArray(new Endpoint[0]);
        this.balanceFactor = balanceFactor;
        int size = 0;
        int weights = 0;
        for (Endpoint endpoint : this.endpoints) {
            size += endpoint.weight() * virtualNodesPerWeight;
            weights += endpoint.weight();
        }
        this.totalWeight = weights;
        long[][] points = new long[size][];
        int next = 0;
        for (int e = 0; e < this.endpoints.length; e++) {
            Endpoint endpoint = this.endpoints[e];
            for (int v = 0; v < endpoint.weight() * virtualNodesPerWeight; v++) {
                points[next++] = new long[] {Hashing.hash(endpoint.id() + "#" + v), e};
            }
        }
        // Ties (astronomically rare) are broken by identity order, so the ring stays deterministic.
        Arrays.sort(points, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                : this.endpoints[(int) a[1]].id().compareTo(this.endpoints[(int) b[1]].id()));
        this.positions = new long[size];
        this.owners = new Endpoint[size];
        for (int i = 0; i < size; i++) {
            positions[i] = points[i][0];
            owners[i] = this.endpoints[(int) points[i][1]];
        }
    }

    public static RingHashLoadBalancer of(List<Endpoint> endpoints) {
        return new RingHashLoadBalancer(endpoints, DEFAULT_VIRTUAL_NODES, 0);
    }

    @Override
    public Endpoint pick(RequestView request, HashKeyExtractor hashKey, Eligibility eligibility) {
        return pickByHash(hashKey.hash(request), eligibility);
    }

    public Endpoint pickByHash(long hash) {
        return pickByHash(hash, Eligibility.HEALTHY);
    }

    /**
     * The owner of the first ring position at or after {@code hash}, wrapping around, walking on
     * past ineligible owners: only the keys of an endpoint that is down move, to the endpoints
     * that follow its positions, and they come back when it does.
     */
    public Endpoint pickByHash(long hash, Eligibility eligibility) {
        if (positions.length == 0) {
            return null;
        }
        int index = Arrays.binarySearch(positions, hash);
        if (index < 0) {
            index = -index - 1;
        }
        if (index == positions.length) {
            index = 0;
        }
        if (balanceFactor > 0) {
            Endpoint bounded = boundedFrom(index, eligibility);
            if (bounded != null) {
                return bounded;
            }
        }
        for (int step = 0; step < owners.length; step++) {
            Endpoint candidate = owners[(index + step) % owners.length];
            if (eligibility.accepts(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private Endpoint boundedFrom(int start, Eligibility eligibility) {
        long total = 1;
        for (Endpoint endpoint : endpoints) {
            total += endpoint.load().inFlight();
        }
        for (int step = 0; step < owners.length; step++) {
            Endpoint candidate = owners[(start + step) % owners.length];
            double fairShare = (double) total * candidate.weight() / totalWeight;
            if (eligibility.accepts(candidate) && candidate.load().inFlight() + 1 <= Math.ceil(balanceFactor * fairShare)) {
                return candidate;
            }
        }
        return null;
    }
}
