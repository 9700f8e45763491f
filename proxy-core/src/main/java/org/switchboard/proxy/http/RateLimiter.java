package org.switchboard.proxy.http;

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
public final class RateLimiter {
    /** A slot never used: any arrival time is later. */
    private static final long EMPTY = Long.MIN_VALUE;

    private final Cache<String, AtomicLongArray> addresses;
    private final Ticker ticker;
    private final Function<String, AtomicLongArray> newBuckets;

    public RateLimiter(int slots, int maxAddresses, Ticker ticker) {
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

    /**
     * The bucket key of a client: its IPv4 address as written, or the /64 of an IPv6 address,
     * since one subscriber gets a whole /64 and could take a fresh bucket for every request from
     * inside it.
     */
    static String keyOf(byte[] address, String text) {
        if (address.length != 16 || isIpv4Mapped(address)) {
            return text;
        }
        StringBuilder prefix = new StringBuilder(24);
        for (int group = 0; group < 4; group++) {
            prefix.append(Integer.toHexString(((address[2 * group] & 0xff) << 8) | (address[2 * group + 1] & 0xff))).append(':');
        }
        return prefix.append(":/64").toString();
    }

    /** {@code ::ffff:a.b.c.d}: an IPv4 client on a dual-stack socket, limited by its own address. */
    private static boolean isIpv4Mapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
    }

    /** Addresses with buckets now (Caffeine's estimate: evictions may still be pending). */
    public long addresses() {
        return addresses.estimatedSize();
    }

    /** Runs pending evictions, so {@link #addresses()} is exact (tests, the gauge). */
    void cleanUp() {
        addresses.cleanUp();
    }
}
