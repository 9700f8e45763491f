package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.switchboard.config.Cidr;
import org.switchboard.config.PathMatchSpec;
import org.switchboard.config.RateLimitSpec;
import org.switchboard.config.RespondSpec;
import org.switchboard.config.RouteSpec;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.WellKnownSpec;
import org.switchboard.routing.RouteTableTest.TestRequest;

/** allow, rateLimit slots, respond and stripPrefix compiled into routes; the well-known routes. */
class RouteActionsTest {
    private static final RateLimitSpec TEN_PER_SECOND = new RateLimitSpec(10, Duration.ofSeconds(1), 20, List.of());
    private static final RespondSpec ROBOTS = new RespondSpec(200, "text/plain", Map.of(),
            "User-agent: *\n".getBytes(StandardCharsets.UTF_8));

    private static final RoutingSnapshot SNAPSHOT = RoutingSnapshot.compile(RouteTableTest.spec(List.of(
            RouteSpec.of(PathMatchSpec.prefix("/_synapse/admin/"), "main")
                    .withAllow(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"))),
            RouteSpec.of(PathMatchSpec.prefix("/_matrix/client/v3/login"), "main").withRateLimit(TEN_PER_SECOND),
            RouteSpec.of(PathMatchSpec.prefix("/robots.txt"), null).withRespond(ROBOTS),
            RouteSpec.of(PathMatchSpec.prefix("/livekit/jwt/"), "generic").withStripPrefix(true),
            RouteSpec.of(PathMatchSpec.prefix("/_matrix/client/v3/register"), "main").withRateLimit(TEN_PER_SECOND),
            RouteSpec.of(PathMatchSpec.prefix("/"), "main"))));

    @Test
    void anAllowListAdmitsItsRangesOnly() {
        RouteActions admin = SNAPSHOT.route(new TestRequest("GET", "/_synapse/admin/v1/users", null)).actions();
        assertTrue(admin.admits(new byte[] {10, 1, 2, 3}));
        assertTrue(admin.admits(Cidr.IpLiterals.parse("fd00::1")));
        assertFalse(admin.admits(new byte[] {11, 1, 2, 3}));
        assertFalse(admin.admits(Cidr.IpLiterals.parse("2001:db8::1")));
        assertTrue(SNAPSHOT.route(new TestRequest("GET", "/", null)).actions().admits(new byte[] {11, 1, 2, 3}));
    }

    @Test
    void eachRateLimitedRouteHasItsOwnSlot() {
        assertEquals(2, SNAPSHOT.rateLimitSlots());
        assertEquals(0, SNAPSHOT.route(new TestRequest("POST", "/_matrix/client/v3/login", null)).actions().rateLimitSlot());
        assertEquals(1, SNAPSHOT.route(new TestRequest("POST", "/_matrix/client/v3/register", null)).actions().rateLimitSlot());
        assertEquals(-1, SNAPSHOT.route(new TestRequest("GET", "/", null)).actions().rateLimitSlot());
    }

    @Test
    void aRespondingRouteHasNoUpstream() {
        Route robots = SNAPSHOT.route(new TestRequest("GET", "/robots.txt", null));
        assertTrue(robots.responds());
        assertNull(robots.upstream());
        assertEquals("local", robots.upstreamName());
        assertSame(ROBOTS, robots.actions().respond());
        assertFalse(robots.hashes());
    }

    @ParameterizedTest
    @CsvSource({
            "/livekit/jwt/get_token, /get_token",
            "/livekit/jwt/, /",
            "/livekit/jwt/sfu/get, /sfu/get",
    })
    void stripPrefixKeepsTheLeadingSlash(String path, String upstreamPath) {
        Route route = SNAPSHOT.route(new TestRequest("GET", path, null));
        assertEquals("generic", route.upstream().name());
        assertEquals(upstreamPath, route.actions().upstreamPath(path));
    }

    @Test
    void aPrefixWithoutATrailingSlashStillLeavesAPath() {
        RouteActions actions = RouteActions.of(null, null, -1, null, "/livekit/sfu");
        assertEquals("/rtc", actions.upstreamPath("/livekit/sfu/rtc"));
        assertEquals("/", actions.upstreamPath("/livekit/sfu"));
        assertEquals("/other", actions.upstreamPath("/other"));
    }

    private static final WellKnownSpec WELL_KNOWN = new WellKnownSpec(List.of("example.com", "matrix.example.com"),
            "{\"m.homeserver\":{\"base_url\":\"https://matrix.example.com\"}}", "{\"m.server\":\"matrix.example.com:443\"}",
            null);

    private static RoutingSnapshot withWellKnown(WellKnownSpec wellKnown) {
        SwitchboardSpec spec = RouteTableTest.spec(List.of(RouteSpec.of(PathMatchSpec.prefix("/"), "main")));
        return RoutingSnapshot.compile(spec.withWellKnown(wellKnown));
    }

    @ParameterizedTest(name = "{0} {1} host={2} -> {3}")
    @CsvSource(nullValues = "-", value = {
            "GET,     /.well-known/matrix/client,  example.com,          200",
            "HEAD,    /.well-known/matrix/client,  EXAMPLE.com:443,      200",
            "OPTIONS, /.well-known/matrix/client,  example.com,          204",
            "POST,    /.well-known/matrix/client,  example.com,          405",
            "GET,     /.well-known/matrix/server,  matrix.example.com,   200",
            "GET,     /.well-known/matrix/support, example.com,          main",
            "GET,     /.well-known/matrix/clientx, example.com,          main",
            "GET,     /.well-known/matrix/client/, example.com,          main",
            "GET,     /.well-known/matrix/client,  element.example.com,  main",
            "GET,     /.well-known/matrix/client,  -,                    main",
    })
    void wellKnownDocumentsAreAnsweredOnTheirHostsOnly(String method, String path, String host, String expected) {
        Route route = withWellKnown(WELL_KNOWN).route(new TestRequest(method, path, host));
        assertEquals(expected, route.responds() ? String.valueOf(route.actions().respond().status())
                : route.upstream().name());
    }

    @Test
    void wellKnownAnswersCarryTheCorsHeadersAndTheJson() {
        RoutingSnapshot snapshot = withWellKnown(new WellKnownSpec(List.of(), null, "{\"m.server\":\"m.example.com\"}", null));
        RespondSpec get = snapshot.route(new TestRequest("GET", "/.well-known/matrix/server", "any.example")).actions().respond();
        assertEquals("application/json", get.contentType());
        assertEquals("{\"m.server\":\"m.example.com\"}", new String(get.body(), StandardCharsets.UTF_8));
        assertEquals(Map.of("Access-Control-Allow-Origin", "*",
                "Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS",
                "Access-Control-Allow-Headers", "X-Requested-With, Content-Type, Authorization",
                "Cache-Control", "public, max-age=3600",
                "X-Content-Type-Options", "nosniff"), get.headers());
        RespondSpec preflight = snapshot.route(new TestRequest("OPTIONS", "/.well-known/matrix/server", null))
                .actions().respond();
        assertEquals(0, preflight.bodyLength());
        assertEquals(CorsHeaders.HEADERS, preflight.headers());
        RespondSpec delete = snapshot.route(new TestRequest("DELETE", "/.well-known/matrix/server", null)).actions().respond();
        assertEquals("GET, HEAD, OPTIONS", delete.headers().get("Allow"));
        assertEquals("wellKnown/server", snapshot.route(new TestRequest("GET", "/.well-known/matrix/server", null)).name());
    }
}
