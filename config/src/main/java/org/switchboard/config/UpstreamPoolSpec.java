package org.switchboard.config;

import java.time.Duration;

/**
 * Keep-alive connections towards endpoints.
 *
 * @param maxIdlePerEndpoint idle connections kept per endpoint and event loop; more are closed. Generous
 *                           by default: an HTTP/2 client multiplexes up to 100 streams on one
 *                           connection, so a few of them need hundreds of upstream connections at
 *                           once, and a smaller pool would close and reopen them at every burst
 *                           (idle ones still close after {@code idleTimeout})
 * @param idleTimeout        an idle connection is closed after this, before the upstream's own
 *                           keep-alive timeout could close it under a request in flight
 */
public record UpstreamPoolSpec(int maxIdlePerEndpoint, Duration idleTimeout) {
    public static final UpstreamPoolSpec DEFAULTS = new UpstreamPoolSpec(512, Duration.ofSeconds(30));
}
