package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Validation: each mistake is reported at its location, and every mistake in a file is reported. */
class ConfigValidationTest {
    private static final String LISTENERS = "listeners: [{name: client, address: \"0.0.0.0:8080\"}]\n";
    private static final String UPSTREAMS = "upstreams: {main: {endpoints: [\"10.0.1.10:8008\"]}}\n";
    private static final String VALID = LISTENERS + UPSTREAMS;
    private static final String TWO_UPSTREAMS =
            LISTENERS + "upstreams: {main: {endpoints: [\"a:1\"]}, generic: {endpoints: [\"b:1\"]}}\n";

    private static Arguments invalid(String yaml, String... errors) {
        return Arguments.of(yaml, List.of(errors));
    }

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                // top level
                invalid("- listeners\n",
                        "t.yaml: a list (expected a map with keys: listeners, admin, upstreams, routes, roles,"
                                + " timeouts, upstreamPool, userLookup, clientAddress, limits, accessLog, runtime, healthCheck,"
                                + " outlierDetection, discovery, logging, clientHalfClose, drain, wellKnown, defaultHost, synapse)"),
                invalid(VALID + "listener: []\n",
                        "listener: unknown key (expected one of: listeners, admin, upstreams, routes, roles,"
                                + " timeouts, upstreamPool, userLookup, clientAddress, limits, accessLog, runtime, healthCheck,"
                                + " outlierDetection, discovery, logging, clientHalfClose, drain, wellKnown, defaultHost, synapse)"),
                // listeners
                invalid(UPSTREAMS, "listeners: missing (expected a list of listeners)"),
                invalid(UPSTREAMS + "listeners: client\n", "listeners: \"client\" (expected a list of listeners)"),
                invalid(UPSTREAMS + "listeners: []\n", "listeners: an empty list (expected at least one listener)"),
                invalid(UPSTREAMS + "listeners:\n", "listeners: no value (expected a list of listeners)"),
                invalid(UPSTREAMS + "listeners: [\"0.0.0.0:8080\"]\n",
                        "listeners[0]: \"0.0.0.0:8080\" (expected a map with keys: name, address, proxyProtocol, tls, redirectToHttps, http2)"),
                invalid(UPSTREAMS + "listeners: [{name: client one, address: \"0.0.0.0:8080\"}]\n",
                        "listeners[0].name: \"client one\" (expected a name of letters, digits, _ and -)"),
                invalid(UPSTREAMS + "listeners: [{address: \"0.0.0.0:8080\", port: 8080}]\n",
                        "listeners[0].port: unknown key (expected one of: name, address, proxyProtocol, tls, redirectToHttps, http2)",
                        "listeners[0].name: missing (expected a name of letters, digits, _ and -)"),
                invalid(UPSTREAMS + "listeners: [{name: client, address: \"0.0.0.0:80\"}, {name: client, address: \"0.0.0.0:81\"}]\n",
                        "listeners[1].name: \"client\" (expected a name not already used by listeners[0])"),
                invalid(UPSTREAMS + "listeners: [{name: client}]\n",
                        "listeners[0].address: missing (expected host:port, port 0-65535)"),
                invalid(UPSTREAMS + "listeners: [{name: client, address: 8080}]\n",
                        "listeners[0].address: 8080 (expected host:port, port 0-65535)"),
                invalid(UPSTREAMS + "listeners: [{name: client, address: \"0.0.0.0:70000\"}]\n",
                        "listeners[0].address: \"0.0.0.0:70000\" (expected host:port, port 0-65535)"),
                invalid(UPSTREAMS + "listeners: [{name: a, address: \"0.0.0.0:8080\"}, {name: b, address: \"10.0.0.1:8080\"}]\n",
                        "listeners[1].address: \"10.0.0.1:8080\" (expected an address not already used by"
                                + " listeners[0].address)"),
                invalid(UPSTREAMS + "listeners: [{name: a, address: \"127.0.0.1:8080\"}, {name: b, address: \"localhost:8080\"},"
                                + " {name: c, address: \"[::ffff:127.0.0.1]:8080\"}, {name: d, address: \"[::]:8080\"}]\n",
                        "listeners[1].address: \"localhost:8080\" (expected an address not already used by listeners[0].address)",
                        "listeners[2].address: \"[::ffff:127.0.0.1]:8080\" (expected an address not already used by"
                                + " listeners[0].address)",
                        "listeners[3].address: \"[::]:8080\" (expected an address not already used by listeners[0].address)"),
                // admin
                invalid(UPSTREAMS + "listeners: [{name: client, address: \"127.0.0.1:9901\"}]\n",
                        "admin.address: default \"127.0.0.1:9901\" (expected an address not already used by"
                                + " listeners[0].address)"),
                invalid(VALID + "admin: {address: \"127.0.0.1:8080\"}\n",
                        "admin.address: \"127.0.0.1:8080\" (expected an address not already used by"
                                + " listeners[0].address)"),
                invalid(VALID + "admin: {port: 9901}\n", "admin.port: unknown key (expected one of: address, allow, tokenFile)"),
                invalid(VALID + "admin: \"127.0.0.1:9901\"\n",
                        "admin: \"127.0.0.1:9901\" (expected a map with keys: address, allow, tokenFile)"),
                // upstreams
                invalid(LISTENERS, "upstreams: missing (expected a map of upstream names to upstreams)"),
                invalid(LISTENERS + "upstreams: [main]\n", "upstreams: a list (expected a map of upstream names to upstreams)"),
                invalid(LISTENERS + "upstreams: {}\n", "upstreams: an empty map (expected at least one upstream)"),
                invalid(LISTENERS + "upstreams: {main: {endpoints: [\"a:1\"]}, main worker: {endpoints: [\"b:1\"]}}\n",
                        "upstreams.main worker: \"main worker\" (expected a name of letters, digits, _ and -)"),
                invalid(LISTENERS + "upstreams: {main: {endpoints: [\"a:1\"]}, 8008: {endpoints: [\"b:1\"]}}\n",
                        "upstreams.8008: 8008 as a key (expected a string key)"),
                invalid(LISTENERS + "upstreams: {main: {endpoint: [\"a:1\"]}}\n",
                        "upstreams.main.endpoint: unknown key (expected one of: endpoints, dns, loadBalancer, hashBalanceFactor,"
                                + " healthCheck, outlierDetection)",
                        "upstreams.main.endpoints: missing (expected a list of host:port endpoints, or dns: {name, type, port, refresh} instead)"),
                invalid(LISTENERS + "upstreams: {main: {endpoints: []}}\n",
                        "upstreams.main.endpoints: an empty list (expected at least one endpoint)"),
                invalid(LISTENERS + "upstreams: {main: {endpoints: \"a:1\"}}\n",
                        "upstreams.main.endpoints: \"a:1\" (expected a list of host:port endpoints)"),
                invalid(LISTENERS + "upstreams:\n  main: {endpoints: [\"a:1\"]}\n  generic:\n    endpoints:\n"
                                + "      - \"10.0.2.9:8083\"\n      - \"10.0.2.10:99999\"\n      - \"10.0.2.11:0\"\n      - 8083\n",
                        "upstreams.generic.endpoints[1]: \"10.0.2.10:99999\" (expected host:port, port 1-65535)",
                        "upstreams.generic.endpoints[2]: \"10.0.2.11:0\" (expected host:port, port 1-65535)",
                        "upstreams.generic.endpoints[3]: 8083 (expected host:port, port 1-65535)"),
                invalid(LISTENERS + "upstreams: {main: {endpoints: [\"a:1\", \"b:1\", \"a:1\"]}}\n",
                        "upstreams.main.endpoints[2]: \"a:1\" (expected an endpoint not already listed as"
                                + " upstreams.main.endpoints[0])"),
                // routes
                invalid(LISTENERS + "upstreams: {generic: {endpoints: [\"a:1\"]}}\n",
                        "routes: omitted, so the built-in Synapse table (expected an upstream named main for the Synapse main process: unmatched requests and roles without an upstream of their own go there)"),
                invalid(VALID + "routes: []\n",
                        "routes: an empty list (expected at least one route; omit routes for the built-in Synapse table)"),
                invalid(VALID + "routes: {path: {prefix: /}, upstream: main}\n", "routes: a map (expected a list of routes)"),
                invalid(VALID + "routes: [{pth: {prefix: /}, upstream: main}]\n",
                        "routes[0].pth: unknown key (expected one of: name, path, methods, host, upstream, respond, hashKey, maxBody, websocket, allow, rateLimit, stripPrefix)",
                        "routes[0].path: missing (expected a map with keys: prefix, regex)"),
                invalid(VALID + "routes: [{path: /, upstream: main}]\n",
                        "routes[0].path: \"/\" (expected a map with keys: prefix, regex)"),
                invalid(VALID + "routes: [{path: {}, upstream: main}]\n",
                        "routes[0].path: neither prefix nor regex (expected exactly one of: prefix, regex)"),
                invalid(VALID + "routes: [{path: {prefix: /, regex: ^/}, upstream: main}]\n",
                        "routes[0].path: both prefix and regex (expected exactly one of: prefix, regex)"),
                invalid(VALID + "routes: [{path: {prefix: _matrix/}, upstream: main}]\n",
                        "routes[0].path.prefix: \"_matrix/\" (expected a path starting with /)"),
                invalid(VALID + "routes: [{path: {regex: \"^/(foo\"}, upstream: main}]\n",
                        "routes[0].path.regex: \"^/(foo\" (expected a valid regular expression: Unclosed group near"
                                + " index 6)"),
                invalid(VALID + "routes: [{path: {prefix: /}, methods: [GET, get, \"\"], upstream: main}]\n",
                        "routes[0].methods[1]: \"get\" (expected an upper-case HTTP method such as GET)",
                        "routes[0].methods[2]: \"\" (expected an upper-case HTTP method such as GET)"),
                invalid(VALID + "routes: [{path: {prefix: /}, methods: GET, upstream: main}]\n",
                        "routes[0].methods: \"GET\" (expected a list of HTTP methods)"),
                invalid(VALID + "routes: [{path: {prefix: /}, methods: [], upstream: main}]\n",
                        "routes[0].methods: an empty list (expected at least one method; omit methods to match any)"),
                invalid(VALID + "routes: [{path: {prefix: /}, host: \"\", upstream: main}]\n",
                        "routes[0].host: \"\" (expected a host name such as matrix.example.org or *.example.org)"),
                invalid(VALID + "routes: [{path: {prefix: /}}]\n",
                        "routes[0].upstream: missing (expected the name of an upstream)"),
                invalid(TWO_UPSTREAMS + "routes:\n  - {path: {prefix: /a}, upstream: main}\n"
                                + "  - {path: {prefix: /b}, upstream: generic}\n  - {path: {prefix: /}, upstream: genric}\n",
                        "routes[2].upstream: \"genric\" (expected one of: main, generic)"),
                // timeouts, upstreamPool, runtime
                invalid(VALID + "timeouts: {connect: 5}\n",
                        "timeouts.connect: 5 (expected a duration such as 500ms, 5s, 3m)"),
                invalid(VALID + "timeouts: {upstreamResponse: 3 minutes}\n",
                        "timeouts.upstreamResponse: \"3 minutes\" (expected a duration such as 500ms, 5s, 3m)"),
                invalid(VALID + "timeouts: {upstreamResponse: 9999999999s}\ndrain: {timeout: 99999999999999h}\n",
                        "timeouts.upstreamResponse: \"9999999999s\" (expected a duration of at most 8760h)",
                        "drain.timeout: \"99999999999999h\" (expected a duration of at most 8760h)"),
                invalid(VALID + "timeouts: {read: 5s}\n",
                        "timeouts.read: unknown key (expected one of: connect, upstreamResponse, downstreamIdle, requestHeader, requestBody, websocketIdle)"),
                invalid(VALID + "timeouts:\n",
                        "timeouts: no value (expected a map with keys: connect, upstreamResponse, downstreamIdle, requestHeader, requestBody, websocketIdle)"),
                invalid(VALID + "upstreamPool: {maxIdlePerEndpoint: 10001}\n",
                        "upstreamPool.maxIdlePerEndpoint: 10001 (expected an integer 0-10000)"),
                invalid(VALID + "upstreamPool: {maxIdlePerEndpoint: \"64\", idleTimeout: 0s}\n",
                        "upstreamPool.maxIdlePerEndpoint: \"64\" (expected an integer 0-10000)",
                        "upstreamPool.idleTimeout: \"0s\" (expected a duration longer than 0, such as 500ms, 5s, 3m)"),
                invalid(VALID + "runtime: {eventLoopThreads: -1}\n",
                        "runtime.eventLoopThreads: -1 (expected an integer 0-1024)"),
                invalid(VALID + "runtime: {eventLoopThreads: 2.5}\n",
                        "runtime.eventLoopThreads: 2.5 (expected an integer 0-1024)"),
                invalid(VALID + "runtime: {eventLoopThreads: 99999999999999999999}\n",
                        "runtime.eventLoopThreads: 99999999999999999999 (expected an integer 0-1024)"),
                // issue 3: presets, roles, hash keys, endpoint forms, load balancers
                invalid(VALID + "routes: [{preset: synapes}]\n",
                        "routes[0].preset: \"synapes\" (expected a preset name: synapse)"),
                invalid(VALID + "routes: [{preset: synapse, upstream: main}]\n",
                        "routes[0].upstream: unknown key (expected one of: preset, host)"),
                invalid(LISTENERS + "upstreams: {generic: {endpoints: [\"b:1\"]}}\nroutes: [{preset: synapse}]\n",
                        "routes: the synapse preset (expected an upstream named main for the Synapse main process:"
                                + " unmatched requests and roles without an upstream of their own go there)"),
                invalid(TWO_UPSTREAMS + "roles: {medai: generic}\n",
                        "roles.medai: \"medai\" (expected a role: main, synchrotron, initial_synchrotron, generic, media,"
                                + " federation_reader, typing, to_device, account_data, receipts, presence, push_rules, sso_login)"),
                invalid(TWO_UPSTREAMS + "roles: {media: pool}\n",
                        "roles.media: \"pool\" (expected one of: main, generic)"),
                invalid(VALID + "routes: [{path: {prefix: /}, upstream: main, hashKey: userid}]\n",
                        "routes[0].hashKey: \"userid\" (expected one of: user, token, room, source, header:<name>)"),
                invalid(LISTENERS + "upstreams: {main: {endpoints: [{address: \"a:1\", weight: 0}]}}\n",
                        "upstreams.main.endpoints[0].weight: 0 (expected an integer 1-1000)"),
                invalid(LISTENERS + "upstreams: {main: {endpoints: [{address: \"a:1\", id: x}, {address: \"b:1\", id: x}]}}\n",
                        "upstreams.main.endpoints[1].id: \"x\" (expected an id not already used by upstreams.main.endpoints[0])"),
                invalid(LISTENERS + "upstreams: {main: {loadBalancer: random, endpoints: [\"a:1\"]}}\n",
                        "upstreams.main.loadBalancer: \"random\" (expected one of: round_robin, least_request, ring_hash)"),
                invalid(LISTENERS + "upstreams: {main: {hashBalanceFactor: 0.5, endpoints: [\"a:1\"]}}\n",
                        "upstreams.main.hashBalanceFactor: 0.5 (expected a number 1.0-100.0)"),
                invalid(VALID + "userLookup: {enabled: yes please}\n",
                        "userLookup.enabled: \"yes please\" (expected true or false)"),
                invalid(VALID + "clientAddress: {trustedProxies: [\"10.0.0.0/33\", \"fd00::/8\", \"proxy.example\"]}\n",
                        "clientAddress.trustedProxies[0]: \"10.0.0.0/33\" (expected an IP address or range such as 10.0.0.0/8 or fd00::/8)",
                        "clientAddress.trustedProxies[2]: \"proxy.example\" (expected an IP address or range such as 10.0.0.0/8 or fd00::/8)"),
                // 10.1.2.3/8 is most often meant as one address: never silently the whole /8.
                invalid(VALID + "clientAddress: {trustedProxies: [\"10.1.2.3/8\", \"fd00::1/8\", \"192.168.1.0/24\", \"::ffff:10.1.2.3/104\"]}\n",
                        "clientAddress.trustedProxies[0]: \"10.1.2.3/8\" (bits set past the /8 prefix: the range is 10.0.0.0/8;"
                                + " one address is written without a prefix)",
                        "clientAddress.trustedProxies[1]: \"fd00::1/8\" (bits set past the /8 prefix: the range is fd00:0:0:0:0:0:0:0/8;"
                                + " one address is written without a prefix)",
                        "clientAddress.trustedProxies[3]: \"::ffff:10.1.2.3/104\" (bits set past the /104 prefix: the range is"
                                + " ::ffff:10.0.0.0/104; one address is written without a prefix)"),
                invalid(LISTENERS.replace("}]", ", proxyProtocol: v2}]") + UPSTREAMS,
                        "listeners[0].proxyProtocol: \"v2\" (expected true or false)"),
                invalid(VALID + "limits: {requestBody: 10 megabytes, connectionsPerClient: -1}\n",
                        "limits.requestBody: \"10 megabytes\" (expected a size such as 8KiB, 100MB or 1GiB, 0 to 1099511627776 bytes)",
                        "limits.connectionsPerClient: -1 (expected an integer 0-1000000)"),
                invalid(VALID + "routes: [{path: {prefix: /}, upstream: main, maxBody: -1}]\n",
                        "routes[0].maxBody: -1 (expected a size such as 8KiB, 100MB or 1GiB, 0 to 1099511627776 bytes)"),
                invalid(VALID + "runtime: {eventLoopThreads: true}\n",
                        "runtime.eventLoopThreads: true (expected an integer 0-1024)"),
                // healthCheck and outlierDetection, top level and per upstream
                invalid(VALID + "healthCheck: yes\n",
                        "healthCheck: true (expected a map with keys: path, interval, timeout, healthyThreshold,"
                                + " unhealthyThreshold)"),
                invalid(VALID + "healthCheck: {intervall: 5s}\n",
                        "healthCheck.intervall: unknown key (expected one of: path, interval, timeout,"
                                + " healthyThreshold, unhealthyThreshold)"),
                invalid(VALID + "healthCheck: {interval: 5, path: health}\n",
                        "healthCheck.path: \"health\" (expected a path starting with /, without spaces)",
                        "healthCheck.interval: 5 (expected a duration such as 500ms, 5s, 3m)"),
                invalid(VALID + "healthCheck: {path: \"/health check\"}\n",
                        "healthCheck.path: \"/health check\" (expected a path starting with /, without spaces)"),
                invalid(VALID + "healthCheck: {healthyThreshold: 0, unhealthyThreshold: 101}\n",
                        "healthCheck.healthyThreshold: 0 (expected an integer 1-100)",
                        "healthCheck.unhealthyThreshold: 101 (expected an integer 1-100)"),
                invalid(VALID + "healthCheck: {timeout: 2s}\n",
                        "healthCheck.timeout: \"2s\" (expected a duration shorter than interval, 2s)"),
                invalid(LISTENERS + "upstreams: {main: {endpoints: [\"a:1\"], healthCheck: {interval: \"5\"}}}\n",
                        "upstreams.main.healthCheck.interval: \"5\" (expected a duration such as 500ms, 5s, 3m)"),
                invalid(LISTENERS + "upstreams: {main: {endpoints: [\"a:1\"], healthCheck: {interval: 1s}}}\n",
                        "upstreams.main.healthCheck.interval: \"1s\" (expected a duration longer than timeout, 1s)"),
                invalid(LISTENERS + "healthCheck: {interval: 10s, timeout: 5s}\n"
                                + "upstreams: {main: {endpoints: [\"a:1\"], healthCheck: {interval: 3s}}}\n",
                        "upstreams.main.healthCheck.interval: \"3s\" (expected a duration longer than timeout, 5s)"),
                invalid(LISTENERS + "upstreams: {main: {endpoints: [\"a:1\"], healthCheck: {fall: 3}}}\n",
                        "upstreams.main.healthCheck.fall: unknown key (expected one of: path, interval, timeout,"
                                + " healthyThreshold, unhealthyThreshold)"),
                // A broken top-level section is reported once, not again in every upstream merged over it.
                invalid(LISTENERS + "healthCheck: {interval: fast}\n"
                                + "upstreams: {main: {endpoints: [\"a:1\"], healthCheck: {timeout: 3s}}}\n",
                        "healthCheck.interval: \"fast\" (expected a duration such as 500ms, 5s, 3m)"),
                invalid(LISTENERS + "healthCheck: {interval: fast}\n"
                                + "upstreams: {main: {endpoints: [\"a:1\"], healthCheck: {interval: 1s, timeout: 1s}}}\n",
                        "healthCheck.interval: \"fast\" (expected a duration such as 500ms, 5s, 3m)",
                        "upstreams.main.healthCheck.timeout: \"1s\" (expected a duration shorter than interval, 1s)"),
                invalid(VALID + "outlierDetection: {consecutiveFailures: 0, maxEjectionPercent: 101}\n",
                        "outlierDetection.consecutiveFailures: 0 (expected an integer 1-1000)",
                        "outlierDetection.maxEjectionPercent: 101 (expected an integer 0-100)"),
                invalid(VALID + "outlierDetection: {baseEjectionTime: 30}\n",
                        "outlierDetection.baseEjectionTime: 30 (expected a duration such as 500ms, 5s, 3m)"),
                invalid(VALID + "outlierDetection: {maxEjectionTime: 10s}\n",
                        "outlierDetection.maxEjectionTime: \"10s\" (expected a duration not shorter than"
                                + " baseEjectionTime, 30s)"),
                invalid(VALID + "healthCheck: {interval: 1s, timeout: 5s, unhealthyThreshold: 101}\n",
                        "healthCheck.unhealthyThreshold: 101 (expected an integer 1-100)",
                        "healthCheck.timeout: \"5s\" (expected a duration shorter than interval, 1s)"),
                // a PROXY header is accepted from trusted proxies only: without any, the listener serves no one
                invalid("listeners: [{name: lb, address: \"0.0.0.0:8080\", proxyProtocol: true}]\n" + UPSTREAMS,
                        "listeners[0].proxyProtocol: true without clientAddress.trustedProxies (expected the balancers'"
                                + " addresses in clientAddress.trustedProxies, which alone may send the header)"),
                // the access log's and the token file's paths are judged whatever else is wrong beside them
                invalid(VALID + "accessLog: {path: \"/tmp/a\\0b\", sample: 2}\nadmin: {tokenFile: \"\\0\"}\n",
                        "admin.tokenFile: \"\\u0000\" (expected the path of a file holding a token)",
                        "accessLog.path: \"/tmp/a\\u0000b\" (expected a file path)",
                        "accessLog.sample: 2 (expected a number 0.0-1.0)"),
                invalid(VALID + "outlierDetection: {maxEjectionTime: 10s, consecutiveFailures: 0}\n",
                        "outlierDetection.consecutiveFailures: 0 (expected an integer 1-1000)",
                        "outlierDetection.maxEjectionTime: \"10s\" (expected a duration not shorter than"
                                + " baseEjectionTime, 30s)"),
                invalid(LISTENERS + "upstreams: {main: {endpoints: [\"a:1\"], outlierDetection: {baseEjectionTime: 10m}}}\n",
                        "upstreams.main.outlierDetection.baseEjectionTime: \"10m\" (expected a duration not longer"
                                + " than maxEjectionTime, 5m)"),
                invalid(LISTENERS + "upstreams: {main: {endpoints: [\"a:1\"], outlierDetection: [5]}}\n",
                        "upstreams.main.outlierDetection: a list (expected a map with keys: consecutiveFailures,"
                                + " baseEjectionTime, maxEjectionTime, maxEjectionPercent)"));
    }

    @ParameterizedTest
    @MethodSource("invalidConfigs")
    void reportsEachMistakeAtItsLocation(String yaml, List<String> expected) {
        assertEquals(expected, errorsOf(yaml));
    }

    @Test
    void reportsEveryMistakeInAFileNotJustTheFirst() {
        String yaml = """
                listeners:
                  - name: client
                    address: "0.0.0.0:8080"
                  - name: client
                    address: "0.0.0.0:8080"
                upstreams:
                  main:
                    endpoints: ["10.0.1.10:8008"]
                  generic:
                    endpoints: ["10.0.2.9:8083", "10.0.2.10:99999"]
                routes:
                  - path: { prefix: "/_matrix/client/" }
                    methods: [get]
                    upstream: generic
                  - pth: { prefix: "/" }
                    upstream: genric
                timeouts:
                  connect: 5
                runtime:
                  eventLoopThreads: 4096
                """;

        assertEquals(List.of(
                "listeners[1].name: \"client\" (expected a name not already used by listeners[0])",
                "listeners[1].address: \"0.0.0.0:8080\" (expected an address not already used by listeners[0].address)",
                "upstreams.generic.endpoints[1]: \"10.0.2.10:99999\" (expected host:port, port 1-65535)",
                "routes[0].methods[0]: \"get\" (expected an upper-case HTTP method such as GET)",
                "routes[1].pth: unknown key (expected one of: name, path, methods, host, upstream, respond, hashKey, maxBody, websocket, allow, rateLimit, stripPrefix)",
                "routes[1].path: missing (expected a map with keys: prefix, regex)",
                "routes[1].upstream: \"genric\" (expected one of: main, generic)",
                "timeouts.connect: 5 (expected a duration such as 500ms, 5s, 3m)",
                "runtime.eventLoopThreads: 4096 (expected an integer 0-1024)"), errorsOf(yaml));
    }

    @Test
    void aRouteNamingABrokenUpstreamIsNotFlaggedTwice() {
        String yaml = LISTENERS + "upstreams: {main: {endpoints: []}}\nroutes: [{path: {prefix: /}, upstream: main}]\n";

        assertEquals(List.of("upstreams.main.endpoints: an empty list (expected at least one endpoint)"), errorsOf(yaml));
    }

    @Test
    void longValuesAreCutShortInMessages() {
        String yaml = VALID + "routes: [{path: {prefix: \"" + "x".repeat(200) + "\"}, upstream: main}]\n";

        assertEquals(List.of("routes[0].path.prefix: \"" + "x".repeat(80) + "...\" (expected a path starting with /)"),
                errorsOf(yaml));
    }

    private static List<String> errorsOf(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "t.yaml")).errors();
    }
}
