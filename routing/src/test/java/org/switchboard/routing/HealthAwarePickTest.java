package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.switchboard.config.ConfigLoader;
import org.switchboard.config.LoadBalancerKind;
import org.switchboard.config.PathMatchSpec;

/** Unavailable endpoints are skipped; roles fall back; own routes panic rather than refuse. */
class HealthAwarePickTest {

    @Test
    void ringHashMovesOnlyTheKeysOfAnEndpointThatIsDownAndTheyReturn() {
        List<Endpoint> endpoints = RingHashLoadBalancerTest.endpoints(8);
        RingHashLoadBalancer ring = RingHashLoadBalancer.of(endpoints);
        long[] keys = RingHashLoadBalancerTest.keys(5_000, 11);
        Endpoint[] before = new Endpoint[keys.length];
        for (int i = 0; i < keys.length; i++) {
            before[i] = ring.pickByHash(keys[i]);
        }
        Endpoint down = endpoints.get(3);
        down.load().setAvailable(false);
        int moved = 0;
        for (int i = 0; i < keys.length; i++) {
            Endpoint now = ring.pickByHash(keys[i]);
            assertNotEquals(down, now);
            if (now != before[i]) {
                moved++;
                assertEquals(down, before[i], "only the down endpoint's keys move");
            }
        }
        assertTrue(moved > 0);
        down.load().setAvailable(true);
        for (int i = 0; i < keys.length; i++) {
            assertEquals(before[i], ring.pickByHash(keys[i]), "keys come back");
        }
    }

    @Test
    void leastRequestAndRoundRobinNeverPickAnUnavailableEndpoint() {
        List<Endpoint> endpoints = RingHashLoadBalancerTest.endpoints(4);
        endpoints.get(0).load().setAvailable(false);
        endpoints.get(2).load().setAvailable(false);
        SplittableRandom random = new SplittableRandom(9);
        LoadBalancer leastRequest = new LeastRequestLoadBalancer(endpoints, () -> random);
        LoadBalancer roundRobin = new RoundRobinLoadBalancer(endpoints);
        for (int i = 0; i < 200; i++) {
            assertTrue(leastRequest.pick(null, HashKeys.USER).load().available());
            assertTrue(roundRobin.pick(null, HashKeys.USER).load().available());
        }
        endpoints.get(1).load().setAvailable(false);
        endpoints.get(3).load().setAvailable(false);
        assertNull(leastRequest.pick(null, HashKeys.USER));
        assertNull(roundRobin.pick(null, HashKeys.USER));
    }

    @Test
    void aRetryAvoidsTheEndpointsAlreadyTried() {
        List<Endpoint> endpoints = RingHashLoadBalancerTest.endpoints(3);
        RingHashLoadBalancer ring = RingHashLoadBalancer.of(endpoints);
        long key = RingHashLoadBalancerTest.keys(1, 5)[0];
        Endpoint first = ring.pickByHash(key);
        Endpoint second = ring.pickByHash(key, Eligibility.healthyExcept(List.of(first)));
        Endpoint third = ring.pickByHash(key, Eligibility.healthyExcept(List.of(first, second)));
        assertEquals(3, Set.of(first, second, third).size());
        assertNull(ring.pickByHash(key, Eligibility.healthyExcept(List.of(first, second, third))));
    }

    @Test
    void aRoleWhoseEndpointsAreAllDownFallsBackThenAnswers503() throws Exception {
        RoutingSnapshot snapshot = withUpstreams("""
                main: {endpoints: ["10.0.0.1:8008"]}
                synchrotron: {endpoints: ["10.0.1.1:8083"]}
                initial_synchrotron: {endpoints: ["10.0.2.1:8083"]}
                """);
        HashKeysTest.FakeRequest initialSync = new HashKeysTest.FakeRequest("GET", "/_matrix/client/v3/sync", null, Map.of(), "192.0.2.1");
        Route route = snapshot.route(initialSync);
        assertEquals("initial_synchrotron", route.pick(initialSync).upstream());
        down(snapshot, "initial_synchrotron");
        assertEquals("synchrotron", route.pick(initialSync).upstream());
        down(snapshot, "synchrotron");
        assertEquals("main", route.pick(initialSync).upstream());
        down(snapshot, "main");
        assertNull(route.pick(initialSync), "with main down too: 503");
    }

    /** Only the writer serves its stream: main would answer 500, and a retried to-device message would be sent twice. */
    @Test
    void aStreamWriterWhoseEndpointsAreAllDownOrTriedIsA503NeverMain() throws Exception {
        RoutingSnapshot snapshot = withUpstreams("""
                main: {endpoints: ["10.0.0.1:8008"]}
                generic: {endpoints: ["10.0.3.1:8081"]}
                to_device: {endpoints: ["10.0.4.1:8085", "10.0.4.2:8085"]}
                """);
        HashKeysTest.FakeRequest toDevice = new HashKeysTest.FakeRequest("PUT",
                "/_matrix/client/v3/sendToDevice/m.room_key/txn1", null, Map.of(), "192.0.2.1");
        Route route = snapshot.route(toDevice);
        Endpoint first = route.pick(toDevice);
        assertEquals("to_device", first.upstream());
        Endpoint retry = route.pick(toDevice, List.of(first));
        assertEquals("to_device", retry.upstream(), "a retry may go to the writer's other endpoint");
        assertNull(route.pick(toDevice, List.of(first, retry)), "and nowhere else: the client gets the 502");
        down(snapshot, "to_device");
        assertNull(route.pick(toDevice), "the writer down: 503, not main");

        HashKeysTest.FakeRequest other = new HashKeysTest.FakeRequest("GET", "/_matrix/client/v3/profile/@a:x", null,
                Map.of(), "192.0.2.1");
        down(snapshot, "generic");
        assertEquals("main", snapshot.route(other).pick(other).upstream(), "what main serves still falls back to it");
    }

    /** Main beside a media worker has its media repository off: it would answer 404, a missing file to a client. */
    @Test
    void aMediaWorkerWhoseEndpointsAreAllDownIsA503NeverMain() throws Exception {
        RoutingSnapshot snapshot = withUpstreams("""
                main: {endpoints: ["10.0.0.1:8008"]}
                media: {endpoints: ["10.0.5.1:8085"]}
                """);
        HashKeysTest.FakeRequest thumbnail = new HashKeysTest.FakeRequest("GET",
                "/_matrix/media/v3/thumbnail/example.org/abc", null, Map.of(), "192.0.2.1");
        Route route = snapshot.route(thumbnail);
        assertEquals("media", route.pick(thumbnail).upstream());
        down(snapshot, "media");
        assertNull(route.pick(thumbnail), "the media worker down: 503, not main");

        RoutingSnapshot withoutWorker = withUpstreams("""
                main: {endpoints: ["10.0.0.1:8008"]}
                """);
        assertEquals("main", withoutWorker.route(thumbnail).pick(thumbnail).upstream(), "without one, main serves media");
    }

    @Test
    void withoutAWriterMainServesItsStream() throws Exception {
        RoutingSnapshot snapshot = withUpstreams("""
                main: {endpoints: ["10.0.0.1:8008"]}
                generic: {endpoints: ["10.0.3.1:8081"]}
                """);
        HashKeysTest.FakeRequest typing = new HashKeysTest.FakeRequest("PUT",
                "/_matrix/client/v3/rooms/!r:x/typing/@a:x", null, Map.of(), "192.0.2.1");
        assertEquals("main", snapshot.route(typing).pick(typing).upstream());
    }

    @Test
    void anOwnRouteWhoseEndpointsAreAllDownUsesThemAnyway() {
        List<Endpoint> endpoints = RingHashLoadBalancerTest.endpoints(2);
        endpoints.forEach(e -> e.load().setAvailable(false));
        Upstream upstream = new Upstream("synchrotron", endpoints, LoadBalancerKind.RING_HASH,
                RingHashLoadBalancer.of(endpoints), RingHashLoadBalancer.of(endpoints));
        Route own = Route.of("routes[0]", PathMatcher.of(PathMatchSpec.prefix("/")), upstream, 1024);
        HashKeysTest.FakeRequest request = new HashKeysTest.FakeRequest("GET", "/x", null, Map.of(), "192.0.2.1");
        assertTrue(endpoints.contains(own.pick(request)), "panic: the whole upstream rather than nobody");
    }

    /** The built-in table over these upstreams (the lines under {@code upstreams:}). */
    private static RoutingSnapshot withUpstreams(String upstreams) throws Exception {
        String indented = upstreams.lines().map(line -> "  " + line + "\n").reduce("", String::concat);
        return RoutingSnapshot.compile(ConfigLoader.parse("listeners: [{name: c, address: \"127.0.0.1:0\"}]\nupstreams:\n"
                + indented, "t"));
    }

    private static void down(RoutingSnapshot snapshot, String upstream) {
        snapshot.upstreams().get(upstream).endpoints().forEach(e -> e.load().setAvailable(false));
    }
}
