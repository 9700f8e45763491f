package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("synapse-main.matrix.svc.cluster.local:8008", false, "synapse-main.matrix.svc.cluster.local", 8008),
                Arguments.of("10.0.2.10:8083", false, "10.0.2.10", 8083),
                Arguments.of("[::1]:8008", false, "::1", 8008),
                Arguments.of("[fe80::1%eth0]:80", false, "fe80::1%eth0", 80),
                Arguments.of("localhost:65535", false, "localhost", 65535),
                Arguments.of("localhost:1", false, "localhost", 1),
                Arguments.of("localhost:0", true, "localhost", 0),
                Arguments.of("[::]:0", true, "::", 0),
                Arguments.of("synapse.matrix.svc.cluster.local.:8008", false, "synapse.matrix.svc.cluster.local.", 8008),
                Arguments.of("_sip._tcp.example:5060", false, "_sip._tcp.example", 5060),
                Arguments.of("3com.example:80", false, "3com.example", 80));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parses(String text, boolean allowPortZero, String host, int port) {
        HostPort parsed = HostPort.parse(text, allowPortZero);
        assertEquals(HostPort.of(host, port), parsed);
        assertEquals(text, parsed.toString(), "toString gives back the written form");
    }

    static Stream<Arguments> badPorts() {
        return Stream.of(
                Arguments.of("localhost:0", false, "expected host:port, port 1-65535"),
                Arguments.of("localhost:65536", false, "expected host:port, port 1-65535"),
                Arguments.of("localhost:65536", true, "expected host:port, port 0-65535"),
                Arguments.of("localhost:-1", true, "expected host:port, port 0-65535"),
                Arguments.of("[::1]:0", false, "expected host:port, port 1-65535"));
    }

    @ParameterizedTest
    @MethodSource("badPorts")
    void refusesPortsOutOfRange(String text, boolean allowPortZero, String message) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text, allowPortZero));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "localhost", "8008", ":8008", "localhost:", "localhost:80a", "localhost: 80", "::1:8008",
        "[::1]8008", "[::1]:", "[::1", "http://localhost:8008", "local host:80", "host/path:80",
        // Typos the name resolver would only find with traffic: no such IPv4 address, empty or
        // broken labels, a bracketed non-address.
        "999.1.1.1:80", "1.2.3.4.5:80", "10.0.2:80", "a..b:1", "-bad-.x:1", "host-.example:1", ".lead:1",
        "[not-v6]:80", "[1.2.3.4]:80", "host%eth0:80"})
    void refusesMalformedText(String text) {
        for (boolean allowPortZero : new boolean[] {false, true}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text, allowPortZero));
            assertTrue(e.getMessage().startsWith("expected host:port, port "), e.getMessage());
        }
    }

    @Test
    void anIpv6AddressWithoutBracketsIsToldToUseThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse("::1:8008", false));
        assertEquals("expected host:port, port 1-65535; an IPv6 address in brackets, as [::1]:8008", e.getMessage());
    }

    /** Pools and counters are keyed by it: equal by host as written and port, and hashed alike. */
    @Test
    void equalByHostAsWrittenAndPort() {
        HostPort a = HostPort.parse("10.0.2.10:8083", false);
        HostPort b = new HostPort(new String("10.0.2.10"), 8083);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, HostPort.of("10.0.2.10", 8084));
        assertNotEquals(a, HostPort.of("10.0.2.11", 8083));
        assertNotEquals(HostPort.of("Synapse", 80), HostPort.of("synapse", 80));
        assertNotEquals(a, "10.0.2.10:8083");
    }
}
