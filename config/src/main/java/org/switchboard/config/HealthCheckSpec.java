package org.switchboard.config;

import java.time.Duration;

/**
 * Active health checking of an upstream's endpoints: a GET of {@code path} every {@code interval}.
 * The top-level {@code healthCheck} section sets the default; an upstream's own section overrides
 * any subset of keys, so this record always holds the effective, merged values.
 *
 * @param path               requested on each endpoint (Synapse answers {@code /health} on every worker)
 * @param interval           between two checks of one endpoint
 * @param timeout            one check's limit; shorter than {@code interval} so checks never overlap
 * @param healthyThreshold   consecutive passed checks that make an endpoint healthy again
 * @param unhealthyThreshold consecutive failed checks that make an endpoint unhealthy
 */
public record HealthCheckSpec(String path, Duration interval, Duration timeout, int healthyThreshold,
                              int unhealthyThreshold) {
    public static final HealthCheckSpec DEFAULTS =
            new HealthCheckSpec("/health", Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3);
}
