package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** healthCheck and outlierDetection: the top-level default, and per-upstream keys merged over it. */
class HealthConfigTest {
    private static final String LISTENERS = "listeners: [{name: client, address: \"0.0.0.0:8080\"}]\n";

    @Test
    void withoutAnySectionEveryUpstreamGetsTheBuiltInDefaults() throws ConfigException {
        UpstreamSpec main = upstream("upstreams: {main: {endpoints: [\"a:1\"]}}\n", "main");

        assertEquals(HealthCheckSpec.DEFAULTS, main.healthCheck());
        assertEquals(OutlierDetectionSpec.DEFAULTS, main.outlierDetection());
        assertEquals(new HealthCheckSpec("/health", Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3),
                HealthCheckSpec.DEFAULTS, "the documented defaults");
        assertEquals(new OutlierDetectionSpec(5, Duration.ofSeconds(30), Duration.ofSeconds(300), 50),
                OutlierDetectionSpec.DEFAULTS, "the documented defaults");
        assertEquals(main, UpstreamSpec.of("main", main.endpoints()), "UpstreamSpec.of gives the same defaults");
    }

    static Stream<Arguments> healthCheckMerges() {
        HealthCheckSpec d = HealthCheckSpec.DEFAULTS;
        return Stream.of(
                Arguments.of("", "{interval: 5s}",
                        new HealthCheckSpec("/health", Duration.ofSeconds(5), d.timeout(), 2, 3)),
                Arguments.of("{path: /ready, healthyThreshold: 1}", "",
                        new HealthCheckSpec("/ready", d.interval(), d.timeout(), 1, 3)),
                Arguments.of("{path: /ready, timeout: 500ms}", "{interval: 1s, unhealthyThreshold: 1}",
                        new HealthCheckSpec("/ready", Duration.ofSeconds(1), Duration.ofMillis(500), 2, 1)),
                Arguments.of("{interval: 10s, timeout: 3s}", "{timeout: 9s, path: /_synapse/health}",
                        new HealthCheckSpec("/_synapse/health", Duration.ofSeconds(10), Duration.ofSeconds(9), 2, 3)),
                Arguments.of("{}", "{}", d));
    }

    @ParameterizedTest(name = "top {0}, upstream {1}")
    @MethodSource("healthCheckMerges")
    void anUpstreamsHealthCheckKeysOverrideTheTopLevelOnesKeyByKey(String top, String own, HealthCheckSpec expected)
            throws ConfigException {
        String yaml = (top.isEmpty() ? "" : "healthCheck: " + top + "\n")
                + "upstreams: {main: {endpoints: [\"a:1\"]" + (own.isEmpty() ? "" : ", healthCheck: " + own) + "}}\n";

        assertEquals(expected, upstream(yaml, "main").healthCheck());
    }

    static Stream<Arguments> outlierDetectionMerges() {
        OutlierDetectionSpec d = OutlierDetectionSpec.DEFAULTS;
        return Stream.of(
                Arguments.of("", "{consecutiveFailures: 3}", new OutlierDetectionSpec(3, d.baseEjectionTime(),
                        d.maxEjectionTime(), 50)),
                Arguments.of("{maxEjectionPercent: 0, baseEjectionTime: 10s}", "",
                        new OutlierDetectionSpec(5, Duration.ofSeconds(10), d.maxEjectionTime(), 0)),
                Arguments.of("{maxEjectionTime: 1m}", "{baseEjectionTime: 1m, maxEjectionPercent: 100}",
                        new OutlierDetectionSpec(5, Duration.ofMinutes(1), Duration.ofMinutes(1), 100)));
    }

    @ParameterizedTest(name = "top {0}, upstream {1}")
    @MethodSource("outlierDetectionMerges")
    void anUpstreamsOutlierDetectionKeysOverrideTheTopLevelOnesKeyByKey(String top, String own,
            OutlierDetectionSpec expected) throws ConfigException {
        String yaml = (top.isEmpty() ? "" : "outlierDetection: " + top + "\n")
                + "upstreams: {main: {endpoints: [\"a:1\"]" + (own.isEmpty() ? "" : ", outlierDetection: " + own) + "}}\n";

        assertEquals(expected, upstream(yaml, "main").outlierDetection());
    }

    @Test
    void eachUpstreamMergesOverTheTopLevelOnItsOwn() throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse(LISTENERS + """
                healthCheck: {interval: 3s}
                outlierDetection: {consecutiveFailures: 7}
                upstreams:
                  main: {endpoints: ["a:1"]}
                  media:
                    endpoints: ["b:1"]
                    healthCheck: {interval: 5s}
                    outlierDetection: {consecutiveFailures: 3}
                """, "t.yaml");

        assertEquals(Duration.ofSeconds(3), spec.upstreams().get("main").healthCheck().interval());
        assertEquals(7, spec.upstreams().get("main").outlierDetection().consecutiveFailures());
        assertEquals(Duration.ofSeconds(5), spec.upstreams().get("media").healthCheck().interval());
        assertEquals(3, spec.upstreams().get("media").outlierDetection().consecutiveFailures());
    }

    @Test
    void withCopiesKeepTheHealthSections() {
        HealthCheckSpec check = new HealthCheckSpec("/ready", Duration.ofSeconds(5), Duration.ofSeconds(1), 1, 1);
        OutlierDetectionSpec outliers = new OutlierDetectionSpec(2, Duration.ofSeconds(1), Duration.ofSeconds(2), 100);
        UpstreamSpec spec = UpstreamSpec.of("main", List.of(EndpointSpec.of(HostPort.of("a", 1))))
                .withHealthCheck(check).withOutlierDetection(outliers).withLoadBalancer(LoadBalancerKind.ROUND_ROBIN);

        assertEquals(check, spec.healthCheck());
        assertEquals(outliers, spec.outlierDetection());
        assertEquals(LoadBalancerKind.ROUND_ROBIN, spec.loadBalancer());
    }

    private static UpstreamSpec upstream(String yaml, String name) throws ConfigException {
        return ConfigLoader.parse(LISTENERS + yaml, "t.yaml").upstreams().get(name);
    }
}
