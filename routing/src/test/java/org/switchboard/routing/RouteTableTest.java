package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.switchboard.config.EndpointSpec;
import org.switchboard.config.HostPort;
import org.switchboard.config.LoadBalancerKind;
import org.switchboard.config.PathMatchSpec;
import org.switchboard.config.RouteEntrySpec;
import org.switchboard.config.RouteSpec;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.UpstreamSpec;

class RouteTableTest {

    private static final RoutingSnapshot SNAPSHOT = RoutingSnapshot.compile(spec(List.of(
            RouteSpec.of(PathMatchSpec.regex("^/_matrix/client/(r0|v3)/sync$"), "synchrotron"),
            RouteSpec.of(PathMatchSpec.prefix("/_matrix/media/"), "media").withHost("matrix.example.org"),
            RouteSpec.of(PathMatchSpec.prefix("/_matrix/client/"), "generic").withMethods(Set.of("GET", "HEAD")),
            RouteSpec.of(PathMatchSpec.prefix("/"), "main"))));

    @ParameterizedTest(name = "{0} {1} host={2} -> {3}")
    @CsvSource(nullValues = "-", value = {
            "GET,  /_matrix/client/v3/sync,                 -,                       synchrotron",
            "GET,  /_matrix/client/r0/sync,                 -,                       synchrotron",
            "GET,  /_matrix/client/v3/sync/extra,           -,                       generic",
            "GET,  /_matrix/client/V3/sync,                 -,                       generic",
            "POST, /_matrix/client/v3/sync,                 -,                       synchrotron",
            "GET,  /_matrix/media/v3/download/a/b,          matrix.example.org,      media",
            "GET,  /_matrix/media/v3/download/a/b,          MATRIX.example.org:443,  media",
            "GET,  /_matrix/media/v3/download/a/b,          other.example.org,       main",
            "GET,  /_matrix/media/v3/download/a/b,          -,                       main",
            "GET,  /_matrix/client/v3/rooms/%21a%3Ab/state, -,                       generic",
            "PUT,  /_matrix/client/v3/rooms/%21a%3Ab/state, -,                       main",
            "GET,  /_synapse/admin/v1/users,                -,                       main",
    })
    void firstMatchingRouteWins(String method, String path, String host, String expectedUpstream) {
        Route route = SNAPSHOT.route(new TestRequest(method, path, host));
        assertEquals(expectedUpstream, route.upstream().name());
    }

    @ParameterizedTest
    @CsvSource({
            "/a/b?x=1, /a/b",
            "/a/b, /a/b",
            "/a%3Fb?c, /a%3Fb",
            "/?, /",
    })
    void pathIsTheTargetWithoutQuery(String target, String expectedPath) {
        assertEquals(expectedPath, RequestView.pathOf(target));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', nullValues = "-", value = {
            "^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/typing ; /typing",
            "^/_matrix/client/(r0|v3)/rooms/[^/]*/receipt/[^/]*/[^/]*$ ; /receipt/",
            "^/a/.*/(join|leave)$ ; -",
            "^/a/.*/x\\d{2,3}yz$ ; /x",
            "^/a/.*/lo+ngest ; ngest",
            "/a|/b ; -",
            "^/a/.*\\Q/quoted\\E ; -",
    })
    void requiredLiteralIsWhatEveryMatchContains(String regex, String required) {
        assertEquals(required, RegexLiterals.of(regex).required());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "^/_matrix/client/(r0|v3)/sync$                      ; /_matrix/client/r0/sync,/_matrix/client/v3/sync ; true  ; true",
            "^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/typing ; /_matrix/client/api/v1/rooms/,/_matrix/client/r0/rooms/,/_matrix/client/v3/rooms/,/_matrix/client/unstable/rooms/ ; false ; false",
            "^/abc?                                              ; /ab                                             ; false ; false",
            "^/ab+c                                              ; /ab                                             ; false ; false",
            "^/_matrix/key/                                      ; /_matrix/key/                                   ; false ; true",
            "^/x/(?:a|b)\\.json$                               ; /x/a.json,/x/b.json                             ; true  ; true",
            "^/x/(a|b)?/y                                        ; /x/                                             ; false ; false",
            "^/_matrix/client/unstable/org.matrix.msc3575/sync$  ; /_matrix/client/unstable/org                    ; false ; false",
            "/unanchored                                         ; ''                                              ; false ; false",
    })
    void regexLiteralsAreOnlyWhatEveryMatchMustBe(String regex, String prefixes, boolean exact, boolean wholeLiteral) {
        RegexLiterals literals = RegexLiterals.of(regex);
        assertEquals(prefixes.isEmpty() ? List.of() : List.of(prefixes.split(",")), literals.prefixes());
        assertEquals(exact, literals.exact());
        assertEquals(wholeLiteral, literals.wholeLiteral());
    }

    /** A | outside every group chooses between whole regexes: ^a|b is "starts with a, or contains b". */
    @Test
    void aTopLevelAlternationMatchesEitherWholeRegex() {
        RoutingSnapshot snapshot = RoutingSnapshot.compile(spec(List.of(
                RouteSpec.of(PathMatchSpec.regex("^/_synapse/admin/|^/_synapse/client/"), "media"),
                RouteSpec.of(PathMatchSpec.regex("^/x/(a|b)/|/y/"), "synchrotron"))));
        assertEquals("media", snapshot.route(new TestRequest("GET", "/_synapse/admin/v1/x", null)).upstream().name());
        assertEquals("media", snapshot.route(new TestRequest("GET", "/_synapse/client/password_reset", null)).upstream().name());
        assertEquals("synchrotron", snapshot.route(new TestRequest("GET", "/z/y/1", null)).upstream().name());
        assertEquals("synchrotron", snapshot.route(new TestRequest("GET", "/x/b/1", null)).upstream().name());
        assertNull(snapshot.route(new TestRequest("GET", "/x/c/1", null)));
    }

    @Test
    void noRouteGivesNull() {
        RoutingSnapshot snapshot = RoutingSnapshot.compile(spec(List.of(
                RouteSpec.of(PathMatchSpec.prefix("/_matrix/"), "main"))));
        assertNull(snapshot.route(new TestRequest("GET", "/other", null)));
    }

    @Test
    void roundRobinVisitsEveryEndpointInTurn() {
        LoadBalancer generic = SNAPSHOT.upstreams().get("generic").loadBalancer();
        TestRequest request = new TestRequest("GET", "/", null);
        List<String> picked = List.of(generic.pick(request, HashKeys.USER).id(), generic.pick(request, HashKeys.USER).id(),
                generic.pick(request, HashKeys.USER).id(), generic.pick(request, HashKeys.USER).id());
        assertEquals(List.of("10.0.0.1:8081", "10.0.0.2:8081", "10.0.0.1:8081", "10.0.0.2:8081"), picked);
    }

    static SwitchboardSpec spec(List<? extends RouteEntrySpec> routes) {
        Map<String, UpstreamSpec> upstreams = new LinkedHashMap<>();
        upstreams.put("main", upstream("main", "10.0.0.9:8008"));
        upstreams.put("synchrotron", upstream("synchrotron", "10.0.0.3:8083"));
        upstreams.put("media", upstream("media", "10.0.0.4:8084"));
        upstreams.put("generic", upstream("generic", "10.0.0.1:8081", "10.0.0.2:8081")
                .withLoadBalancer(LoadBalancerKind.ROUND_ROBIN));
        SwitchboardSpec base = SwitchboardSpec.singleSynapseDefault();
        return new SwitchboardSpec(base.listeners(), base.admin(), upstreams, List.copyOf(routes), Map.of(),
                base.timeouts(), base.upstreamPool(), base.userLookup(), base.clientAddress(), base.limits(), base.accessLog(), base.runtime(),
                base.discovery());
    }

    private static UpstreamSpec upstream(String name, String... endpoints) {
        return UpstreamSpec.of(name, Arrays.stream(endpoints)
                .map(e -> EndpointSpec.of(HostPort.parse(e, false))).toList());
    }

    record TestRequest(String method, String path, String host) implements RequestView {
        @Override
        public String query() {
            return null;
        }

        @Override
        public String header(String name) {
            return null;
        }

        @Override
        public String clientAddress() {
            return "192.0.2.1";
        }
    }
}
