package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.switchboard.config.HostPort;

/** Properties of the ring (seeded keys, no sockets). */
class RingHashLoadBalancerTest {
    private static final int KEYS = 10_000;

    @Test
    void tenThousandKeysOverEightEqualEndpointsStayWithinFifteenPercentOfTheMean() {
        RingHashLoadBalancer ring = RingHashLoadBalancer.of(endpoints(8));
        Map<String, Integer> counts = new HashMap<>();
        for (long key : keys(KEYS, 42)) {
            counts.merge(ring.pickByHash(key).id(), 1, Integer::sum);
        }
        double mean = KEYS / 8.0;
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertEquals(8, counts.size());
        assertTrue(max / mean <= 1.15, "max/mean = " + max / mean + " " + counts);
    }

    @Test
    void sameKeyAlwaysGivesTheSameEndpointAndIndependentRingsAgree() {
        RingHashLoadBalancer first = RingHashLoadBalancer.of(endpoints(8));
        List<Endpoint> reversed = new ArrayList<>(endpoints(8));
        Collections.reverse(reversed);
        RingHashLoadBalancer second = RingHashLoadBalancer.of(reversed);
        for (long key : keys(KEYS, 7)) {
            assertEquals(first.pickByHash(key).id(), first.pickByHash(key).id());
            assertEquals(first.pickByHash(key).id(), second.pickByHash(key).id(), "list order must not matter");
        }
    }

    @ParameterizedTest(name = "removing endpoint {0} of 8")
    @ValueSource(ints = {0, 3, 7})
    void removingOneEndpointMovesOnlyItsKeysAndTheyReturn(int removed) {
        List<Endpoint> all = endpoints(8);
        List<Endpoint> without = new ArrayList<>(all);
        Endpoint gone = without.remove(removed);
        RingHashLoadBalancer full = RingHashLoadBalancer.of(all);
        RingHashLoadBalancer reduced = RingHashLoadBalancer.of(without);
        RingHashLoadBalancer recovered = RingHashLoadBalancer.of(all);
        int moved = 0;
        for (long key : keys(KEYS, 99)) {
            String before = full.pickByHash(key).id();
            String during = reduced.pickByHash(key).id();
            if (!before.equals(during)) {
                moved++;
                assertEquals(gone.id(), before, "only the removed endpoint's keys may move");
            }
            assertEquals(before, recovered.pickByHash(key).id(), "keys return when the endpoint does");
        }
        assertTrue(moved > KEYS / 8 * 0.7 && moved < KEYS / 8 * 1.3, "moved " + moved + " of " + KEYS);
    }

    @Test
    void weightMultipliesTheShare() {
        List<Endpoint> endpoints = List.of(endpoint("a", 1), endpoint("b", 3));
        RingHashLoadBalancer ring = RingHashLoadBalancer.of(endpoints);
        int b = 0;
        for (long key : keys(KEYS, 5)) {
            if (ring.pickByHash(key).id().equals("b")) {
                b++;
            }
        }
        assertTrue(b > KEYS * 0.68 && b < KEYS * 0.82, "weight 3 of 4 got " + b);
    }

    @Test
    void boundedLoadWalksPastAnOverloadedEndpoint() {
        List<Endpoint> endpoints = endpoints(4);
        RingHashLoadBalancer ring = new RingHashLoadBalancer(endpoints, RingHashLoadBalancer.DEFAULT_VIRTUAL_NODES, 1.25);
        long key = keys(1, 3)[0];
        Endpoint preferred = ring.pickByHash(key);
        for (int i = 0; i < 20; i++) {
            preferred.load().requestStarted();
        }
        Endpoint chosen = ring.pickByHash(key);
        assertTrue(chosen != preferred, "an endpoint far above its share is passed over");
        RingHashLoadBalancer unbounded = RingHashLoadBalancer.of(endpoints);
        assertSame(preferred, unbounded.pickByHash(key), "off by default: affinity wins");
    }

    static List<Endpoint> endpoints(int n) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            endpoints.add(endpoint("synapse-sync-" + i + ".synapse-sync.matrix.svc.cluster.local:8083", 1));
        }
        return endpoints;
    }

    static Endpoint endpoint(String id, int weight) {
        return new Endpoint("synchrotron", id, HostPort.of("10.0.0.1", 8083), weight, new EndpointLoad());
    }

    /** Keys as the proxy makes them: hashes of distinct user localparts. */
    static long[] keys(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] keys = new long[count];
        for (int i = 0; i < count; i++) {
            keys[i] = Hashing.hash("@user" + random.nextLong() + ":example.org");
        }
        return keys;
    }
}
