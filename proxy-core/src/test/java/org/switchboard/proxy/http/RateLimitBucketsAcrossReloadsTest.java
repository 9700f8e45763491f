package org.switchboard.proxy.http;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.switchboard.config.ConfigException;
import org.switchboard.config.ConfigLoader;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.proxy.router.PassiveHealth;
import org.switchboard.proxy.stats.ProxyMetrics;
import org.switchboard.routing.FollowedSynapse;
import org.switchboard.routing.TokenUsers;

/**
 * A reload keeps the rate-limit buckets when it leaves every limit as it was (README): an own
 * route is named by its position, so a route inserted above a limited one must not count as a
 * change, or every reload of that kind hands a flood fresh buckets.
 */
class RateLimitBucketsAcrossReloadsTest {
    private static final String HEAD = """
            listeners: [{name: client, address: "127.0.0.1:0"}]
            upstreams: {main: {endpoints: ["127.0.0.1:1"]}}
            routes:
            """;
    private static final String LIMITED = "  - {path: {prefix: /login}, rateLimit: {requests: 1, per: 60s}, upstream: main}\n";
    private static final String REST = "  - {path: {prefix: /}, upstream: main}\n";

    private static ProxySnapshot compile(String routes, ProxySnapshot previous) throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse(HEAD + routes, "test");
        return ProxySnapshot.compile(previous == null ? 1 : previous.generation() + 1, spec, TokenUsers.NONE,
                PassiveHealth.NONE, new ProxyMetrics(), previous, FollowedSynapse.of(spec));
    }

    @Test
    void aRouteInsertedAboveTheLimitedOneKeepsTheBuckets() throws ConfigException {
        ProxySnapshot before = compile(LIMITED + REST, null);
        ProxySnapshot after = compile("  - {path: {prefix: /robots.txt}, respond: {body: x}}\n" + LIMITED + REST, before);
        assertSame(before.rateLimiter(), after.rateLimiter());
    }

    @Test
    void aRouteAppendedBelowKeepsTheBuckets() throws ConfigException {
        ProxySnapshot before = compile(LIMITED + REST, null);
        ProxySnapshot after = compile(LIMITED + REST + "  - {path: {prefix: /x}, upstream: main}\n", before);
        assertSame(before.rateLimiter(), after.rateLimiter());
    }

    @Test
    void aChangedLimitOrPathGetsFreshBuckets() throws ConfigException {
        ProxySnapshot before = compile(LIMITED + REST, null);
        ProxySnapshot slower = compile(LIMITED.replace("per: 60s", "per: 120s") + REST, before);
        ProxySnapshot elsewhere = compile(LIMITED.replace("/login", "/register") + REST, before);
        assertNotSame(before.rateLimiter(), slower.rateLimiter());
        assertNotSame(before.rateLimiter(), elsewhere.rateLimiter());
    }
}
