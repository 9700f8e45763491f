package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.switchboard.config.ConfigException;
import org.switchboard.config.ConfigLoader;

/** A route that can never match, and Synapse's admin API open to every address: said, not refused. */
class RouteWarningsTest {
    private static final String UPSTREAMS = """
            listeners: [{name: client, address: "127.0.0.1:8080"}]
            upstreams:
              main: {endpoints: ["127.0.0.1:9000"]}
              media: {endpoints: ["127.0.0.1:9001"]}
            """;

    private static List<String> warnings(String routes) throws ConfigException {
        String elementWeb = routes.contains("element-web") ? "  element-web: {endpoints: [\"127.0.0.1:9002\"]}\n" : "";
        return RouteWarnings.of(RoutingSnapshot.compile(ConfigLoader.parse(UPSTREAMS + elementWeb + routes, "test.yaml")));
    }

    @Test
    void anAllowListWrittenAfterThePresetGuardsNothingAndIsSaid() throws ConfigException {
        List<String> warnings = warnings("""
                routes:
                  - preset: synapse
                  - { path: { prefix: "/_synapse/admin/" }, allow: ["10.0.0.0/8"], upstream: main }
                """);
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("routes[1] (prefix /_synapse/admin/) never matches: synapse/admin before it"
                + " (prefix /_synapse/admin/) takes every request it would, so its allow list guards nothing"), warnings.get(0));
        assertTrue(warnings.get(1).startsWith("Synapse's admin API (/_synapse/admin/) is forwarded to main from every client"
                + " address on every Host (route synapse/admin)"), warnings.get(1));
    }

    @Test
    void aNamedRouteThatNeverMatchesIsSaidByItsName() throws ConfigException {
        List<String> warnings = warnings("""
                routes:
                  - preset: synapse
                  - { name: admin, path: { prefix: "/_synapse/admin/" }, allow: ["10.0.0.0/8"], upstream: main }
                """);
        assertTrue(warnings.get(0).startsWith("admin (prefix /_synapse/admin/) never matches: synapse/admin"), warnings.toString());
    }

    @Test
    void thePresetAloneLeavesTheAdminApiOpenAndSaysSo() throws ConfigException {
        List<String> warnings = warnings("routes: [{preset: synapse}]\n");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("on every Host (route synapse/admin)"), warnings.get(0));
    }

    @Test
    void anAllowListForOneHostLeavesTheOtherHostsOpen() throws ConfigException {
        List<String> warnings = warnings("""
                routes:
                  - { host: matrix.example.com, path: { prefix: "/_synapse/admin/" }, allow: ["10.0.0.0/8"], upstream: main }
                  - preset: synapse
                """);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("on every Host no route names (route synapse/admin)"), warnings.get(0));
    }

    @Test
    void theReadmesPrivateAdminApiAndTheManifestsLayoutAreQuiet() throws ConfigException {
        assertEquals(List.of(), warnings("""
                routes:
                  - { host: element.example.com, path: { prefix: / }, upstream: element-web }
                  - path: { regex: "^/_synapse/admin/v1/(purge_media_cache$|media/|quarantine_media/)" }
                    allow: ["10.0.0.0/8"]
                    upstream: media
                  - { path: { prefix: "/_synapse/admin/" }, allow: ["10.0.0.0/8", "192.168.10.0/24"], upstream: main }
                  - preset: synapse
                """));
    }

    @Test
    void aGuardOnOneVersionOfTheAdminApiLeavesTheOthersOpenAndSaysSo() throws ConfigException {
        for (String path : List.of("{ prefix: \"/_synapse/admin/v1/\" }", "{ regex: \"^/_synapse/admin/v1/\" }")) {
            List<String> warnings = warnings("""
                    routes:
                      - { path: %s, allow: ["10.0.0.0/8"], upstream: main }
                      - preset: synapse
                    """.formatted(path));
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("), e.g. GET /_synapse/admin/v2/users/@probe:example.org;"),
                    warnings.get(0));
        }
    }

    @Test
    void aGuardOnSomeMethodsOfTheAdminApiLeavesTheOthersOpenAndSaysSo() throws ConfigException {
        List<String> warnings = warnings("""
                routes:
                  - { methods: [GET], path: { prefix: "/_synapse/admin/" }, allow: ["10.0.0.0/8"], upstream: main }
                  - preset: synapse
                """);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("(route synapse/admin), e.g. POST /_synapse/admin/v1/server_version;"), warnings.get(0));
    }

    @Test
    void anAdminApiOpenOnPurposeIsSaidWithAnAllowListForEveryone() throws ConfigException {
        assertEquals(List.of(), warnings("""
                routes:
                  - { path: { prefix: "/_synapse/admin/" }, allow: ["0.0.0.0/0", "::/0"], upstream: main }
                  - preset: synapse
                """));
    }

    @Test
    void routesThatOnlyOverlapOrNarrowTheMethodsAreNotSaid() throws ConfigException {
        assertEquals(List.of(), warnings("""
                routes:
                  - { methods: [GET], path: { prefix: "/a/" }, upstream: main }
                  - { path: { prefix: "/a/b" }, upstream: media }
                  - { path: { regex: "^/c/(d|e)/" }, upstream: main }
                  - { path: { prefix: "/c/d/" }, upstream: media }
                  - { host: element.example.com, path: { prefix: "/" }, upstream: element-web }
                  - { path: { prefix: "/x" }, upstream: media }
                """));
    }

    @Test
    void aRouteBehindACatchAllOrAWiderPrefixIsSaid() throws ConfigException {
        List<String> warnings = warnings("""
                routes:
                  - { methods: [GET, PUT], path: { prefix: "/a/" }, upstream: main }
                  - { methods: [GET], path: { regex: "^/a/(b|c)/" }, rateLimit: { requests: 1, per: 1s }, upstream: media }
                  - { path: { prefix: "/" }, upstream: main }
                  - { path: { prefix: "/z" }, upstream: media }
                """);
        assertEquals(List.of(
                "routes[1] (regex ^/a/(b|c)/) never matches: routes[0] before it (prefix /a/) takes every request it would,"
                        + " so its rate limit guards nothing; write it before the route that takes its requests",
                "routes[3] (prefix /z) never matches: routes[2] before it (prefix /) takes every request it would;"
                        + " write it before the route that takes its requests"), warnings);
    }
}
