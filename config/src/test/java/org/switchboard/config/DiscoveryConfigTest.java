package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@code dns:} on an upstream and the top-level {@code discovery:} section. */
class DiscoveryConfigTest {
    private static final String HEAD = """
            listeners: [{name: client, address: "0.0.0.0:8080"}]
            """;

    @Test
    void srvAndAUpstreamsBindWithDefaults() throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse(HEAD + """
                upstreams:
                  main: {endpoints: ["synapse-main:8008"]}
                  synchrotron:
                    dns: { name: "_http._tcp.synapse-sync.matrix.svc.cluster.local", type: SRV, refresh: 10s }
                  generic:
                    dns: { name: "synapse-generic.matrix.svc.cluster.local", port: 8081, type: A }
                """, "dns.yaml");

        assertEquals(new DnsSpec("_http._tcp.synapse-sync.matrix.svc.cluster.local", DnsSpec.Type.SRV, 0,
                Duration.ofSeconds(10)), spec.upstreams().get("synchrotron").dns());
        assertEquals(new DnsSpec("synapse-generic.matrix.svc.cluster.local", DnsSpec.Type.A, 8081,
                DnsSpec.DEFAULT_REFRESH), spec.upstreams().get("generic").dns());
        assertEquals(List.of(), spec.upstreams().get("generic").endpoints(), "filled in by discovery");
        assertNull(spec.upstreams().get("main").dns());
        assertEquals(DiscoverySpec.DEFAULTS, spec.discovery());
    }

    @Test
    void nameserversOverrideResolvConf() throws ConfigException {
        SwitchboardSpec spec = ConfigLoader.parse(HEAD + """
                upstreams: {main: {endpoints: ["127.0.0.1:8008"]}}
                discovery: {nameservers: ["10.96.0.10:53", "[fd00::a]:53"], queryTimeout: 500ms}
                """, "dns.yaml");

        assertEquals(new DiscoverySpec(List.of(HostPort.of("10.96.0.10", 53), HostPort.of("fd00::a", 53)),
                Duration.ofMillis(500)), spec.discovery());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{endpoints: ['10.0.0.1:8081'], dns: {name: a.b, type: A, port: 80}}"
                + "|upstreams.generic.dns: a map (expected either endpoints or dns, not both)",
        "{loadBalancer: round_robin}"
                + "|upstreams.generic.endpoints: missing (expected a list of host:port endpoints, or dns: {name, type, port, refresh} instead)",
        "{dns: {name: a.b, type: SRV, port: 80}}|upstreams.generic.dns.port: 80 (expected no port: SRV records carry their own ports)",
        "{dns: {name: a.b, type: A}}|upstreams.generic.dns.port: missing (expected an integer 1-65535)",
        "{dns: {name: a.b, type: MX}}|upstreams.generic.dns.type: \"MX\" (expected one of: SRV, A, AAAA)",
        "{dns: {name: 'a b', type: A, port: 80}}|upstreams.generic.dns.name: \"a b\" (expected a DNS name (letters, digits, -, _ and dots))",
        "{dns: {type: A, port: 80}}|upstreams.generic.dns.name: missing (expected a DNS name (letters, digits, -, _ and dots))",
        "{dns: {name: a.b, type: A, port: 80, refresh: 100ms}}|upstreams.generic.dns.refresh: \"100ms\" (expected a duration of at least 1s)",
        "{dns: {name: a.b, type: A, port: 80, ttl: 5}}|upstreams.generic.dns.ttl: unknown key (expected one of: name, type, port, refresh)",
    })
    void badDnsSectionsAreLocated(String upstream, String error) {
        assertRefused("upstreams: {main: {endpoints: ['127.0.0.1:8008']}, generic: " + upstream + "}\n", error);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{nameservers: ['kube-dns:53']}|discovery.nameservers[0]: \"kube-dns:53\" (expected an IP address:port (a nameserver cannot be looked up by name))",
        "{nameservers: '10.0.0.1:53'}|discovery.nameservers: \"10.0.0.1:53\" (expected a list of host:port nameservers)",
        "{queryTimeout: 1ms}|discovery.queryTimeout: \"1ms\" (expected a duration of at least 100ms)",
    })
    void badDiscoverySectionsAreLocated(String discovery, String error) {
        assertRefused("upstreams: {main: {endpoints: ['127.0.0.1:8008']}}\ndiscovery: " + discovery + "\n", error);
    }

    private static void assertRefused(String yamlAfterListeners, String error) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(HEAD + yamlAfterListeners, "dns.yaml"));

        assertEquals(List.of(error), e.errors());
    }
}
