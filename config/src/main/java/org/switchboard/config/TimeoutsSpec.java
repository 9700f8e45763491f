package org.switchboard.config;

import java.time.Duration;

/**
 * @param connect          opening a connection to an endpoint
 * @param upstreamResponse the longest an upstream may stay silent while a response is due, or
 *                         take none of a request body (long enough for /sync long polls and slow
 *                         initial syncs); not timed while the client is the one not reading
 * @param downstreamIdle   how long a client's keep-alive connection may sit between requests,
 *                         and how long a client may take none of its response before it is cut off
 * @param requestHeader    how long a client may take to send a request head once it has begun
 *                         (slowloris): 408 and close after that
 * @param requestBody      the longest a request body may pause between bytes (slowloris on the
 *                         body, which would otherwise hold an upstream connection): 408 and close
 * @param websocketIdle    a WebSocket tunnel with no byte either way for this long is closed
 */
public record TimeoutsSpec(Duration connect, Duration upstreamResponse, Duration downstreamIdle, Duration requestHeader,
                           Duration requestBody, Duration websocketIdle) {
    public static final TimeoutsSpec DEFAULTS = new TimeoutsSpec(Duration.ofSeconds(5), Duration.ofSeconds(180),
            Duration.ofSeconds(75), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(120));

    /** With the defaults of the timeouts added since ({@code requestBody}, {@code websocketIdle}). */
    public TimeoutsSpec(Duration connect, Duration upstreamResponse, Duration downstreamIdle, Duration requestHeader) {
        this(connect, upstreamResponse, downstreamIdle, requestHeader, DEFAULTS.requestBody(), DEFAULTS.websocketIdle());
    }
}
