package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** allow, rateLimit, respond, stripPrefix on routes; the wellKnown section; limits.rateLimitAddresses. */
class RouteActionsConfigTest {
    private static final String VALID = "listeners: [{name: client, address: \"0.0.0.0:8080\"}]\n"
            + "upstreams: {main: {endpoints: [\"10.0.1.10:8008\"]}}\n";

    private static Arguments invalid(String yaml, String... errors) {
        return Arguments.of(yaml, List.of(errors));
    }

    private static String route(String extra) {
        return VALID + "routes: [{path: {prefix: /}, upstream: main, " + extra + "}]\n";
    }

    private static String respond(String respond) {
        return VALID + "routes: [{path: {prefix: /}, respond: " + respond + "}]\n";
    }

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                // allow
                invalid(route("allow: 10.0.0.0/8"),
                        "routes[0].allow: \"10.0.0.0/8\" (expected a list of IP addresses or ranges such as 10.0.0.0/8)"),
                invalid(route("allow: [10.0.0.0/33, example.com]"),
                        "routes[0].allow[0]: \"10.0.0.0/33\" (expected an IP address or range such as 10.0.0.0/8 or fd00::/8)",
                        "routes[0].allow[1]: \"example.com\" (expected an IP address or range such as 10.0.0.0/8 or fd00::/8)"),
                invalid(route("allow: []"),
                        "routes[0].allow: an empty list (expected at least one address range; omit allow to admit every address)"),
                // rateLimit
                invalid(route("rateLimit: 10"),
                        "routes[0].rateLimit: 10 (expected a map with keys: requests, per, burst, exempt)"),
                invalid(route("rateLimit: {}"),
                        "routes[0].rateLimit.requests: missing (expected an integer 1-1000000)",
                        "routes[0].rateLimit.per: missing (expected a duration such as 500ms, 5s, 3m)"),
                invalid(route("rateLimit: {requests: 0, per: 1, burst: -1, exempt: [nowhere], rate: 5}"),
                        "routes[0].rateLimit.rate: unknown key (expected one of: requests, per, burst, exempt)",
                        "routes[0].rateLimit.requests: 0 (expected an integer 1-1000000)",
                        "routes[0].rateLimit.per: 1 (expected a duration such as 500ms, 5s, 3m)",
                        "routes[0].rateLimit.burst: -1 (expected an integer 1-1000000)",
                        "routes[0].rateLimit.exempt[0]: \"nowhere\" (expected an IP address or range such as 10.0.0.0/8 or fd00::/8)"),
                // respond
                invalid(VALID + "routes: [{path: {prefix: /}, upstream: main, respond: {status: 204}}]\n",
                        "routes[0].respond: a map (expected either upstream or respond, not both)"),
                invalid(respond("{status: 99, body: a, json: {a: 1}, type: x}"),
                        "routes[0].respond.type: unknown key (expected one of: status, body, json, contentType, headers)",
                        "routes[0].respond.status: 99 (expected an integer 200-599)",
                        "routes[0].respond: both body and json (expected at most one of: body, json)"),
                invalid(respond("{body: [a]}"),
                        "routes[0].respond.body: a list (expected the body as text (or json: for a JSON body))"),
                invalid(respond("{json: {when: 2024-01-01}}"),
                        "routes[0].respond.json: a map (expected JSON values: maps with string keys, lists, strings,"
                                + " numbers, true, false, null)"),
                invalid(respond("{contentType: \"\"}"),
                        "routes[0].respond.contentType: \"\" (expected a media type such as text/html; charset=utf-8)"),
                invalid(respond("{headers: {\"Content-Length\": \"5\", \"bad name\": x, X-A: \"a\\nb\", X-B: [1]}}"),
                        "routes[0].respond.headers.Content-Length: \"Content-Length\" (expected a header other than"
                                + " Content-Length, Transfer-Encoding, Connection and Content-Type (that one is contentType))",
                        "routes[0].respond.headers.bad name: \"bad name\" (expected a header name (letters, digits and"
                                + " !#$%&'*+-.^_`|~))",
                        "routes[0].respond.headers.X-A: \"a\\nb\" (expected a header value without control characters)",
                        "routes[0].respond.headers.X-B: a list (expected a header value without control characters)"),
                // name
                invalid(VALID + "routes: [{name: login, path: {prefix: /a}, upstream: main},"
                                + " {name: login, path: {prefix: /b}, upstream: main}]\n",
                        "routes[1].name: \"login\" (expected a name no other route has; routes[0].name has it)"),
                invalid(route("name: \"synapse/sync\""),
                        "routes[0].name: \"synapse/sync\" (expected a route name of letters, digits, '.', '_' and '-'"
                                + " (at most 64, not none))"),
                invalid(route("name: none"),
                        "routes[0].name: \"none\" (expected a route name of letters, digits, '.', '_' and '-'"
                                + " (at most 64, not none))"),
                invalid(route("name: [a]"),
                        "routes[0].name: a list (expected a route name of letters, digits, '.', '_' and '-'"
                                + " (at most 64, not none))"),
                // stripPrefix
                invalid(VALID + "routes: [{path: {regex: ^/a}, upstream: main, stripPrefix: true}]\n",
                        "routes[0].stripPrefix: true (expected stripPrefix only on a route with path: {prefix: ...})"),
                invalid(VALID + "routes: [{path: {prefix: /a}, respond: {}, stripPrefix: true}]\n",
                        "routes[0].stripPrefix: true (expected stripPrefix only on a route with an upstream)"),
                invalid(route("stripPrefix: yes please"),
                        "routes[0].stripPrefix: \"yes please\" (expected true or false)"),
                // limits
                invalid(VALID + "limits: {rateLimitAddresses: 0}\n",
                        "limits.rateLimitAddresses: 0 (expected an integer 1-10000000)"),
                // wellKnown
                invalid(VALID + "wellKnown: {}\n",
                        "wellKnown: no document (expected at least one of: client, server, support)"),
                invalid(VALID + "wellKnown: {clients: {}}\n",
                        "wellKnown.clients: unknown key (expected one of: hosts, client, server, support)",
                        "wellKnown: no document (expected at least one of: client, server, support)"),
                invalid(VALID + "wellKnown: {client: {}}\n",
                        "wellKnown.client.m.homeserver: missing (expected a map with keys: base_url)"),
                invalid(VALID + "wellKnown: {client: https://matrix.example.com}\n",
                        "wellKnown.client: \"https://matrix.example.com\" (expected a map such as {\"m.homeserver\":"
                                + " {base_url: \"https://matrix.example.com\"}})"),
                invalid(VALID + "wellKnown: {client: {\"m.homeserver\": {base_url: \"http://matrix.example.com\"}}}\n",
                        "wellKnown.client.m.homeserver.base_url: \"http://matrix.example.com\" (expected an https URL"
                                + " such as https://matrix.example.com)"),
                invalid(VALID + "wellKnown: {client: {\"m.homeserver\": {url: \"https://m.example.com\"},"
                                + " \"m.identity_server\": {base_url: \"vector.im\"}}}\n",
                        "wellKnown.client.m.homeserver.url: unknown key (expected one of: base_url)",
                        "wellKnown.client.m.homeserver.base_url: missing (expected an https URL such as https://matrix.example.com)",
                        "wellKnown.client.m.identity_server.base_url: \"vector.im\" (expected an https URL such as"
                                + " https://matrix.example.com)"),
                invalid(VALID + "wellKnown: {client: {\"m.homeserver\": {base_url: \"https://matrix.example.com:99999\"},"
                                + " \"m.identity_server\": {base_url: \"https://id.example.com:0/\"}}}\n",
                        "wellKnown.client.m.homeserver.base_url: \"https://matrix.example.com:99999\" (expected an https URL"
                                + " such as https://matrix.example.com)",
                        "wellKnown.client.m.identity_server.base_url: \"https://id.example.com:0/\" (expected an https URL"
                                + " such as https://matrix.example.com)"),
                invalid(VALID + "wellKnown: {server: {\"m.server\": \"matrix.example.com:99999\"}}\n",
                        "wellKnown.server.m.server: \"matrix.example.com:99999\" (expected host or host:port such as"
                                + " matrix.example.com:443)"),
                invalid(VALID + "wellKnown: {server: {\"m.server\": \"https://matrix.example.com\"}}\n",
                        "wellKnown.server.m.server: \"https://matrix.example.com\" (expected host or host:port such as"
                                + " matrix.example.com:443)"),
                invalid(VALID + "wellKnown: {server: {server: \"matrix.example.com\"}}\n",
                        "wellKnown.server.server: unknown key (expected one of: m.server)",
                        "wellKnown.server.m.server: missing (expected host or host:port such as matrix.example.com:443)"),
                invalid(VALID + "wellKnown: {support: {}}\n",
                        "wellKnown.support: neither contacts nor support_page (expected at least one of: contacts,"
                                + " support_page)"),
                invalid(VALID + "wellKnown: {support: {contacts: [{role: m.role.admin}, {matrix_id: admin, role: 1}],"
                                + " support_page: \"ftp://example.com\"}}\n",
                        "wellKnown.support.support_page: \"ftp://example.com\" (expected an https URL such as"
                                + " https://matrix.example.com)",
                        "wellKnown.support.contacts[0]: neither matrix_id nor email_address (expected at least one of:"
                                + " matrix_id, email_address)",
                        "wellKnown.support.contacts[1].role: 1 (expected a role such as m.role.admin or m.role.security)",
                        "wellKnown.support.contacts[1].matrix_id: \"admin\" (expected a user id such as @admin:example.com)"),
                invalid(VALID + "wellKnown: {hosts: [\"example.com:443\"], server: {\"m.server\": \"matrix.example.com\"}}\n",
                        "wellKnown.hosts[0]: \"example.com:443\" (expected a host name such as example.com)"),
                // a 204, 205 or 304 has no content: a body given would be dropped or misread
                invalid(VALID + "routes: [{path: {prefix: /a}, respond: {status: 204, body: hello}},"
                                + " {path: {prefix: /b}, respond: {status: 304, json: {x: 1}}},"
                                + " {path: {prefix: /c}, respond: {status: 204}},"
                                + " {path: {prefix: /d}, respond: {status: 205, body: hello}},"
                                + " {path: {prefix: /e}, respond: {status: 205}}]\n",
                        "routes[0].respond.body: \"hello\" (expected no body with status 204 (a 204 answer has none))",
                        "routes[1].respond.json: a map (expected no body with status 304 (a 304 answer has none))",
                        "routes[3].respond.body: \"hello\" (expected no body with status 205 (a 205 answer has none))"),
                // virtual hosts
                invalid(VALID + "routes: [{host: \"matrix.example.com:443\", path: {prefix: /}, upstream: main},"
                                + " {host: \"*\", path: {prefix: /}, upstream: main}, {host: \"a.*.com\", path: {prefix: /}, upstream: main},"
                                + " {preset: synapse, host: \"\"}]\n",
                        "routes[0].host: \"matrix.example.com:443\" (expected a host name such as matrix.example.org or *.example.org)",
                        "routes[1].host: \"*\" (expected a host name such as matrix.example.org or *.example.org)",
                        "routes[2].host: \"a.*.com\" (expected a host name such as matrix.example.org or *.example.org)",
                        "routes[3].host: \"\" (expected a host name such as matrix.example.org or *.example.org)"),
                invalid(VALID + "routes: [{host: matrix.example.com, path: {prefix: /}, upstream: main}]\n"
                                + "defaultHost: element.example.com\n",
                        "defaultHost: \"element.example.com\" (expected a host that a route names)"),
                // a broken route may be the one naming it: no second, false error
                invalid(VALID + "routes: [{host: element.example.com, path: {prefix: /}, upstream: main, methods: [get]}]\n"
                                + "defaultHost: element.example.com\n",
                        "routes[0].methods[0]: \"get\" (expected an upper-case HTTP method such as GET)"),
                invalid(VALID + "routes: [{host: \"*.example.com\", path: {prefix: /}, upstream: main}]\n"
                                + "defaultHost: \"*.example.com\"\n",
                        "defaultHost: \"*.example.com\" (expected a host name, not a wildcard)"),
                invalid(VALID + "defaultHost: [a]\n",
                        "defaultHost: a list (expected a host name such as matrix.example.org or *.example.org)"));
    }

    @ParameterizedTest
    @MethodSource("invalidConfigs")
    void reportsEachMistakeAtItsLocation(String yaml, List<String> expected) {
        assertEquals(expected, assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "t.yaml")).errors());
    }

    @Test
    void bindsAllowRateLimitAndStripPrefix() throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse(VALID + "routes:\n"
                + "  - {path: {prefix: /admin/}, upstream: main, stripPrefix: true, allow: [10.0.0.0/8, \"fd00::/8\"],\n"
                + "     rateLimit: {requests: 10, per: 1s, burst: 20, exempt: [192.168.0.0/16]}}\n"
                + "  - {path: {prefix: /}, upstream: main, rateLimit: {requests: 5, per: 1m}}\n"
                + "limits: {rateLimitAddresses: 5000}\n", "t.yaml");

        RouteSpec admin = (RouteSpec) spec.routes().get(0);
        assertEquals(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8")), admin.allow());
        assertEquals(new RateLimitSpec(10, Duration.ofSeconds(1), 20, List.of(Cidr.parse("192.168.0.0/16"))),
                admin.rateLimit());
        assertTrue(admin.stripPrefix());
        assertTrue(admin.rateLimit().exempts(new byte[] {(byte) 192, (byte) 168, 1, 1}));
        assertFalse(admin.rateLimit().exempts(new byte[] {10, 0, 0, 1}));
        assertEquals(100_000_000L, admin.rateLimit().nanosPerRequest());
        RouteSpec rest = (RouteSpec) spec.routes().get(1);
        assertNull(rest.allow());
        assertEquals(5, rest.rateLimit().burst(), "burst defaults to requests");
        assertFalse(rest.stripPrefix());
        assertEquals(5000, spec.limits().rateLimitAddresses());
        assertEquals(100_000, LimitsSpec.DEFAULTS.rateLimitAddresses());
    }

    /** A named route is known by its name (metrics, log, later messages); one without by its place. */
    @Test
    void aRouteNameReplacesItsPlaceAsItsName() throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse(VALID + "routes:\n"
                + "  - {name: media-download, path: {prefix: /m/}, upstream: main}\n"
                + "  - {path: {prefix: /}, upstream: main}\n", "t.yaml");
        assertEquals("media-download", spec.routes().get(0).location());
        assertEquals("routes[1]", spec.routes().get(1).location());
    }

    @Test
    void bindsRespondWithItsBodyReady() throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse(VALID + "routes:\n"
                + "  - {path: {prefix: /robots.txt}, respond: {body: \"User-agent: *\\nDisallow: /\\n\"}}\n"
                + "  - {path: {prefix: /j}, respond: {status: 418, json: {a: [1, 2.5, true, null, \"\\\"q\\\"\"]},"
                + " headers: {Cache-Control: \"max-age=60\"}}}\n"
                + "  - {path: {prefix: /e}, respond: {status: 204, contentType: text/html}}\n", "t.yaml");

        RespondSpec robots = ((RouteSpec) spec.routes().get(0)).respond();
        assertEquals(new RespondSpec(200, "text/plain; charset=utf-8", Map.of(),
                "User-agent: *\nDisallow: /\n".getBytes(StandardCharsets.UTF_8)), robots);
        assertNull(((RouteSpec) spec.routes().get(0)).upstream());
        RespondSpec json = ((RouteSpec) spec.routes().get(1)).respond();
        assertEquals(418, json.status());
        assertEquals("application/json", json.contentType());
        assertEquals(Map.of("Cache-Control", "max-age=60"), json.headers());
        assertEquals("{\"a\":[1,2.5,true,null,\"\\\"q\\\"\"]}", new String(json.body(), StandardCharsets.UTF_8));
        RespondSpec empty = ((RouteSpec) spec.routes().get(2)).respond();
        assertArrayEquals(new byte[0], empty.body());
        assertEquals("text/html", empty.contentType());
    }

    @Test
    void bindsTheWellKnownDocumentsAsCompactJson() throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse(VALID + """
                wellKnown:
                  hosts: ["Example.com", "matrix.example.com"]
                  client: { "m.homeserver": { base_url: "https://matrix.example.com" },
                            "org.matrix.msc4143.rtc_foci": [ { type: livekit, livekit_service_url: "https://rtc.example.com" } ] }
                  server: { "m.server": "matrix.example.com:443" }
                  support: { contacts: [ { matrix_id: "@admin:example.com", role: "m.role.admin" } ] }
                """, "t.yaml");

        WellKnownSpec wellKnown = spec.wellKnown();
        assertEquals(List.of("example.com", "matrix.example.com"), wellKnown.hosts());
        assertEquals("{\"m.homeserver\":{\"base_url\":\"https://matrix.example.com\"},\"org.matrix.msc4143.rtc_foci\":"
                + "[{\"type\":\"livekit\",\"livekit_service_url\":\"https://rtc.example.com\"}]}", wellKnown.client());
        assertEquals("{\"m.server\":\"matrix.example.com:443\"}", wellKnown.server());
        assertEquals("{\"contacts\":[{\"matrix_id\":\"@admin:example.com\",\"role\":\"m.role.admin\"}]}",
                wellKnown.support());
        assertNull(ConfigLoader.parse(VALID, "t.yaml").wellKnown());
    }

    @Test
    void bindsHostsInLowerCaseAndADefaultHostAWildcardCovers() throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse(VALID + "routes:\n"
                + "  - {host: \"*.Example.com\", path: {prefix: /}, upstream: main}\n"
                + "  - {host: \"[::1]\", path: {prefix: /}, upstream: main}\n"
                + "  - {preset: synapse, host: Matrix.Example.com}\n"
                + "defaultHost: matrix.example.com\n", "t.yaml");

        assertEquals("*.example.com", ((RouteSpec) spec.routes().get(0)).host());
        assertEquals("::1", ((RouteSpec) spec.routes().get(1)).host());
        assertEquals("matrix.example.com", ((PresetSpec) spec.routes().get(2)).host());
        assertEquals("matrix.example.com", spec.defaultHost());
        assertNull(ConfigLoader.parse(VALID, "t.yaml").defaultHost());
    }

    @Test
    void acceptsEveryFormOfADelegatedServerName() {
        for (String ok : List.of("example.com", "example.com:8448", "1.2.3.4:443", "[2001:db8::1]:8448", "[::1]")) {
            assertTrue(WellKnownBinder.isServer(ok), ok);
        }
        for (String bad : List.of("", ":443", "example.com:", "example.com:0", "exa mple.com", "[::1", "[nope]:1",
                "-a.example.com")) {
            assertFalse(WellKnownBinder.isServer(bad), bad);
        }
    }
}
