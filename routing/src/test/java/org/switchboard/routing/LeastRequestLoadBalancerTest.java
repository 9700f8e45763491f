package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LeastRequestLoadBalancerTest {

    @Test
    void theLessBusyOfTwoChoicesWins() {
        List<Endpoint> endpoints = RingHashLoadBalancerTest.endpoints(2);
        SplittableRandom random = new SplittableRandom(1);
        LeastRequestLoadBalancer balancer = new LeastRequestLoadBalancer(endpoints, () -> random);
        for (int i = 0; i < 5; i++) {
            endpoints.get(0).load().requestStarted();
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(endpoints.get(1), balancer.pick(null, HashKeys.USER), "with two endpoints both are always drawn");
        }
    }

    @Test
    void loadIsComparedPerUnitOfWeight() {
        Endpoint heavy = RingHashLoadBalancerTest.endpoint("heavy", 4);
        Endpoint light = RingHashLoadBalancerTest.endpoint("light", 1);
        for (int i = 0; i < 3; i++) {
            heavy.load().requestStarted();
        }
        light.load().requestStarted();
        SplittableRandom random = new SplittableRandom(2);
        LeastRequestLoadBalancer balancer = new LeastRequestLoadBalancer(List.of(heavy, light), () -> random);
        assertEquals(heavy, balancer.pick(null, HashKeys.USER), "3 of 4 beats 1 of 1");
    }

    @Test
    void keepsInFlightRequestsEvenWhileTheyComeAndGo() {
        List<Endpoint> endpoints = RingHashLoadBalancerTest.endpoints(8);
        SplittableRandom random = new SplittableRandom(3);
        LeastRequestLoadBalancer balancer = new LeastRequestLoadBalancer(endpoints, () -> random);
        Map<Endpoint, Integer> held = new HashMap<>();
        for (int i = 0; i < 800; i++) {
            Endpoint picked = balancer.pick(null, HashKeys.USER);
            picked.load().requestStarted();
            held.merge(picked, 1, Integer::sum);
        }
        int max = held.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        int min = held.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
        assertTrue(max - min <= 4, "power of two choices keeps 800 long polls within a few of even: " + held.values());
    }
}
