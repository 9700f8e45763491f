package org.switchboard.config;

import java.time.Duration;
import java.util.List;

/**
 * A route's per-client-address rate limit: {@code requests} per {@code per} on average, up to
 * {@code burst} at once; addresses in {@code exempt} are never limited (an office's NAT address,
 * the cluster's own ranges).
 */
public record RateLimitSpec(int requests, Duration per, int burst, List<Cidr> exempt) {
    public RateLimitSpec {
        exempt = List.copyOf(exempt);
    }

    /** The time one request's token takes to come back, in nanoseconds (at least 1). */
    public long nanosPerRequest() {
        Duration interval = per.dividedBy(requests);
        // Nanoseconds overflow a long past 292 years; anything past 10,000 days means "once" anyway.
        return interval.compareTo(Duration.ofDays(10_000)) > 0 ? Duration.ofDays(10_000).toNanos()
                : Math.max(1, interval.toNanos());
    }

    public boolean exempts(byte[] address) {
        for (Cidr cidr : exempt) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
