package org.switchboard.proxy.stats;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.switchboard.config.HostPort;
import org.switchboard.proxy.logging.RateLimitedLog;
import org.switchboard.routing.Endpoint;
import org.switchboard.routing.Route;
import org.switchboard.routing.RoutingSnapshot;
import org.switchboard.routing.Upstream;

/**
 * The proxy's Prometheus metrics. Meters are found once and cached (per route, method class and
 * status class), never looked up in the registry per request. Tags stay low-cardinality: listener,
 * route, upstream, endpoint, method, status class, kind, result; never a user, token or path.
 */
public final class ProxyMetrics {
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "other"};
    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    /**
     * Histogram buckets, from a fast answer to a /sync long poll and Synapse's slowest: 17 of
     * them instead of Micrometer's 69 percentile buckets, a seventh of the series and of the
     * search each request's timing costs.
     */
    private static final Duration[] BUCKETS = Stream.of(
            "PT0.001S", "PT0.0025S", "PT0.005S", "PT0.01S", "PT0.025S", "PT0.05S", "PT0.1S", "PT0.25S", "PT0.5S",
            "PT1S", "PT2.5S", "PT5S", "PT10S", "PT30S", "PT60S", "PT120S", "PT180S")
            .map(Duration::parse).toArray(Duration[]::new);

    /** The route and upstream tags of a request that reached no route (RequestRecord's default). */
    private static final String NONE = "none";
    private static final String REQUESTS = "switchboard_requests";
    private static final String REQUEST_DURATION = "switchboard_request_duration";

    private final PrometheusMeterRegistry registry;
    /**
     * Listener, route, then the upstream that served (a fallback's, or after a reload another
     * one's): no key is built per request, and a label is never stale.
     */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, RouteMeters>>> byListener =
            new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> retries = new ConcurrentHashMap<>();
    private final Counter retriesRefused;
    private final List<Meter> endpointGauges = new ArrayList<>();
    private static final int RECENT_ERRORS = 20;
    private final ArrayDeque<String> recentErrors = new ArrayDeque<>();
    private final ConcurrentHashMap<Endpoint, Timer> firstByte = new ConcurrentHashMap<>();
    /** The endpoints of the snapshot in force, as {@link #endpointKey}: only they get a first-byte timer. */
    private volatile Set<String> currentEndpoints = Set.of();
    /** The route names and upstreams of the snapshot in force; null until the first is known (all count). */
    private volatile Set<String> currentRoutes;
    private volatile Set<String> currentUpstreams;
    private final ConcurrentHashMap<String, Counter> checks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> transitions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> discoveryLookups = new ConcurrentHashMap<>();
    private final AtomicInteger http2Connections = new AtomicInteger();
    private final Map<String, Counter> goAways = new ConcurrentHashMap<>();
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final AtomicInteger openTunnels = new AtomicInteger();
    private final Counter tunnelBytesToUpstream;
    private final Counter tunnelBytesToClient;
    private final Timer tunnelDuration;

    private final UpstreamConnectionCounts upstreamConnections = new UpstreamConnectionCounts();

    /**
     * Listens to the JVM's collectors, which outlive this proxy: closed with it, or every proxy
     * ever started in the process (tests, an embedding) stays reachable through the listener.
     */
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    /** Open upstream connections per address, counted by the pools. */
    public UpstreamConnectionCounts upstreamConnections() {
        return upstreamConnections;
    }

    public ProxyMetrics() {
        this(Clock.SYSTEM);
    }

    /** With the clock the meters read: a server passes a {@link CoarseClock} it ticks. */
    public ProxyMetrics(Clock clock) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        bytesIn = Counter.builder("switchboard_request_body_bytes").description("Request body bytes forwarded upstream")
                .baseUnit("bytes").register(registry);
        bytesOut = Counter.builder("switchboard_response_body_bytes").description("Response body bytes sent to clients")
                .baseUnit("bytes").register(registry);
        retriesRefused = Counter.builder("switchboard_retries_refused")
                .description("Requests that could have moved again but did not: the retry budget was spent").register(registry);
        Gauge.builder("switchboard_websocket_tunnels", openTunnels, AtomicInteger::get)
                .description("Open WebSocket tunnels").register(registry);
        tunnelBytesToUpstream = Counter.builder("switchboard_websocket_bytes").description("Bytes carried by WebSocket tunnels")
                .tag("direction", "to_upstream").baseUnit("bytes").register(registry);
        tunnelBytesToClient = Counter.builder("switchboard_websocket_bytes").description("Bytes carried by WebSocket tunnels")
                .tag("direction", "to_client").baseUnit("bytes").register(registry);
        tunnelDuration = Timer.builder("switchboard_websocket_duration").description("How long WebSocket tunnels stayed open")
                .register(registry);
        // Netty 4.2's default allocator (adaptive, not the pooled one) reports its own usage.
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            ByteBufAllocatorMetric netty = provider.metric();
            Gauge.builder("switchboard_netty_direct_memory", netty, ByteBufAllocatorMetric::usedDirectMemory)
                    .description("Direct memory held by Netty's allocator").baseUnit("bytes").register(registry);
            Gauge.builder("switchboard_netty_heap_memory", netty, ByteBufAllocatorMetric::usedHeapMemory)
                    .description("Heap memory held by Netty's allocator").baseUnit("bytes").register(registry);
        }
    }

    public void bytes(long in, long out) {
        if (in > 0) {
            bytesIn.increment(in);
        }
        if (out > 0) {
            bytesOut.increment(out);
        }
    }

    /** Open HTTP/2 client connections (the rest of the tracked client connections are HTTP/1). */
    public int http2Connections() {
        return http2Connections.get();
    }

    public void http2ConnectionOpened() {
        http2Connections.incrementAndGet();
    }

    public void http2ConnectionClosed() {
        http2Connections.decrementAndGet();
    }

    /** This proxy ended an HTTP/2 connection for a client's fault (a flood, a protocol error): counted by error code. */
    public void http2GoAway(String error) {
        goAways.computeIfAbsent(error, key -> Counter.builder("switchboard_http2_goaways")
                .description("HTTP/2 connections this proxy ended with an error (GOAWAY), by error code")
                .tag("error", key).register(registry)).increment();
    }

    /** A WebSocket tunnel opened (the upstream answered 101). */
    public void tunnelOpened() {
        openTunnels.incrementAndGet();
    }

    /**
     * Bytes a tunnel carried, counted as they go rather than when it ends: a signalling tunnel
     * stays open for hours, and a rate over counts made at the end reads zero until then.
     */
    public void tunnelBytesToUpstream(long bytes) {
        tunnelBytesToUpstream.increment(bytes);
    }

    public void tunnelBytesToClient(long bytes) {
        tunnelBytesToClient.increment(bytes);
    }

    /** A WebSocket tunnel ended, either side having closed. */
    public void tunnelClosed(long nanos) {
        openTunnels.decrementAndGet();
        tunnelDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The upstream's own time to first byte (request written to response head). */
    public void firstByte(Endpoint endpoint, long nanos) {
        Timer timer = firstByte.get(endpoint); // no capturing lambda per response once the timer exists
        if (timer == null) {
            if (!currentEndpoints.contains(endpointKey(endpoint.upstream(), endpoint.id()))) {
                // A request that went out before a reload or a DNS change removed its endpoint:
                // a timer made now would outlive the endpoint, so its one sample is not kept.
                return;
            }
            timer = firstByte.computeIfAbsent(endpoint, key -> Timer.builder("switchboard_upstream_first_byte")
                    .description("Time from the request going upstream to the response head coming back")
                    .tags("upstream", key.upstream(), "endpoint", key.id()).serviceLevelObjectives(BUCKETS)
                    .register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One active health check's result. */
    public void healthCheck(String upstream, String result) {
        countPerUpstream(checks, upstream, result, () -> Counter.builder("switchboard_health_checks")
                .description("Active health checks by upstream and result").tags("upstream", upstream, "result", result));
    }

    /** A health transition (to healthy, unhealthy, ejected...). */
    public void healthTransition(String upstream, String to) {
        countPerUpstream(transitions, upstream, to, () -> Counter.builder("switchboard_health_transitions")
                .description("Endpoint health transitions by upstream and new state (ejected = outlier ejections)")
                .tags("upstream", upstream, "to", to));
    }

    /**
     * Counts one event of an upstream. A check or a lookup of an upstream a reload has just
     * removed, still finishing, makes no series again: it would stay on every scrape.
     */
    private void countPerUpstream(Map<String, Counter> counters, String upstream, String result,
                                  Supplier<Counter.Builder> meter) {
        String key = upstream + '\0' + result;
        Counter counter = counters.get(key);
        if (counter == null) {
            Set<String> upstreams = currentUpstreams;
            if (upstreams != null && !upstreams.contains(upstream)) {
                return;
            }
            counter = counters.computeIfAbsent(key, k -> meter.get().register(registry));
        }
        counter.increment();
    }

    /**
     * One DNS lookup of an upstream's endpoints: {@code unchanged}, {@code changed} (membership
     * changed: the log says how) or {@code failed} (the last known endpoints stay).
     */
    public void discoveryLookup(String upstream, String result) {
        countPerUpstream(discoveryLookups, upstream, result, () -> Counter.builder("switchboard_discovery_lookups")
                .description("DNS lookups of upstream endpoints by upstream and result (unchanged, changed, failed)")
                .tags("upstream", upstream, "result", result));
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The exposition text for {@code GET /metrics}. */
    public String scrape() {
        return registry.scrape();
    }

    /** One proxied or locally answered request, counted once when it ends. */
    public void request(String listener, String route, String upstream, String method, int status, long nanos) {
        RouteMeters meters = routeMeters(listener, route, upstream);
        if (meters == null) {
            return; // a request of a route or upstream a reload removed as it ran: see routeMeters
        }
        int methodIndex = methodIndex(method);
        int statusIndex = Math.min(Math.max(status / 100 - 1, 0), 4);
        meters.count(methodIndex, statusIndex).increment();
        meters.latency(methodIndex, statusIndex).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The meters of a listener, route and upstream. Looked up before anything is made: a lambda
     * that captures the names would be allocated on every request, though the meters exist after
     * the first.
     */
    private RouteMeters routeMeters(String listener, String route, String upstream) {
        ConcurrentHashMap<String, ConcurrentHashMap<String, RouteMeters>> byRoute = byListener.get(listener);
        ConcurrentHashMap<String, RouteMeters> byUpstream = byRoute == null ? null : byRoute.get(route);
        RouteMeters meters = byUpstream == null ? null : byUpstream.get(upstream);
        if (meters != null) {
            return meters;
        }
        Set<String> routes = currentRoutes;
        if (routes != null && gone(route, upstream, routes, currentUpstreams)) {
            // Series made for it now would outlive the route or upstream, until a later reload.
            return null;
        }
        return byListener.computeIfAbsent(listener, key -> new ConcurrentHashMap<>())
                .computeIfAbsent(route, key -> new ConcurrentHashMap<>())
                .computeIfAbsent(upstream, key -> new RouteMeters(listener, route, upstream));
    }

    /** The kinds that mean a configured limit was hit, with the setting that sets it, for the log. */
    private static final Map<String, String> LIMITS = Map.of(
            "body_too_large", "limits.requestBody, limits.mediaUploadBody or the route's maxBody",
            "headers_too_large", "limits.requestHeaders",
            "uri_too_long", "limits.requestTarget",
            "request_timeout", "timeouts.requestHeader",
            "body_timeout", "timeouts.requestBody");
    private final RateLimitedLog limitLog =
            RateLimitedLog.every10Seconds(System.getLogger(ProxyMetrics.class.getName()));

    /** An answer the proxy produced itself (no route, no endpoint, timeout, ...); a limit hit is logged too, rate-limited. */
    public void proxyError(String kind) {
        proxyError(kind, LIMITS.get(kind));
    }

    /** As {@link #proxyError(String)}, naming the setting whose limit was hit (logged), or null for none. */
    public void proxyError(String kind, String limit) {
        if (limit != null) {
            limitLog.log(System.Logger.Level.WARNING, limit, () -> "limit hit: " + kind + " (" + limit + ")");
        }
        synchronized (recentErrors) {
            if (recentErrors.size() == RECENT_ERRORS) {
                recentErrors.removeFirst();
            }
            recentErrors.addLast(Instant.now() + " " + kind);
        }
        errors.computeIfAbsent(kind, k -> Counter.builder("switchboard_proxy_errors")
                .description("Answers the proxy produced itself, by kind").tag("kind", k).register(registry)).increment();
    }

    /** The last errors the proxy answered itself, oldest first: "time kind". */
    public List<String> recentErrors() {
        synchronized (recentErrors) {
            return List.copyOf(recentErrors);
        }
    }

    /** A request that could have moved again did not: the retry budget was spent. */
    public void retryRefused() {
        retriesRefused.increment();
    }

    public void retry(String reason) {
        retries.computeIfAbsent(reason, r -> Counter.builder("switchboard_retries")
                .description("Requests sent again, by reason: to another endpoint, or on a new connection to the same one").tag("reason", r).register(registry)).increment();
    }

    /**
     * Per-endpoint gauges for the snapshot in force (replaced on each reload); the first-byte
     * timers of endpoints no upstream names any more go too, so pod IPs that came and went
     * (discovery by A records) do not pile up as series.
     */
    public synchronized void endpoints(RoutingSnapshot routing) {
        forgetRemoved(routing);
        endpointGauges.forEach(registry::remove);
        endpointGauges.clear();
        Set<String> current = new HashSet<>();
        for (Upstream upstream : routing.upstreams().values()) {
            for (Endpoint endpoint : upstream.endpoints()) {
                current.add(endpointKey(upstream.name(), endpoint.id()));
            }
        }
        currentEndpoints = current;
        firstByte.entrySet().removeIf(entry -> {
            boolean gone = !current.contains(endpointKey(entry.getKey().upstream(), entry.getKey().id()));
            if (gone) {
                registry.remove(entry.getValue());
            }
            return gone;
        });
        // Connections are pooled by address, shared by every upstream that lists it (one worker
        // serving five stream-writer roles): one series per address, so a sum counts each once.
        Set<HostPort> addresses = new HashSet<>();
        for (Upstream upstream : routing.upstreams().values()) {
            for (Endpoint endpoint : upstream.endpoints()) {
                endpointGauges.add(Gauge.builder("switchboard_endpoint_healthy", endpoint, e -> e.load().available() ? 1 : 0)
                        .description("1 when the endpoint takes new requests (healthy, not ejected), else 0")
                        .tag("upstream", upstream.name()).tag("endpoint", endpoint.id()).register(registry));
                if (addresses.add(endpoint.address())) {
                    HostPort address = endpoint.address();
                    endpointGauges.add(Gauge.builder("switchboard_upstream_connections", address, upstreamConnections::open)
                            .description("Open connections to the address (busy and idle), whichever upstreams list it")
                            .tag("address", address.toString()).register(registry));
                    endpointGauges.add(Gauge.builder("switchboard_upstream_idle_connections", address, upstreamConnections::idle)
                            .description("Idle keep-alive connections to the address, across event loops")
                            .tag("address", address.toString()).register(registry));
                }
                endpointGauges.add(Gauge.builder("switchboard_endpoint_in_flight", endpoint, e -> e.load().inFlight())
                        .description("Requests in flight at the endpoint")
                        .tag("upstream", upstream.name()).tag("endpoint", endpoint.id()).register(registry));
            }
        }
    }

    /**
     * The series of routes and upstreams the snapshot in force no longer has go: a reload that
     * removes an upstream, or moves an unnamed route ({@code routes[3]} becoming {@code routes[4]}),
     * would otherwise leave them on every scrape for good. A request of the previous snapshot that
     * ends after this makes no series again ({@link #routeMeters}).
     */
    private void forgetRemoved(RoutingSnapshot routing) {
        Set<String> upstreams = Set.copyOf(routing.upstreams().keySet());
        Set<String> routes = new HashSet<>();
        routing.routeTable().routes().forEach(route -> routes.add(route.name()));
        if (routing.unmatched() != null) {
            routes.add(routing.unmatched().name());
        }
        currentUpstreams = upstreams;
        currentRoutes = routes;
        for (ConcurrentHashMap<String, ConcurrentHashMap<String, RouteMeters>> byRoute : byListener.values()) {
            byRoute.entrySet().removeIf(route -> {
                route.getValue().keySet().removeIf(upstream -> gone(route.getKey(), upstream, routes, upstreams));
                return route.getValue().isEmpty();
            });
        }
        // The meters themselves, from the registry: also those a request of the old snapshot made
        // while the sets above were being replaced.
        for (Meter meter : registry.getMeters()) {
            String name = meter.getId().getName();
            if ((name.equals(REQUESTS) || name.equals(REQUEST_DURATION))
                    && gone(meter.getId().getTag("route"), meter.getId().getTag("upstream"), routes, upstreams)) {
                registry.remove(meter);
            }
        }
        for (Map<String, Counter> byUpstream : List.of(checks, transitions, discoveryLookups)) {
            byUpstream.entrySet().removeIf(entry -> {
                boolean gone = !upstreams.contains(entry.getKey().substring(0, entry.getKey().indexOf('\0')));
                if (gone) {
                    registry.remove(entry.getValue());
                }
                return gone;
            });
        }
    }

    private static String endpointKey(String upstream, String id) {
        return upstream + '\0' + id;
    }

    /**
     * A request series whose route or upstream the snapshot no longer has: never {@code none}
     * (reached neither) or {@code local} (answered by the proxy).
     */
    private static boolean gone(String route, String upstream, Set<String> routes, Set<String> upstreams) {
        return !NONE.equals(route) && !routes.contains(route)
                || !NONE.equals(upstream) && !Route.LOCAL.equals(upstream) && !upstreams.contains(upstream);
    }

    private static int methodIndex(String method) {
        for (int i = 0; i < METHODS.length - 1; i++) {
            if (METHODS[i].equals(method)) {
                return i;
            }
        }
        return METHODS.length - 1;
    }

    /** The meters of one route, created on first use per method and status class. */
    private final class RouteMeters {
        private final String listener;
        private final String route;
        private final String upstream;
        private final Counter[][] counts = new Counter[METHODS.length][STATUS_CLASSES.length];
        private final Timer[][] latencies = new Timer[METHODS.length][STATUS_CLASSES.length];

        RouteMeters(String listener, String route, String upstream) {
            this.listener = listener;
            this.route = route;
            this.upstream = upstream;
        }

        Counter count(int method, int status) {
            Counter counter = counts[method][status];
            if (counter == null) {
                counter = Counter.builder(REQUESTS).description("Requests by listener, route, upstream, method and status class")
                        .tags("listener", listener, "route", route, "upstream", upstream, "method", METHODS[method],
                                "status_class", STATUS_CLASSES[status])
                        .register(registry);
                counts[method][status] = counter;
            }
            return counter;
        }

        Timer latency(int method, int status) {
            Timer timer = latencies[method][status];
            if (timer == null) {
                timer = Timer.builder(REQUEST_DURATION).description("Time from request head to response end")
                        .tags("listener", listener, "route", route, "upstream", upstream, "method", METHODS[method],
                                "status_class", STATUS_CLASSES[status])
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry);
                latencies[method][status] = timer;
            }
            return timer;
        }
    }

    /** Stops listening to the JVM's collectors and closes the registry. */
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
