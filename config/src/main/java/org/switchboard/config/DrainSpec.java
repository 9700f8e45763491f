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
 */
public record DrainSpec(Duration delay, Duration timeout) {
    public static final DrainSpec DEFAULTS = new DrainSpec(Duration.ofSeconds(5), Duration.ofSeconds(55));
}
