package org.switchboard.config;

import java.time.Duration;

/**
 * Outlier ejection (passive, from real requests, as in Envoy): an endpoint that fails
 * {@code consecutiveFailures} requests in a row (failed connects, resets, timeouts, invalid
 * answers, 503; not the 500 of one request's exception, which any client can cause)
 * is ejected for {@code baseEjectionTime} times the number of times it has been ejected, at most
 * {@code maxEjectionTime}. Merged like {@link HealthCheckSpec}: top-level default, per-upstream override.
 *
 * @param maxEjectionPercent never eject more than this share of an upstream's endpoints (rounded
 *                           down: 50% of 3 endpoints is 1, of 1 endpoint is 0); 0 turns ejection off
 */
public record OutlierDetectionSpec(int consecutiveFailures, Duration baseEjectionTime, Duration maxEjectionTime,
                                   int maxEjectionPercent) {
    public static final OutlierDetectionSpec DEFAULTS =
            new OutlierDetectionSpec(5, Duration.ofSeconds(30), Duration.ofSeconds(300), 50);
}
