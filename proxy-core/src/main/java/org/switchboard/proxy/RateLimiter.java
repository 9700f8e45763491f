package org.switchboard.proxy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import org.switchboard.config.RateLimitSpec;

/**
 * The rate limits of a snapshot's routes, per client address: a token bucket per address and
 * rate-limited route, kept as GCRA's single "theoretical arrival time" (one long updated by
 * compare-and-set, so event loops never share a lock). The addresses live in a bounded Caffeine
 * cache: at most {@code limits.rateLimitAddresses}, the least recently seen evicted first, so
 * memory does not grow with an attacker's addresses. An address is allocated for once, when first
 * seen; after that a request allocates nothing.
 */
final class RateLimiter {
    /** A slot never used: any arrival time is later. */
    private static final long EMPTY = Long.MIN_VALUE;

    private final Cache<String, AtomicLongArray> addresses;
    private final Ticker ticker;
    private final Function<String, AtomicLongArray> newBuckets;

    RateLimiter(int slots, int maxAddresses, Ticker ticker) {
        this.ticker = ticker;
        this.addresses = Caffeine.newBuilder().maximumSize(maxAddresses).ticker(ticker).build();
        this.newBuckets = address -> {
            AtomicLongArray buckets = new AtomicLongArray(slots);
            for (int i = 0; i < slots; i++) {
                buckets.set(i, EMPTY);
            }
            return buckets;
        };
    }

    /**
     * Takes a token of {@code slot}'s bucket for {@code client}.
     *
     * @return 0 when admitted, else how many nanoseconds until a request would be
     */
    long acquire(String client, int slot, RateLimitSpec limit) {
        AtomicLongArray buckets = addresses.getIfPresent(client);
        if (buckets == null) {
            buckets = addresses.get(client, newBuckets);
        }
        long interval = limit.nanosPerRequest();
        // Saturated well short of overflow (a slow limit with a huge burst), where it means "plenty".
        long tolerance = interval <= (Long.MAX_VALUE >> 2) / limit.burst() ? interval * limit.burst() : Long.MAX_VALUE >> 2;
        while (true) {
            long now = ticker.read();
            long arrival = buckets.get(slot);
            long next = Math.max(arrival, now) + interval;
            if (next - now > tolerance) {
                return next - now - tolerance;
            }
            if (buckets.compareAndSet(slot, arrival, next)) {
                return 0;
            }
        }
    }

    /** Addresses with buckets now (Caffeine's estimate: evictions may still be pending). */
    long addresses() {
        return addresses.estimatedSize();
    }

    /** Runs pending evictions, so {@link #addresses()} is exact (tests, the gauge). */
    void cleanUp() {
        addresses.cleanUp();
    }
}
