package org.switchboard.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.switchboard.config.Cidr;
import org.switchboard.config.RateLimitSpec;

/** GCRA buckets per address and route over a fake clock; the address cache stays bounded. */
class RateLimiterTest {
    private static final RateLimitSpec TEN_PER_SECOND_BURST_20 = new RateLimitSpec(10, Duration.ofSeconds(1), 20, List.of());
    private long now = -5_000_000_000L; // System.nanoTime may be negative: the buckets must not care
    private final Ticker ticker = () -> now;

    @Test
    void aBurstIsAdmittedThenOneRequestPerInterval() {
        RateLimiter limiter = new RateLimiter(1, 100, ticker);
        for (int i = 0; i < 20; i++) {
            assertEquals(0, limiter.acquire("192.0.2.1", 0, TEN_PER_SECOND_BURST_20), "request " + i + " of the burst");
        }
        long wait = limiter.acquire("192.0.2.1", 0, TEN_PER_SECOND_BURST_20);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(100), wait, "one token comes back every 100 ms");
        now += TimeUnit.MILLISECONDS.toNanos(60);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(40), limiter.acquire("192.0.2.1", 0, TEN_PER_SECOND_BURST_20));
        now += TimeUnit.MILLISECONDS.toNanos(40);
        assertEquals(0, limiter.acquire("192.0.2.1", 0, TEN_PER_SECOND_BURST_20));
        assertTrue(limiter.acquire("192.0.2.1", 0, TEN_PER_SECOND_BURST_20) > 0);
    }

    @Test
    void anIpv6ClientIsLimitedByItsSlash64AndIpv4ByItsAddress() {
        byte[] one = Cidr.IpLiterals.parse("2001:db8:1:2::1");
        byte[] sameSlash64 = Cidr.IpLiterals.parse("2001:db8:1:2:ffff::7");
        byte[] otherSlash64 = Cidr.IpLiterals.parse("2001:db8:1:3::1");
        assertEquals("2001:db8:1:2::/64", RateLimiter.keyOf(one, "2001:db8:1:2::1"));
        assertEquals(RateLimiter.keyOf(one, "a"), RateLimiter.keyOf(sameSlash64, "b"));
        assertNotEquals(RateLimiter.keyOf(one, "a"), RateLimiter.keyOf(otherSlash64, "c"));
        assertEquals("10.0.0.7", RateLimiter.keyOf(new byte[] {10, 0, 0, 7}, "10.0.0.7"));
        assertEquals("::ffff:10.0.0.7", RateLimiter.keyOf(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff,
                10, 0, 0, 7}, "::ffff:10.0.0.7"), "an IPv4 client on a dual-stack socket keeps its own bucket");
    }

    @Test
    void aRefusedRequestTakesNoToken() {
        RateLimiter limiter = new RateLimiter(1, 100, ticker);
        RateLimitSpec onePerSecond = new RateLimitSpec(1, Duration.ofSeconds(1), 1, List.of());
        assertEquals(0, limiter.acquire("a", 0, onePerSecond));
        for (int i = 0; i < 100; i++) {
            assertTrue(limiter.acquire("a", 0, onePerSecond) > 0);
        }
        now += TimeUnit.SECONDS.toNanos(1);
        assertEquals(0, limiter.acquire("a", 0, onePerSecond), "hammering while refused does not push the next token away");
    }

    @Test
    void addressesAndRoutesHaveBucketsOfTheirOwn() {
        RateLimiter limiter = new RateLimiter(2, 100, ticker);
        RateLimitSpec one = new RateLimitSpec(1, Duration.ofMinutes(1), 1, List.of());
        assertEquals(0, limiter.acquire("a", 0, one));
        assertTrue(limiter.acquire("a", 0, one) > 0);
        assertEquals(0, limiter.acquire("a", 1, one), "another route");
        assertEquals(0, limiter.acquire("b", 0, one), "another address");
    }

    @Test
    void idleBucketsRefillToTheBurstAndNoFurther() {
        RateLimiter limiter = new RateLimiter(1, 100, ticker);
        RateLimitSpec twoBurst = new RateLimitSpec(1, Duration.ofSeconds(1), 2, List.of());
        now += TimeUnit.HOURS.toNanos(1);
        assertEquals(0, limiter.acquire("a", 0, twoBurst));
        assertEquals(0, limiter.acquire("a", 0, twoBurst));
        assertTrue(limiter.acquire("a", 0, twoBurst) > 0);
    }

    @Test
    void absurdlySlowLimitsDoNotOverflow() {
        RateLimiter limiter = new RateLimiter(1, 100, ticker);
        RateLimitSpec slow = new RateLimitSpec(1, Duration.ofDays(365_000), 1_000_000, List.of());
        assertEquals(0, limiter.acquire("a", 0, slow));
        assertEquals(0, limiter.acquire("a", 0, slow));
        for (int i = 0; i < 100; i++) {
            long wait = limiter.acquire("a", 0, slow);
            assertTrue(wait >= 0 && wait <= Duration.ofDays(10_000).toNanos(), "wait " + wait);
        }
        RateLimitSpec slowAndSmall = new RateLimitSpec(1, Duration.ofDays(20_000), 1, List.of());
        assertEquals(0, limiter.acquire("b", 0, slowAndSmall));
        assertEquals(Duration.ofDays(10_000).toNanos(), limiter.acquire("b", 0, slowAndSmall), "capped at 10,000 days");
    }

    @Test
    void theCacheKeepsAtMostItsBoundOfAddresses() {
        RateLimiter limiter = new RateLimiter(1, 1000, ticker);
        for (int i = 0; i < 20_000; i++) {
            limiter.acquire("10.0." + (i >> 8) + "." + (i & 0xff), 0, TEN_PER_SECOND_BURST_20);
        }
        limiter.cleanUp();
        assertTrue(limiter.addresses() <= 1000, limiter.addresses() + " addresses kept");
    }

    @Test
    void retryAfterIsMillisecondsInTheBodyAndWholeSecondsRoundedUpInTheHead() {
        RateLimited limited = new RateLimited(TimeUnit.MILLISECONDS.toNanos(1500) + 1);
        assertEquals(1501, limited.retryAfterMillis());
        assertEquals(2, limited.retryAfterSeconds());
        ByteBuf out = limited.encoded(UnpooledByteBufAllocator.DEFAULT, false, false, false);
        String text = out.toString(StandardCharsets.US_ASCII);
        out.release();
        String body = "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too many requests\",\"retry_after_ms\":1501}";
        assertEquals("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\nRetry-After: 2\r\nCache-Control: no-store\r\nAccess-Control-Allow-Origin: *\r\n"
                + "Access-Control-Allow-Methods: GET, POST, PUT, DELETE, OPTIONS\r\n"
                + "Access-Control-Allow-Headers: X-Requested-With, Content-Type, Authorization\r\n\r\n" + body, text);
        assertEquals(body.length(), limited.bodyLength());
        assertEquals(1, new RateLimited(1).retryAfterMillis(), "never 0: come back at once would be a lie");
    }
}
