package org.switchboard.config;

import java.time.Duration;

/**
 * Keep-alive connections towards endpoints.
 *
 * @param maxIdlePerEndpoint idle connections kept per endpoint and event loop; more are closed
 * @param idleTimeout        an idle connection is closed after this, before the upstream's own
 *                           keep-alive timeout could close it under a request in flight
 */
public record UpstreamPoolSpec(int maxIdlePerEndpoint, Duration idleTimeout) {
    public static final UpstreamPoolSpec DEFAULTS = new UpstreamPoolSpec(64, Duration.ofSeconds(30));
}
