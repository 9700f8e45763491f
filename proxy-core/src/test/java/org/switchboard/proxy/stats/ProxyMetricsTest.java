package org.switchboard.proxy.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.switchboard.config.ConfigLoader;
import org.switchboard.routing.Endpoint;
import org.switchboard.routing.RoutingSnapshot;

/**
 * The request-duration histogram's size is what a 20K-user deployment pays per series: a fixed
 * set of buckets for Matrix traffic, not Micrometer's ~69 defaults.
 */
class ProxyMetricsTest {
    @Test
    void theRequestDurationHistogramHasSeventeenBucketsFromAMillisecondToThreeMinutes() {
        ProxyMetrics metrics = new ProxyMetrics();
        metrics.request("client", "synapse/sync", "synchrotron", "GET", 200, TimeUnit.SECONDS.toNanos(30));

        List<String> buckets = metrics.scrape().lines()
                .filter(line -> line.startsWith("switchboard_request_duration_seconds_bucket{"))
                .map(line -> line.replaceAll(".*le=\"([^\"]+)\".*", "$1"))
                .toList();

        assertEquals(List.of("0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5",
                "5.0", "10.0", "30.0", "60.0", "120.0", "180.0", "+Inf"), buckets);
    }

    /** The README's series count rests on this: 22 series per (listener, route, upstream, method, status class). */
    @Test
    void oneRequestCombinationCostsTwentyTwoSeries() {
        ProxyMetrics metrics = new ProxyMetrics();
        metrics.request("client", "synapse/sync", "synchrotron", "GET", 200, TimeUnit.MILLISECONDS.toNanos(5));

        long series = metrics.scrape().lines()
                .filter(line -> !line.startsWith("#") && line.contains("route=\"synapse/sync\""))
                .count();

        assertEquals(22, series);
    }

    /**
     * A response that comes back after a reload or a DNS change removed its endpoint makes no
     * series again: it would stay on every scrape for an endpoint that no longer exists.
     */
    @Test
    void aRemovedEndpointsFirstByteTimerIsNotMadeAgainByARequestStillInFlight() throws Exception {
        ProxyMetrics metrics = new ProxyMetrics();
        RoutingSnapshot before = routing("127.0.0.1:9001");
        metrics.endpoints(before);
        Endpoint removed = before.upstreams().get("main").endpoints().get(0);
        metrics.firstByte(removed, TimeUnit.MILLISECONDS.toNanos(3));
        assertTrue(metrics.scrape().contains("endpoint=\"127.0.0.1:9001\""));

        metrics.endpoints(routing("127.0.0.1:9002"));
        metrics.firstByte(removed, TimeUnit.MILLISECONDS.toNanos(3)); // the request in flight across the change
        assertFalse(metrics.scrape().contains("endpoint=\"127.0.0.1:9001\""), metrics.scrape());
    }

    /**
     * A reload keeps the series of what is still configured, the proxy's own answers too
     * ({@code upstream="local"}), and a request of a removed upstream that ends after it makes
     * no series again (a held /sync always straddles the reload that removes its upstream).
     */
    @Test
    void aReloadKeepsLocalAnswersAndARemovedUpstreamsLastRequestsMakeNoSeries() throws Exception {
        ProxyMetrics metrics = new ProxyMetrics();
        String routes = """
                  - path: { prefix: "/robots.txt" }
                    respond: { body: "no" }
                  - path: { prefix: "/" }
                    upstream: %s
                """;
        metrics.endpoints(routing("127.0.0.1:9001", "  other: {endpoints: [\"127.0.0.1:9002\"]}\nroutes:\n" + routes.formatted("other")));
        metrics.request("client", "routes[0]", "local", "GET", 200, 1_000);
        metrics.request("client", "routes[1]", "other", "GET", 200, 1_000);

        metrics.endpoints(routing("127.0.0.1:9001", "routes:\n" + routes.formatted("main")));
        metrics.request("client", "routes[1]", "other", "GET", 200, 1_000); // in flight across the reload
        String scrape = metrics.scrape();
        assertTrue(scrape.contains("switchboard_requests_total{listener=\"client\",method=\"GET\",route=\"routes[0]\","
                + "status_class=\"2xx\",upstream=\"local\"} 1.0"), scrape);
        assertFalse(scrape.contains("upstream=\"other\""), scrape);
    }

    private static RoutingSnapshot routing(String endpoint) throws Exception {
        return routing(endpoint, "");
    }

    private static RoutingSnapshot routing(String endpoint, String more) throws Exception {
        return RoutingSnapshot.compile(ConfigLoader.parse("""
                listeners: [{name: client, address: "127.0.0.1:0"}]
                upstreams:
                  main: {endpoints: ["%s"]}
                """.formatted(endpoint) + more, "test"));
    }
}
