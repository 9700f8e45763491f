package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.switchboard.config.Cidr;
import org.switchboard.config.ClientAddressSpec;

class ClientAddressResolverTest {
    private static final ClientAddressResolver RESOLVER = new ClientAddressResolver(new ClientAddressSpec(List.of(
            Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"), Cidr.parse("192.0.2.1"))));

    @ParameterizedTest(name = "peer {0}, XFF [{1}] -> {2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            // untrusted peers: their headers mean nothing
            "203.0.113.5     | 1.2.3.4                         | 203.0.113.5 | 203.0.113.5",
            "203.0.113.5     | -                               | 203.0.113.5 | 203.0.113.5",
            "2001:db8::5     | 10.0.0.1, 1.2.3.4               | 2001:db8::5 | 2001:db8::5",
            // a trusted peer: walk right to left, skipping trusted hops
            "10.0.0.7        | 198.51.100.9                    | 198.51.100.9 | 198.51.100.9, 10.0.0.7",
            "10.0.0.7        | 6.6.6.6, 198.51.100.9           | 198.51.100.9 | 198.51.100.9, 10.0.0.7",
            "10.0.0.7        | 6.6.6.6, 198.51.100.9, 10.1.1.1 | 198.51.100.9 | 198.51.100.9, 10.1.1.1, 10.0.0.7",
            "10.0.0.7        | 10.2.2.2, 10.1.1.1              | 10.2.2.2     | 10.2.2.2, 10.1.1.1, 10.0.0.7",
            "10.0.0.7        | -                               | 10.0.0.7     | 10.0.0.7",
            "10.0.0.7        | garbage, 10.1.1.1               | 10.1.1.1     | 10.1.1.1, 10.0.0.7",
            "10.0.0.7        | unknown                         | 10.0.0.7     | 10.0.0.7",
            "10.0.0.7        | 198.51.100.9:4711               | 198.51.100.9 | 198.51.100.9, 10.0.0.7",
            "10.0.0.7        | [2001:DB8:0:0::9]:443           | 2001:db8::9  | 2001:db8::9, 10.0.0.7",
            // IPv6 and IPv4-mapped peers and entries
            "fd00::1         | 2001:db8::77                    | 2001:db8::77 | 2001:db8::77, fd00::1",
            "::ffff:10.0.0.7 | ::ffff:198.51.100.9             | 198.51.100.9 | 198.51.100.9, 10.0.0.7",
            "::ffff:203.0.113.5 | 1.2.3.4                      | 203.0.113.5  | 203.0.113.5",
            "192.0.2.1       | 1.1.1.1                         | 1.1.1.1      | 1.1.1.1, 192.0.2.1",
            "192.0.2.2       | 1.1.1.1                         | 192.0.2.2    | 192.0.2.2",
    })
    void resolvesTheClient(String peer, String forwardedFor, String client, String chain) {
        List<String> headers = forwardedFor == null ? List.of() : Arrays.asList(forwardedFor.split(";"));
        ClientAddressResolver.Resolved resolved = RESOLVER.resolve(Cidr.IpLiterals.parse(peer), headers);
        assertEquals(client, resolved.client());
        assertEquals(chain, resolved.forwardedFor());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2001:db8:0:0:0:0:0:1 | 2001:db8::1",
            "2001:0:0:1:0:0:0:1   | 2001:0:0:1::1",
            "0:0:0:0:0:0:0:0      | ::",
            "fe80:0:0:0:1:0:0:0   | fe80::1:0:0:0",
            "1:2:3:4:5:6:7:8      | 1:2:3:4:5:6:7:8",
            "1:0:2:3:4:5:6:7      | 1:0:2:3:4:5:6:7",
    })
    void ipv6IsWrittenTheRfc5952Way(String address, String expected) {
        assertEquals(expected, IpText.format(Cidr.IpLiterals.parse(address)));
    }
}
