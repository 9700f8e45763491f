package org.switchboard.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The whole parsed and validated config. Immutable. */
public record SwitchboardSpec(
        List<ListenerSpec> listeners,
        AdminSpec admin,
        Map<String, UpstreamSpec> upstreams,
        List<RouteEntrySpec> routes,
        Map<String, String> roles,
        TimeoutsSpec timeouts,
        UpstreamPoolSpec upstreamPool,
        UserLookupSpec userLookup,
        ClientAddressSpec clientAddress,
        LimitsSpec limits,
        AccessLogSpec accessLog,
        RuntimeSpec runtime,
        DiscoverySpec discovery,
        LoggingSpec logging,
        ClientHalfClose clientHalfClose,
        DrainSpec drain,
        WellKnownSpec wellKnown,
        String defaultHost,
        SynapseSpec synapse) {

    public SwitchboardSpec {
        listeners = List.copyOf(listeners);
        upstreams = Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
        routes = List.copyOf(routes);
        roles = Map.copyOf(roles);
        synapse = synapse == null ? SynapseSpec.AUTO : synapse;
    }

    /** With {@code synapse: {version: auto}}, the default. */
    public SwitchboardSpec(List<ListenerSpec> listeners, AdminSpec admin, Map<String, UpstreamSpec> upstreams,
                           List<RouteEntrySpec> routes, Map<String, String> roles, TimeoutsSpec timeouts,
                           UpstreamPoolSpec upstreamPool, UserLookupSpec userLookup, ClientAddressSpec clientAddress,
                           LimitsSpec limits, AccessLogSpec accessLog, RuntimeSpec runtime, DiscoverySpec discovery,
                           LoggingSpec logging, ClientHalfClose clientHalfClose, DrainSpec drain, WellKnownSpec wellKnown,
                           String defaultHost) {
        this(listeners, admin, upstreams, routes, roles, timeouts, upstreamPool, userLookup, clientAddress, limits,
                accessLog, runtime, discovery, logging, clientHalfClose, drain, wellKnown, defaultHost, SynapseSpec.AUTO);
    }

    /** Without the well-known documents and a default host. */
    public SwitchboardSpec(List<ListenerSpec> listeners, AdminSpec admin, Map<String, UpstreamSpec> upstreams,
                           List<RouteEntrySpec> routes, Map<String, String> roles, TimeoutsSpec timeouts,
                           UpstreamPoolSpec upstreamPool, UserLookupSpec userLookup, ClientAddressSpec clientAddress,
                           LimitsSpec limits, AccessLogSpec accessLog, RuntimeSpec runtime, DiscoverySpec discovery,
                           LoggingSpec logging, ClientHalfClose clientHalfClose, DrainSpec drain) {
        this(listeners, admin, upstreams, routes, roles, timeouts, upstreamPool, userLookup, clientAddress, limits,
                accessLog, runtime, discovery, logging, clientHalfClose, drain, null, null);
    }

    /** Without the sections that have defaults only: the application log as text, half-close as abandonment, the default drain. */
    public SwitchboardSpec(List<ListenerSpec> listeners, AdminSpec admin, Map<String, UpstreamSpec> upstreams,
                           List<RouteEntrySpec> routes, Map<String, String> roles, TimeoutsSpec timeouts,
                           UpstreamPoolSpec upstreamPool, UserLookupSpec userLookup, ClientAddressSpec clientAddress,
                           LimitsSpec limits, AccessLogSpec accessLog, RuntimeSpec runtime, DiscoverySpec discovery) {
        this(listeners, admin, upstreams, routes, roles, timeouts, upstreamPool, userLookup, clientAddress, limits,
                accessLog, runtime, discovery, LoggingSpec.DEFAULTS, ClientHalfClose.ABANDON, DrainSpec.DEFAULTS);
    }

    /**
     * What runs without {@code --config}: every request on 0.0.0.0:8080 goes to a single Synapse
     * on its default port, 127.0.0.1:8008 (the built-in table, every role falling back to main).
     */
    public static SwitchboardSpec singleSynapseDefault() {
        UpstreamSpec main = UpstreamSpec.of("main", List.of(EndpointSpec.of(HostPort.of("127.0.0.1", 8008))));
        return new SwitchboardSpec(
                List.of(ListenerSpec.of("client", HostPort.of("0.0.0.0", 8080))),
                AdminSpec.of(AdminSpec.DEFAULT_ADDRESS),
                Map.of("main", main),
                List.of(PresetSpec.synapse("routes (default)")),
                Map.of(),
                TimeoutsSpec.DEFAULTS,
                UpstreamPoolSpec.DEFAULTS,
                UserLookupSpec.DEFAULTS,
                ClientAddressSpec.DEFAULTS,
                LimitsSpec.DEFAULTS,
                AccessLogSpec.DEFAULTS,
                RuntimeSpec.DEFAULTS,
                DiscoverySpec.DEFAULTS);
    }

    public SwitchboardSpec withListeners(List<ListenerSpec> newListeners) {
        return new SwitchboardSpec(newListeners, admin, upstreams, routes, roles, timeouts, upstreamPool, userLookup, clientAddress, limits, accessLog, runtime, discovery, logging, clientHalfClose, drain, wellKnown, defaultHost, synapse);
    }

    public SwitchboardSpec withRoutes(List<RouteEntrySpec> newRoutes) {
        return new SwitchboardSpec(listeners, admin, upstreams, newRoutes, roles, timeouts, upstreamPool, userLookup, clientAddress, limits, accessLog, runtime, discovery, logging, clientHalfClose, drain, wellKnown, defaultHost, synapse);
    }

    public SwitchboardSpec withUpstreams(Map<String, UpstreamSpec> newUpstreams) {
        return new SwitchboardSpec(listeners, admin, newUpstreams, routes, roles, timeouts, upstreamPool, userLookup, clientAddress, limits, accessLog, runtime, discovery, logging, clientHalfClose, drain, wellKnown, defaultHost, synapse);
    }

    public SwitchboardSpec withAdmin(AdminSpec newAdmin) {
        return new SwitchboardSpec(listeners, newAdmin, upstreams, routes, roles, timeouts, upstreamPool, userLookup, clientAddress, limits, accessLog, runtime, discovery, logging, clientHalfClose, drain, wellKnown, defaultHost, synapse);
    }

    /** The Matrix well-known documents answered by the proxy itself, or null for none. */
    public SwitchboardSpec withWellKnown(WellKnownSpec newWellKnown) {
        return new SwitchboardSpec(listeners, admin, upstreams, routes, roles, timeouts, upstreamPool, userLookup, clientAddress, limits, accessLog, runtime, discovery, logging, clientHalfClose, drain, newWellKnown, defaultHost, synapse);
    }

    /**
     * The host whose routes serve a request for a host no route names (lower case), or null:
     * then such a request gets the routes that name no host, and 404 when there are none.
     */
    public SwitchboardSpec withDefaultHost(String newDefaultHost) {
        return new SwitchboardSpec(listeners, admin, upstreams, routes, roles, timeouts, upstreamPool, userLookup, clientAddress, limits, accessLog, runtime, discovery, logging, clientHalfClose, drain, wellKnown, newDefaultHost, synapse);
    }

    /** What the built-in table knows of the Synapse it fronts: a pinned release, or auto. */
    public SwitchboardSpec withSynapse(SynapseSpec newSynapse) {
        return new SwitchboardSpec(listeners, admin, upstreams, routes, roles, timeouts, upstreamPool, userLookup, clientAddress, limits, accessLog, runtime, discovery, logging, clientHalfClose, drain, wellKnown, defaultHost, newSynapse);
    }
}
