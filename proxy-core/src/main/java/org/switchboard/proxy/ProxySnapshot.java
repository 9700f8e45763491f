package org.switchboard.proxy;

import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.TimeoutsSpec;
import org.switchboard.routing.RoutingSnapshot;

/**
 * The config in force, compiled: what a request reads once at its start and keeps to its end.
 * Swapped whole (one AtomicReference) when a new config is applied.
 */
public record ProxySnapshot(long generation, SwitchboardSpec spec, RoutingSnapshot routing, TimeoutsSpec timeouts) {

    public static ProxySnapshot compile(long generation, SwitchboardSpec spec) {
        return new ProxySnapshot(generation, spec, RoutingSnapshot.compile(spec), spec.timeouts());
    }
}
