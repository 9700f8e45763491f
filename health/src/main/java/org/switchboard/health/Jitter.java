package org.switchboard.health;

import java.time.Duration;
import java.util.SplittableRandom;
import org.switchboard.routing.Hashing;

/**
 * Spreads health checks over time so that replicas of the proxy, and the endpoints of one
 * upstream, are not probed in lockstep. Pure: the same seed, endpoint and round give the same
 * delay. Each proxy process picks its own seed once (at random, or from its pod name); tests fix it.
 *
 * <p>Only the first delay uses the whole interval. Later delays are at most the interval and at
 * least 90% of it: enough drift to keep replicas apart, while an endpoint's state still changes
 * within interval x threshold as the issue promises.
 */
public record Jitter(long seed) {
    /** Later delays are shortened by up to this share of the interval. */
    private static final int SPREAD_PERCENT = 10;

    /** Before the first check of {@code endpoint}: in [0, interval). */
    public Duration firstDelay(String endpoint, Duration interval) {
        return Duration.ofNanos(random(endpoint, 0).nextLong(positiveNanos(interval)));
    }

    /**
     * Between check {@code round} and the next one (rounds count from 1): in
     * (interval - 10%, interval], so never longer than the interval.
     */
    public Duration nextDelay(String endpoint, long round, Duration interval) {
        long nanos = positiveNanos(interval);
        long spread = Math.max(1, nanos / 100 * SPREAD_PERCENT);
        return Duration.ofNanos(nanos - random(endpoint, round).nextLong(spread));
    }

    /** {@link Hashing} sends ids that differ in one digit (10.0.0.1:8083, 10.0.0.2:8083) far apart. */
    private SplittableRandom random(String endpoint, long round) {
        return new SplittableRandom(seed ^ Hashing.hash(endpoint) ^ round * 0x9E3779B97F4A7C15L);
    }

    private static long positiveNanos(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        return interval.toNanos();
    }
}
