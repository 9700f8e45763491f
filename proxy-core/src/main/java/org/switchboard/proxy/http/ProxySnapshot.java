package org.switchboard.proxy.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.switchboard.config.HostPort;
import org.switchboard.config.RespondSpec;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.TimeoutsSpec;
import org.switchboard.proxy.router.Failover;
import org.switchboard.proxy.router.PassiveHealth;
import org.switchboard.proxy.router.RetryBudget;
import org.switchboard.proxy.stats.ProxyMetrics;
import org.switchboard.routing.ClientAddressResolver;
import org.switchboard.routing.Endpoint;
import org.switchboard.routing.FollowedSynapse;
import org.switchboard.routing.Route;
import org.switchboard.routing.RoutingSnapshot;
import org.switchboard.routing.SynapsePreset;
import org.switchboard.routing.TokenUsers;
import org.switchboard.routing.Upstream;

/**
 * The config in force, compiled: what a request reads once at its start and keeps to its end.
 * Swapped whole (one AtomicReference) when a new config is applied.
 */
public record ProxySnapshot(long generation, SwitchboardSpec spec, RoutingSnapshot routing, TimeoutsSpec timeouts,
                            ForwardingHeaders forwarding, Failover failover, RateLimiter rateLimiter,
                            Map<RespondSpec, FixedAnswer> answers) {

    public static ProxySnapshot compile(long generation, SwitchboardSpec spec, TokenUsers tokenUsers) {
        return compile(generation, spec, tokenUsers, PassiveHealth.NONE, new ProxyMetrics(), null, FollowedSynapse.of(spec));
    }

    /**
     * Compiles the next snapshot, carrying over the live state of endpoints that stayed; the
     * built-in table follows {@code followed}.
     */
    public static ProxySnapshot compile(long generation, SwitchboardSpec spec, TokenUsers tokenUsers, PassiveHealth health,
                                        ProxyMetrics metrics, ProxySnapshot previous, FollowedSynapse followed) {
        RoutingSnapshot routing = RoutingSnapshot.compile(spec, SynapsePreset.builtIn(), tokenUsers,
                previous == null ? null : previous.routing(), followed);
        RetryBudget retries = new RetryBudget(() -> inFlight(routing));
        return new ProxySnapshot(generation, spec, routing, spec.timeouts(),
                new ForwardingHeaders(new ClientAddressResolver(spec.clientAddress())), new Failover(health, retries, metrics),
                rateLimiter(spec, routing, previous), FixedAnswer.of(routing));
    }

    /**
     * The previous snapshot's buckets when the rate limits are laid out as before (a DNS change,
     * a reload that left them alone), so a recompile never hands a flood fresh buckets; new
     * buckets when they changed.
     */
    private static RateLimiter rateLimiter(SwitchboardSpec spec, RoutingSnapshot routing, ProxySnapshot previous) {
        if (routing.rateLimitSlots() == 0) {
            return null;
        }
        List<Object> layout = rateLimitLayout(routing, spec);
        if (previous != null && previous.rateLimiter() != null
                && layout.equals(rateLimitLayout(previous.routing(), previous.spec()))) {
            return previous.rateLimiter();
        }
        return new RateLimiter(routing.rateLimitSlots(), spec.limits().rateLimitAddresses(),
                com.github.benmanes.caffeine.cache.Ticker.systemTicker());
    }

    private static List<Object> rateLimitLayout(RoutingSnapshot routing, SwitchboardSpec spec) {
        List<Object> layout = new ArrayList<>();
        layout.add(spec.limits().rateLimitAddresses());
        for (Route route : routing.routeTable().routes()) {
            if (route.actions().rateLimit() != null) {
                // What the route matches, not its name: an own route is named by its position
                // (routes[3]), and a route inserted above it must not hand out fresh buckets.
                layout.add(route.host());
                layout.add(route.methods());
                layout.add(route.path().toString());
                layout.add(route.actions().rateLimit());
            }
        }
        return layout;
    }

    /** The precomputed answer of a route that responds itself. */
    public FixedAnswer answer(RespondSpec respond) {
        return answers.get(respond);
    }

    private static int inFlight(RoutingSnapshot routing) {
        int total = 0;
        for (Upstream upstream : routing.upstreams().values()) {
            for (Endpoint endpoint : upstream.endpoints()) {
                total += endpoint.load().inFlight();
            }
        }
        return total;
    }

    /** The first endpoint of the upstream serving Synapse's main process, or null. */
    public HostPort mainEndpoint() {
        Upstream main = routing.upstreams().get(spec.roles().getOrDefault("main", "main"));
        return main == null || main.endpoints().isEmpty() ? null : main.endpoints().get(0).address();
    }
}
