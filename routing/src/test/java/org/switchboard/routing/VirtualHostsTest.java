package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.switchboard.config.PathMatchSpec;
import org.switchboard.config.PresetSpec;
import org.switchboard.config.RouteEntrySpec;
import org.switchboard.config.RouteSpec;
import org.switchboard.routing.RouteTableTest.TestRequest;

/** Host before path: each host its own table, exact before the nearest wildcard, the port and case ignored, unknown hosts. */
class VirtualHostsTest {
    private static final List<RouteEntrySpec> ROUTES = List.of(
            RouteSpec.of(PathMatchSpec.prefix("/"), "generic").withHost("element.example.com"),
            RouteSpec.of(PathMatchSpec.prefix("/"), "media").withHost("*.example.com"),
            RouteSpec.of(PathMatchSpec.prefix("/special/"), "synchrotron").withHost("*.rtc.example.com"),
            RouteSpec.of(PathMatchSpec.prefix("/"), "synchrotron").withHost("::1"),
            new PresetSpec("routes[4]", PresetSpec.SYNAPSE, "matrix.example.com"));

    private static RoutingSnapshot snapshot(String defaultHost) {
        return RoutingSnapshot.compile(RouteTableTest.spec(ROUTES).withDefaultHost(defaultHost));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(nullValues = "-", value = {
            "element.example.com,        /anything,                    generic",
            "ELEMENT.Example.COM:8443,   /anything,                    generic",
            "admin.example.com,          /,                            media",
            "a.b.example.com,            /,                            media",
            "x.rtc.example.com,          /special/a,                   synchrotron",
            "x.rtc.example.com,          /other,                       none",
            "[::1]:8080,                 /,                            synchrotron",
            "matrix.example.com,         /_matrix/client/v3/sync,      synchrotron",
            "matrix.example.com:443,     /_matrix/media/v3/download/a, media",
            "matrix.example.com,         /unknown,                     main",
            "matrix.example.com.,        /_matrix/client/v3/sync,      synchrotron",
            "ELEMENT.example.com.:443,   /anything,                    generic",
            "example.com,                /,                            none",
            "evil.example,               /_matrix/client/v3/sync,      none",
            "-,                          /_matrix/client/v3/sync,      none",
            "xexample.com,               /,                            none",
    })
    void theHostPicksTheTableThenThePathTheRoute(String host, String path, String upstream) {
        Route route = snapshot(null).route(new TestRequest("GET", path, host));
        assertEquals(upstream, route == null ? "none" : route.upstream().name());
    }

    @Test
    void aDefaultHostServesHostsNoRouteNames() {
        RoutingSnapshot snapshot = snapshot("matrix.example.com");
        assertEquals("synchrotron", snapshot.route(new TestRequest("GET", "/_matrix/client/v3/sync", "10.0.0.7")).upstream().name());
        assertEquals("main", snapshot.route(new TestRequest("GET", "/x", null)).upstream().name());
        assertEquals("generic", snapshot.route(new TestRequest("GET", "/x", "element.example.com")).upstream().name());
        assertEquals("matrix.example.com", snapshot.hosts().fallback().host());
    }

    @Test
    void routesWithoutAHostServeEveryHostInTableOrder() {
        RoutingSnapshot snapshot = RoutingSnapshot.compile(RouteTableTest.spec(List.of(
                RouteSpec.of(PathMatchSpec.prefix("/a"), "generic"),
                RouteSpec.of(PathMatchSpec.prefix("/"), "media").withHost("element.example.com"),
                RouteSpec.of(PathMatchSpec.prefix("/"), "main"))));
        assertEquals("generic", snapshot.route(new TestRequest("GET", "/a", "element.example.com")).upstream().name(),
                "an earlier route for every host still comes first");
        assertEquals("media", snapshot.route(new TestRequest("GET", "/b", "element.example.com")).upstream().name());
        assertEquals("main", snapshot.route(new TestRequest("GET", "/b", "other.example.com")).upstream().name());
        assertEquals(2, snapshot.hosts().fallback().routes().routes().size());
    }

    @Test
    void withoutAnyHostThereIsOneTable() {
        RoutingSnapshot snapshot = RoutingSnapshot.compile(RouteTableTest.spec(List.of(
                RouteSpec.of(PathMatchSpec.prefix("/"), "main"))));
        assertNull(snapshot.hosts());
    }

    @Test
    void printRoutesShowsEachHostsTable() {
        String printed = RouteTablePrinter.print(snapshot(null), SynapsePreset.builtIn());
        assertTrue(printed.contains("\n# host element.example.com\n"), printed);
        assertTrue(printed.contains("\n# host *.example.com\n"), printed);
        assertTrue(printed.contains("\n# host matrix.example.com\n"), printed);
        assertTrue(printed.contains("\n# any other host\n(no route: 404)\n"), printed);
        String matrix = printed.substring(printed.indexOf("# host matrix.example.com"), printed.indexOf("# any other host"));
        assertTrue(matrix.contains("synapse/") && matrix.contains("anything unmatched"), matrix);
        String element = printed.substring(printed.indexOf("# host element.example.com"), printed.indexOf("# host *.example.com"));
        assertTrue(!element.contains("synapse/") && element.contains("generic"), element);
    }
}
