package org.switchboard.proxy;

import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.TimeoutsSpec;
import org.switchboard.config.HostPort;
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
                            ForwardingHeaders forwarding) {

    public static ProxySnapshot compile(long generation, SwitchboardSpec spec, TokenUsers tokenUsers) {
        return new ProxySnapshot(generation, spec, RoutingSnapshot.compile(spec, SynapsePreset.builtIn(), tokenUsers),
                spec.timeouts(), new ForwardingHeaders(new ClientAddressResolver(spec.clientAddress())));
    }

    /** The first endpoint of the upstream serving Synapse's main process, or null. */
    public HostPort mainEndpoint() {
        Upstream main = routing.upstreams().get(spec.roles().getOrDefault("main", "main"));
        return main == null || main.endpoints().isEmpty() ? null : main.endpoints().get(0).address();
    }
}
