package org.switchboard.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The whole parsed and validated config. Immutable. */
public record SwitchboardSpec(
        List<ListenerSpec> listeners,
        AdminSpec admin,
        Map<String, UpstreamSpec> upstreams,
        List<RouteSpec> routes,
        TimeoutsSpec timeouts,
        UpstreamPoolSpec upstreamPool,
        RuntimeSpec runtime) {

    public SwitchboardSpec {
        listeners = List.copyOf(listeners);
        upstreams = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
        routes = List.copyOf(routes);
    }

    /**
     * What runs without {@code --config}: every request on 0.0.0.0:8080 goes to a single Synapse
     * on its default port, 127.0.0.1:8008.
     */
    public static SwitchboardSpec singleSynapseDefault() {
        UpstreamSpec main = UpstreamSpec.of("main", List.of(EndpointSpec.of(HostPort.of("127.0.0.1", 8008))));
        return new SwitchboardSpec(
                List.of(ListenerSpec.of("client", HostPort.of("0.0.0.0", 8080))),
                AdminSpec.of(AdminSpec.DEFAULT_ADDRESS),
                Map.of("main", main),
                List.of(RouteSpec.of(PathMatchSpec.prefix("/"), "main")),
                TimeoutsSpec.DEFAULTS,
                UpstreamPoolSpec.DEFAULTS,
                RuntimeSpec.DEFAULTS);
    }

    public SwitchboardSpec withListeners(List<ListenerSpec> newListeners) {
        return new SwitchboardSpec(newListeners, admin, upstreams, routes, timeouts, upstreamPool, runtime);
    }

    public SwitchboardSpec withAdmin(AdminSpec newAdmin) {
        return new SwitchboardSpec(listeners, newAdmin, upstreams, routes, timeouts, upstreamPool, runtime);
    }
}
