package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Loading: the happy path, defaults, files, YAML syntax and the safe loader. */
class ConfigLoaderTest {

    static final String FULL = """
            listeners:
              - name: client
                address: "0.0.0.0:8080"
              - name: federation
                address: "0.0.0.0:8448"
            admin:
              address: "127.0.0.1:9902"
            upstreams:
              main:
                endpoints: ["synapse-main.matrix.svc.cluster.local:8008"]
              generic:
                endpoints: &generic
                  - "10.0.2.10:8083"
                  - "[fd00::11]:8083"
              media:
                endpoints: *generic
            routes:
              - path: { prefix: "/_matrix/client/" }
                methods: [GET, HEAD]
                host: "matrix.example.org"
                upstream: generic
              - path: { regex: "^/_matrix/media/v3/(download|thumbnail)/" }
                upstream: media
              - path: { prefix: "/" }
                upstream: main
            timeouts:
              connect: 500ms
              upstreamResponse: 3m
              downstreamIdle: 1h
            upstreamPool:
              maxIdlePerEndpoint: 0
              idleTimeout: 10s
            runtime:
              eventLoopThreads: 2
            """;

    @Test
    void fullExampleBindsToTheExpectedRecords() throws ConfigException {
        List<EndpointSpec> generic = List.of(
                new EndpointSpec("10.0.2.10:8083", HostPort.of("10.0.2.10", 8083), 1),
                new EndpointSpec("[fd00::11]:8083", HostPort.of("fd00::11", 8083), 1));
        Map<String, UpstreamSpec> upstreams = new LinkedHashMap<>();
        upstreams.put("main", UpstreamSpec.of("main", List.of(EndpointSpec.of(
                HostPort.of("synapse-main.matrix.svc.cluster.local", 8008)))));
        upstreams.put("generic", UpstreamSpec.of("generic", generic));
        upstreams.put("media", UpstreamSpec.of("media", generic));
        SwitchboardSpec expected = new SwitchboardSpec(
                List.of(ListenerSpec.of("client", HostPort.of("0.0.0.0", 8080)),
                        ListenerSpec.of("federation", HostPort.of("0.0.0.0", 8448))),
                AdminSpec.of(HostPort.of("127.0.0.1", 9902)),
                upstreams,
                List.of(new RouteSpec("routes[0]", "matrix.example.org", Set.of("GET", "HEAD"),
                                PathMatchSpec.prefix("/_matrix/client/"), "generic", null, null, false),
                        new RouteSpec("routes[1]", null, Set.of(),
                                PathMatchSpec.regex("^/_matrix/media/v3/(download|thumbnail)/"), "media", null, null, false),
                        new RouteSpec("routes[2]", null, Set.of(), PathMatchSpec.prefix("/"), "main", null, null, false)),
                Map.of(),
                new TimeoutsSpec(Duration.ofMillis(500), Duration.ofMinutes(3), Duration.ofHours(1),
                        TimeoutsSpec.DEFAULTS.requestHeader()),
                new UpstreamPoolSpec(0, Duration.ofSeconds(10)),
                UserLookupSpec.DEFAULTS,
                ClientAddressSpec.DEFAULTS,
                LimitsSpec.DEFAULTS,
                AccessLogSpec.DEFAULTS,
                new RuntimeSpec(2),
                DiscoverySpec.DEFAULTS);

        SwitchboardSpec spec = ConfigLoader.parse(FULL, "full.yaml");

        assertEquals(expected, spec);
        assertEquals(List.of("main", "generic", "media"), List.copyOf(spec.upstreams().keySet()), "file order kept");
    }

    @Test
    void presetRolesWeightsIdsAndLoadBalancersBind() throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse("""
                listeners: [{name: client, address: "0.0.0.0:8080"}]
                upstreams:
                  main: {endpoints: ["127.0.0.1:8008"]}
                  mas: {endpoints: ["127.0.0.1:8080"]}
                  media-pool:
                    loadBalancer: round_robin
                    endpoints: ["127.0.0.1:8100"]
                  synchrotron:
                    hashBalanceFactor: 1.25
                    endpoints:
                      - {address: "10.0.0.1:8083", id: synapse-sync-0, weight: 2}
                      - "10.0.0.2:8083"
                roles: {media: media-pool}
                routes:
                  - path: { prefix: "/_matrix/client/v3/login" }
                    upstream: mas
                    hashKey: "header:X-Session"
                  - preset: synapse
                """, "preset.yaml");

        assertEquals(PresetSpec.synapse("routes[1]"), spec.routes().get(1));
        assertEquals("header:X-Session", ((RouteSpec) spec.routes().get(0)).hashKey());
        assertEquals(Map.of("media", "media-pool"), spec.roles());
        assertEquals(LoadBalancerKind.ROUND_ROBIN, spec.upstreams().get("media-pool").loadBalancer());
        UpstreamSpec sync = spec.upstreams().get("synchrotron");
        assertEquals(1.25, sync.hashBalanceFactor());
        assertEquals(List.of(new EndpointSpec("synapse-sync-0", HostPort.of("10.0.0.1", 8083), 2),
                new EndpointSpec("10.0.0.2:8083", HostPort.of("10.0.0.2", 8083), 1)), sync.endpoints());
    }

    @Test
    void omittedSectionsTakeTheirDefaults() throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse("""
                listeners: [{name: client, address: "0.0.0.0:8080"}]
                upstreams: {main: {endpoints: ["127.0.0.1:8008"]}}
                """, "minimal.yaml");

        assertEquals(AdminSpec.of(AdminSpec.DEFAULT_ADDRESS), spec.admin());
        assertEquals(List.of(PresetSpec.synapse("routes (default)")), spec.routes(), "the built-in Synapse table");
        assertEquals(TimeoutsSpec.DEFAULTS, spec.timeouts());
        assertEquals(UpstreamPoolSpec.DEFAULTS, spec.upstreamPool());
        assertEquals(RuntimeSpec.DEFAULTS, spec.runtime());
        assertEquals(UserLookupSpec.DEFAULTS, spec.userLookup());
        assertEquals(false, spec.userLookup().enabled());
    }

    @Test
    void userLookupSectionTurnsItOn() throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse("""
                listeners: [{name: client, address: "0.0.0.0:8080"}]
                upstreams: {main: {endpoints: ["127.0.0.1:8008"]}}
                userLookup: {cacheSize: 500, expireAfter: 30m}
                """, "lookup.yaml");
        assertEquals(new UserLookupSpec(true, 500, Duration.ofMinutes(30), Duration.ofSeconds(5)), spec.userLookup());
    }

    @Test
    void omittedKeysInsideSectionsTakeTheirDefaults() throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse("""
                listeners: [{name: client, address: "0.0.0.0:0"}]
                admin: {}
                upstreams: {main: {endpoints: ["127.0.0.1:8008"]}}
                timeouts: {connect: 2s}
                upstreamPool: {idleTimeout: 1m}
                runtime: {}
                """, "partial.yaml");

        assertEquals(AdminSpec.DEFAULT_ADDRESS, spec.admin().address());
        assertEquals(new TimeoutsSpec(Duration.ofSeconds(2), TimeoutsSpec.DEFAULTS.upstreamResponse(),
                TimeoutsSpec.DEFAULTS.downstreamIdle(), TimeoutsSpec.DEFAULTS.requestHeader()), spec.timeouts());
        assertEquals(new UpstreamPoolSpec(UpstreamPoolSpec.DEFAULTS.maxIdlePerEndpoint(), Duration.ofMinutes(1)),
                spec.upstreamPool());
        assertEquals(RuntimeSpec.DEFAULTS, spec.runtime());
    }

    @Test
    void aDrainMayHaveNoDelayButNeedsATimeout() throws ConfigException {
        String base = "listeners: [{name: client, address: \"0.0.0.0:0\"}]\nupstreams: {main: {endpoints: [\"127.0.0.1:8008\"]}}\n";
        assertEquals(DrainSpec.DEFAULTS, ConfigLoader.parse(base, "t.yaml").drain());
        assertEquals(new DrainSpec(Duration.ZERO, Duration.ofSeconds(55), Duration.ofSeconds(10)),
                ConfigLoader.parse(base + "drain: {delay: 0s}", "t.yaml").drain());
        assertEquals(Duration.ZERO, ConfigLoader.parse(base + "drain: {websocketSpread: 0s}", "t.yaml").drain().websocketSpread());
        ConfigException spread = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(base + "drain: {websocketSpread: soon}", "t.yaml"));
        assertTrue(spread.errors().get(0).startsWith("drain.websocketSpread: \"soon\""), spread.errors().toString());

        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(base + "drain: {timeout: 0s, delai: 5s}", "t.yaml"));
        assertEquals(2, e.errors().size(), e.errors().toString());
        assertTrue(e.errors().stream().anyMatch(error -> error.startsWith("drain.timeout: \"0s\"")), e.errors().toString());
        assertTrue(e.errors().stream().anyMatch(error -> error.contains("drain.delai")), e.errors().toString());
    }

    @Test
    void portZeroMayRepeatBecauseEachSocketGetsItsOwnPort() throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse("""
                listeners: [{name: a, address: "127.0.0.1:0"}, {name: b, address: "127.0.0.1:0"}]
                admin: {address: "127.0.0.1:0"}
                upstreams: {main: {endpoints: ["127.0.0.1:8008"]}}
                """, "t.yaml");

        assertEquals(2, spec.listeners().size());
        assertEquals(0, spec.admin().address().port());
    }

    @Test
    void loadsAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, FULL);

        assertEquals(ConfigLoader.parse(FULL, "x"), ConfigLoader.load(file));
    }

    @Test
    void aMissingFileIsOneError(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

        assertEquals(List.of(file + ": no such file (expected a YAML config file)"), e.errors());
    }

    @Test
    void aFileThatIsNotUtf8IsOneError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, "listeners: caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

        assertEquals(List.of(file + ": not UTF-8 (expected a UTF-8 text file)"), e.errors());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n\n", "# only a comment\n", "---\n", "~\n"})
    void anEmptyDocumentIsAnError(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "empty.yaml"));

        assertEquals(List.of("empty.yaml: config is empty (expected a map with at least listeners and upstreams)"),
                e.errors());
    }

    @Test
    void aSyntaxErrorNamesTheSourceLineAndColumn() {
        String yaml = """
                listeners:
                  - name: client
                    address: 0.0.0.0: 8080
                """;

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "bad.yaml"));

        assertEquals(List.of("bad.yaml: line 3, column 21: mapping values are not allowed here (expected valid YAML)"),
                e.errors());
    }

    @Test
    void anUnclosedFlowListNamesWhereTheFileEnded() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("listeners: [\n  {name: a\n", "bad.yaml"));

        assertEquals(List.of("bad.yaml: line 3, column 1: while parsing a flow mapping, expected ',' or '}', but got"
                + " <stream end> (expected valid YAML)"), e.errors());
    }

    @Test
    void duplicateKeysAreRefusedRatherThanLastOneWins() {
        String yaml = """
                listeners: [{name: client, address: "0.0.0.0:8080"}]
                upstreams: {main: {endpoints: ["127.0.0.1:8008"]}}
                listeners: []
                """;

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "dup.yaml"));

        assertEquals(List.of("dup.yaml: line 3, column 1: listeners written again (expected each key once in a map;"
                + " the first is at line 1)", "listeners: an empty list (expected at least one listener)"), e.errors());
    }

    /** Every duplicate, at any depth, with the document's other errors: one round of edits. */
    @Test
    void everyDuplicateKeyIsListedWithTheOtherErrors() {
        String yaml = """
                listeners: [{name: client, address: "0.0.0.0:8080"}]
                upstreams:
                  main: {endpoints: ["127.0.0.1:8008"]}
                  generic: {endpoints: ["127.0.0.1:8081"]}
                  generic: {endpoints: ["127.0.0.1:8082"]}
                timeouts: {connect: 5s, connect: 6s}
                limits: {requestBody: 3XB}
                defaults: &d {interval: 5s}
                healthCheck: {<<: *d, interval: 10s}
                """;

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "dup.yaml"));

        assertEquals(List.of(
                "dup.yaml: line 5, column 3: upstreams.generic written again (expected each key once in a map; the first is"
                        + " at line 4)",
                "dup.yaml: line 6, column 25: timeouts.connect written again (expected each key once in a map; the first is"
                        + " at line 6)"), e.errors().subList(0, 2));
        assertTrue(e.errors().stream().anyMatch(error -> error.startsWith("limits.requestBody: \"3XB\"")), e.errors().toString());
        assertTrue(e.errors().stream().noneMatch(error -> error.contains("healthCheck.interval written again")),
                "a merge key's override is no duplicate: "
                + e.errors());
    }

    @Test
    void moreThanOneDocumentIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("a: 1\n---\nb: 2\n", "t.yaml"));

        assertEquals(List.of("t.yaml: line 2, column 1: expected a single document in the stream, but found another"
                + " document (expected valid YAML)"), e.errors());
    }

    /** Set if SnakeYAML ever instantiates it, i.e. if a tag could name a class. */
    static final AtomicBoolean CANARY_BUILT = new AtomicBoolean();

    public static final class Canary {
        public Canary() {
            CANARY_BUILT.set(true);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "listeners: !!java.lang.Object {}",
        "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://example.invalid/\"]]]]",
        "listeners: [!!javax.script.ScriptEngineManager []]",
        "upstreams: !<tag:yaml.org,2002:java.io.File> [\"/etc/passwd\"]",
        "listeners: !!org.switchboard.config.ConfigLoaderTest$Canary {}",
        "listeners: !local-tag {}"})
    void tagsNamingTypesAreRefused(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "evil.yaml"));

        assertEquals(1, e.errors().size(), e.getMessage());
        String error = e.errors().get(0);
        assertTrue(error.startsWith("evil.yaml: line 1, column "), error);
        assertTrue(error.contains("Global tag is not allowed") || error.contains("could not determine a constructor"),
                error);
        assertFalse(CANARY_BUILT.get());
    }

    @Test
    void aliasExpansionIsCapped() {
        StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: [");
        yaml.append("*a, ".repeat(60)).append("*a]\n");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml.toString(), "bomb.yaml"));

        assertEquals(List.of("bomb.yaml: Number of aliases for non-scalar nodes exceeds the specified max=50"
                + " (expected valid YAML)"), e.errors());
    }

    @Test
    void hugeDocumentsAreRefused() {
        String yaml = "listeners: \"" + "x".repeat(ConfigLoader.MAX_CODE_POINTS) + "\"\n";

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "huge.yaml"));

        assertEquals(1, e.errors().size());
        assertTrue(e.errors().get(0).startsWith("huge.yaml: The incoming YAML document exceeds the limit"),
                e.errors().get(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"runtime: !!int abc", "runtime: !!binary '%%%'", "runtime: !!timestamp soon"})
    void badlyTaggedScalarsAreConfigErrorsNotCrashes(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "t.yaml"));

        assertEquals(1, e.errors().size());
        assertTrue(e.errors().get(0).startsWith("t.yaml: "), e.errors().get(0));
    }

    @Test
    void theMessageListsEveryErrorOnItsOwnLine() {
        ConfigException e = new ConfigException(List.of("a: x (expected y)", "b: z (expected w)"));

        assertEquals("a: x (expected y)\nb: z (expected w)", e.getMessage());
    }
}
