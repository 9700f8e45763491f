package org.switchboard.config;

import java.util.List;

/**
 * A named group of Synapse processes, e.g. {@code synchrotron}.
 *
 * @param endpoints         the literal endpoints; for an upstream discovered by {@code dns}, the
 *                          endpoints last found (empty in the spec as written)
 * @param dns               where the endpoints come from when discovered by DNS, else null
 * @param loadBalancer      the configured load balancer, or null for the default of the upstream's
 *                          role (ring hash for synchrotrons, least request for generic and media)
 * @param hashBalanceFactor ring hash's bounded load (e.g. 1.25: no endpoint above 125% of the
 *                          mean in-flight load); 0 turns it off, the default
 * @param healthCheck       the effective active health check: the upstream's own keys over the top-level default
 * @param outlierDetection  the effective outlier ejection, merged the same way
 */
public record UpstreamSpec(String name, List<EndpointSpec> endpoints, DnsSpec dns, LoadBalancerKind loadBalancer,
                           double hashBalanceFactor, HealthCheckSpec healthCheck,
                           OutlierDetectionSpec outlierDetection) {
    public UpstreamSpec {
        endpoints = List.copyOf(endpoints);
    }

    public static UpstreamSpec of(String name, List<EndpointSpec> endpoints) {
        return new UpstreamSpec(name, endpoints, null, null, 0, HealthCheckSpec.DEFAULTS, OutlierDetectionSpec.DEFAULTS);
    }

    public UpstreamSpec withLoadBalancer(LoadBalancerKind kind) {
        return new UpstreamSpec(name, endpoints, dns, kind, hashBalanceFactor, healthCheck, outlierDetection);
    }

    /** The same upstream with the endpoints discovery found. */
    public UpstreamSpec withEndpoints(List<EndpointSpec> discovered) {
        return new UpstreamSpec(name, discovered, dns, loadBalancer, hashBalanceFactor, healthCheck, outlierDetection);
    }

    public UpstreamSpec withHealthCheck(HealthCheckSpec newHealthCheck) {
        return new UpstreamSpec(name, endpoints, dns, loadBalancer, hashBalanceFactor, newHealthCheck, outlierDetection);
    }

    public UpstreamSpec withOutlierDetection(OutlierDetectionSpec newOutlierDetection) {
        return new UpstreamSpec(name, endpoints, dns, loadBalancer, hashBalanceFactor, healthCheck, newOutlierDetection);
    }
}
