package org.switchboard.proxy;

import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.TimeoutsSpec;
import org.switchboard.config.HostPort;
import org.switchboard.proxy.metrics.ProxyMetrics;
import org.switchboard.routing.ClientAddressResolver;
import org.switchboard.routing.RoutingSnapshot;
import org.switchboard.routing.SynapsePreset;
import org.switchboard.routing.TokenUsers;
import org.switchboard.routing.Upstream;

/**
 * The config in force, compiled: what a request reads once at its start and keeps to its end.
 * Swapped whole (one AtomicReference) when a new config is applied.
 */
public record ProxySnapshot(long generation, SwitchboardSpec spec, RoutingSnapshot routing, TimeoutsSpec timeouts,
                            ForwardingHeaders forwarding, Failover failover) {

    public static ProxySnapshot compile(long generation, SwitchboardSpec spec, TokenUsers tokenUsers) {
        return compile(generation, spec, tokenUsers, PassiveHealth.NONE, new ProxyMetrics(), null);
    }

    /** Compiles the next snapshot, carrying over the live state of endpoints that stayed. */
    static ProxySnapshot compile(long generation, SwitchboardSpec spec, TokenUsers tokenUsers, PassiveHealth health,
                                 ProxyMetrics metrics, ProxySnapshot previous) {
        RoutingSnapshot routing = RoutingSnapshot.compile(spec, SynapsePreset.builtIn(), tokenUsers,
                previous == null ? null : previous.routing());
        RetryBudget retries = new RetryBudget(() -> inFlight(routing));
        return new ProxySnapshot(generation, spec, routing, spec.timeouts(),
                new ForwardingHeaders(new ClientAddressResolver(spec.clientAddress())), new Failover(health, retries, metrics));
    }

    private static int inFlight(RoutingSnapshot routing) {
        int total = 0;
        for (Upstream upstream : routing.upstreams().values()) {
            for (org.switchboard.routing.Endpoint endpoint : upstream.endpoints()) {
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
