package org.switchboard.config;

import java.time.Duration;

/**
 * @param connect          opening a connection to an endpoint
 * @param upstreamResponse the longest an upstream may stay silent while a response is due
 *                         (long enough for /sync long polls and slow initial syncs)
 * @param downstreamIdle   how long a client's keep-alive connection may sit between requests
 */
public record TimeoutsSpec(Duration connect, Duration upstreamResponse, Duration downstreamIdle) {
    public static final TimeoutsSpec DEFAULTS =
            new TimeoutsSpec(Duration.ofSeconds(5), Duration.ofSeconds(180), Duration.ofSeconds(75));
}
