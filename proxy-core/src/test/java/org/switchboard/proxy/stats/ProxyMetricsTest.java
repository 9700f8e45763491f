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

    private static RoutingSnapshot routing(String endpoint) throws Exception {
        return RoutingSnapshot.compile(ConfigLoader.parse("""
                listeners: [{name: client, address: "127.0.0.1:0"}]
                upstreams:
                  main: {endpoints: ["%s"]}
                """.formatted(endpoint), "test"));
    }
}
