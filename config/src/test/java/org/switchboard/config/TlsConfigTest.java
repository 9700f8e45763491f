package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A listener's {@code tls} and {@code redirectToHttps}: the keys of the issue's contract, their errors located. */
class TlsConfigTest {
    private static final String UPSTREAMS = "upstreams: {main: {endpoints: [\"10.0.1.10:8008\"]}}\n";
    private static final String HTTPS = "  - name: https\n    address: \"0.0.0.0:8443\"\n";

    @Test
    void theIssuesExampleBinds() throws Exception {
        SwitchboardSpec spec = ConfigLoader.parse("""
                listeners:
                  - name: https
                    address: "0.0.0.0:8443"
                    tls:
                      certificates:
                        - { cert: /etc/switchboard/tls/matrix/tls.crt, key: /etc/switchboard/tls/matrix/tls.key }
                        - { cert: /etc/switchboard/tls/element/tls.crt, key: /etc/switchboard/tls/element/tls.key }
                      minVersion: TLSv1.3
                  - name: http
                    address: "0.0.0.0:8080"
                    redirectToHttps: true
                """ + UPSTREAMS, "t.yaml");
        ListenerSpec https = spec.listeners().get(0);
        assertTrue(https.isTls());
        assertEquals(List.of(
                TlsSpec.CertificateSpec.of(Path.of("/etc/switchboard/tls/matrix/tls.crt"), Path.of("/etc/switchboard/tls/matrix/tls.key")),
                TlsSpec.CertificateSpec.of(Path.of("/etc/switchboard/tls/element/tls.crt"), Path.of("/etc/switchboard/tls/element/tls.key"))),
                https.tls().certificates());
        assertEquals("TLSv1.3", https.tls().minVersion());
        assertFalse(https.redirectToHttps());
        assertTrue(https.http2(), "HTTP/2 is offered by ALPN on a TLS listener unless turned off");
        ListenerSpec http = spec.listeners().get(1);
        assertNull(http.tls());
        assertTrue(http.redirectToHttps());
        assertFalse(http.http2(), "h2c on a plain listener only where asked for");
    }

    /** A number names the port clients reach HTTPS on (a load balancer's 443 before a listener on 8443). */
    @Test
    void redirectToHttpsMayNameThePortClientsReach() throws Exception {
        SwitchboardSpec spec = ConfigLoader.parse("listeners:\n" + HTTPS + "    tls: {certificates: [{cert: a.crt, key: a.key}]}\n"
                + "  - name: http\n    address: \"0.0.0.0:8080\"\n    redirectToHttps: 443\n" + UPSTREAMS, "t.yaml");
        ListenerSpec http = spec.listeners().get(1);
        assertTrue(http.redirectToHttps());
        assertEquals(443, http.redirectPort());
        assertEquals(0, spec.listeners().get(0).redirectPort(), "true or absent: the TLS listener's own port");
    }

    @Test
    void http2IsTurnedOffOrOnPerListener() throws Exception {
        SwitchboardSpec spec = ConfigLoader.parse("listeners:\n" + HTTPS + "    http2: false\n"
                + "    tls: {certificates: [{cert: a.crt, key: a.key}]}\n"
                + "  - name: cluster\n    address: \"0.0.0.0:8081\"\n    http2: true\n" + UPSTREAMS, "t.yaml");
        assertFalse(spec.listeners().get(0).http2());
        assertTrue(spec.listeners().get(1).http2());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("listeners:\n" + HTTPS
                + "    http2: maybe\n" + UPSTREAMS, "t.yaml"));
        assertTrue(e.getMessage().contains("listeners[0].http2"), e.getMessage());
    }

    @Test
    void minVersionDefaultsToTls12() throws Exception {
        SwitchboardSpec spec = ConfigLoader.parse("listeners:\n" + HTTPS + "    tls: {certificates: [{cert: a.crt, key: a.key}]}\n"
                + UPSTREAMS, "t.yaml");
        assertEquals(TlsSpec.TLS_1_2, spec.listeners().get(0).tls().minVersion());
    }

    private static Arguments invalid(String listeners, String... errors) {
        return Arguments.of("listeners:\n" + listeners + UPSTREAMS, List.of(errors));
    }

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                invalid(HTTPS + "    tls: {}\n", "listeners[0].tls.certificates: missing (expected a list of {cert, key})"),
                invalid(HTTPS + "    tls: {certificates: []}\n",
                        "listeners[0].tls.certificates: an empty list (expected at least one {cert, key})"),
                invalid(HTTPS + "    tls: {certificates: [{cert: a.crt}]}\n",
                        "listeners[0].tls.certificates[0].key: missing (expected the path of a PEM file)"),
                invalid(HTTPS + "    tls: {certificates: [{cert: a.crt, key: \"\", chain: c.pem}]}\n",
                        "listeners[0].tls.certificates[0].chain: unknown key (expected one of: cert, key)",
                        "listeners[0].tls.certificates[0].key: \"\" (expected the path of a PEM file)"),
                invalid(HTTPS + "    tls: {certificates: [{cert: a.crt, key: a.key}], minVersion: TLSv1.1}\n",
                        "listeners[0].tls.minVersion: \"TLSv1.1\" (expected one of: TLSv1.2, TLSv1.3)"),
                invalid(HTTPS + "    tls: {certificates: [{cert: a.crt, key: a.key}], ciphers: [x]}\n",
                        "listeners[0].tls.ciphers: unknown key (expected one of: certificates, minVersion)"),
                invalid(HTTPS + "    tls: true\n",
                        "listeners[0].tls: true (expected a map with keys: certificates, minVersion)"),
                invalid(HTTPS + "    tls: {certificates: [{cert: a.crt, key: a.key}]}\n    redirectToHttps: true\n",
                        "listeners[0].redirectToHttps: true on a listener with tls (expected redirectToHttps only on a plain listener)"),
                invalid("  - name: http\n    address: \"0.0.0.0:8080\"\n    redirectToHttps: true\n",
                        "listeners[0].redirectToHttps: true without a listener with tls (expected a listener with tls to redirect to)"),
                invalid(HTTPS + "    tls: {certificates: [{cert: a.crt, key: a.key}]}\n    redirectToHttps: 443\n",
                        "listeners[0].redirectToHttps: 443 on a listener with tls (expected redirectToHttps only on a plain listener)"),
                invalid("  - name: http\n    address: \"0.0.0.0:8080\"\n    redirectToHttps: 443\n",
                        "listeners[0].redirectToHttps: 443 without a listener with tls (expected a listener with tls to redirect to)"),
                invalid("  - name: http\n    address: \"0.0.0.0:8080\"\n    redirectToHttps: yes please\n",
                        "listeners[0].redirectToHttps: \"yes please\" (expected true, false or the HTTPS port clients reach (1-65535))"),
                invalid(HTTPS + "    tls: {certificates: [{cert: a.crt, key: a.key}]}\n  - name: http\n    address: \"0.0.0.0:8080\"\n"
                        + "    redirectToHttps: 0\n",
                        "listeners[1].redirectToHttps: 0 (expected an integer 1-65535)"));
    }

    @ParameterizedTest
    @MethodSource("invalidConfigs")
    void reportsEachMistakeAtItsLocation(String yaml, List<String> expected) {
        assertEquals(expected, assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "t.yaml")).errors());
    }
}
