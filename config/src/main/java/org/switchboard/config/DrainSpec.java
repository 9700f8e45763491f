package org.switchboard.config;

import java.time.Duration;

/**
 * The graceful drain of a rollout (SIGTERM, or {@code POST /drain} on the admin listener).
 *
 * @param delay   from the signal until the listeners close: {@code /ready} answers 503 at once and
 *                new connections are still served meanwhile, while Kubernetes takes the pod out of
 *                its Service's endpoints (that removal and the signal happen concurrently)
 * @param timeout after the listeners closed, how long requests in flight (long polls, uploads)
 *                may take to finish; what is left then is closed
 * @param websocketSpread as the listeners close, each WebSocket tunnel's client is sent a Close
 *                1001 (Going Away) at a random moment within this, so that LiveKit's clients do
 *                not all come back to the other pods at once; 0 sends them all at once
 */
public record DrainSpec(Duration delay, Duration timeout, Duration websocketSpread) {
    public static final DrainSpec DEFAULTS = new DrainSpec(Duration.ofSeconds(5), Duration.ofSeconds(55),
            Duration.ofSeconds(10));
}
