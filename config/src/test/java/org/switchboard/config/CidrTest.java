package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
            "10.0.0.0/8,            10.200.3.4,            true",
            "10.0.0.0/8,            11.0.0.1,              false",
            "10.0.0.0/8,            ::ffff:10.1.2.3,       true",
            "::ffff:10.0.0.0/104,   10.9.9.9,              true",
            "192.168.1.7,           192.168.1.7,           true",
            "192.168.1.7,           192.168.1.8,           false",
            "172.16.0.0/12,         172.31.255.255,        true",
            "172.16.0.0/12,         172.32.0.0,            false",
            "fd00::/8,              fd12:3456::1,          true",
            "fd00::/8,              fe80::1,               false",
            "2001:db8::/32,         2001:db8:ffff::1,      true",
            "0.0.0.0/0,             203.0.113.9,           true",
            "0.0.0.0/0,             2001:db8::1,           false",
            "::/0,                  2001:db8::1,           true",
            "10.0.0.0/8,            2001:db8::1,           false",
    })
    void rangesContainTheirAddresses(String range, String address, boolean expected) {
        assertEquals(expected, Cidr.parse(range).contains(Cidr.IpLiterals.parse(address)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0/8", "proxy.example", "localhost", "::1/129", "1.2.3.4/x", "", "256.1.1.1"})
    void invalidRangesAreRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.org", "1.2.3", "1.2.3.4.5", "1::2::3", "01.02.03.004a", "[::1]"})
    void onlyLiteralsParseAndNothingIsResolved(String text) {
        assertNull(Cidr.IpLiterals.parse(text));
    }

    /** 127.000.000.070 is 127.0.0.70 to Java and 127.0.0.56 to inet_aton: neither, here (nor in X-Forwarded-For). */
    @ParameterizedTest
    @ValueSource(strings = {"127.000.000.070", "010.0.0.1", "10.0.0.01", "::ffff:010.0.0.1"})
    void aDottedQuadWithALeadingZeroIsNoAddress(String text) {
        assertNull(Cidr.IpLiterals.parse(text));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text + "/32"));
    }
}
