package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;

/**
 * The client address Synapse sees is true: forged forwarding headers from untrusted peers never
 * arrive, trusted chains resolve to the real client, PROXY protocol only from trusted peers.
 * 127.0.0.1 plays an untrusted client and 127.0.0.2 a trusted load balancer.
 */
@ExtendWith(LeakCheck.class)
class ClientAddressSystemTest {
    private static final String SPOOFING_HEADERS = "X-Forwarded-For: 1.2.3.4\r\n"
            + "x-forwarded-for: 5.6.7.8\r\n"
            + "X_Forwarded_For: 9.9.9.9\r\n"
            + "X-Real-IP: 1.2.3.4\r\n"
            + "Forwarded: for=1.2.3.4;proto=https\r\n"
            + "X-Forwarded-Proto: https\r\n"
            + "X-Forwarded-Host: evil.example\r\n"
            + "X-Forwarded-Port: 443\r\n"
            + "X-Forwarded-Prefix: /x\r\n"
            + "X_Real_IP: 1.2.3.4\r\n"
            + "X-Request-ID: forged-id\r\n";
    static final InetAddress TRUSTED_PEER = loopback("127.0.0.2");

    @TempDir
    static Path dir;
    static TinyUpstream upstream;
    static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = new TinyUpstream(TinyUpstream.echoTarget());
        proxy = ProxyUnderTest.startWithConfig(dir, """
                listeners:
                  - name: client
                    address: "127.0.0.1:0"
                  - name: behind-lb
                    address: "127.0.0.1:0"
                    proxyProtocol: true
                admin:
                  address: "127.0.0.1:0"
                clientAddress:
                  trustedProxies: ["127.0.0.2", "10.0.0.0/8", "fd00::/8"]
                upstreams:
                  main:
                    endpoints: ["%s"]
                routes:
                  - path: { prefix: "/" }
                    upstream: main
                """.formatted(upstream.endpoint()));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
    }

    @Test
    void forgedHeadersFromAnUntrustedClientNeverArrive() throws Exception {
        HttpWire.Head seen = send(null, "client", "", "/untrusted", SPOOFING_HEADERS);
        assertEquals("127.0.0.1", seen.header("X-Forwarded-For"));
        assertEquals(1, count(seen, "x-forwarded-for"), "exactly one X-Forwarded-For");
        assertEquals("http", seen.header("X-Forwarded-Proto"));
        for (String gone : List.of("x-real-ip", "forwarded", "x-forwarded-host", "x-forwarded-port", "x-forwarded-prefix",
                "x_forwarded_for", "x_real_ip")) {
            assertFalse(seen.headerNames().contains(gone), gone + " was forwarded");
        }
        assertNotEquals("forged-id", seen.header("X-Request-ID"));
        assertTrue(seen.header("X-Request-ID").matches("[0-9a-f]{32}"), seen.header("X-Request-ID"));
    }

    @Test
    void aTrustedProxysChainResolvesToTheRealClient() throws Exception {
        HttpWire.Head seen = send(TRUSTED_PEER, "client", "", "/trusted",
                "X-Forwarded-For: 6.6.6.6, 198.51.100.9\r\nX-Forwarded-For: 10.1.1.1\r\n"
                        + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: matrix.example.org\r\n"
                        + "X_Forwarded_For: 9.9.9.9\r\nX-Real-IP: 6.6.6.6\r\nX-Request-ID: lb-req-42\r\n");
        assertEquals("198.51.100.9, 10.1.1.1, 127.0.0.2", seen.header("X-Forwarded-For"));
        assertEquals("https", seen.header("X-Forwarded-Proto"));
        assertEquals("matrix.example.org", seen.header("X-Forwarded-Host"));
        assertEquals("lb-req-42", seen.header("X-Request-ID"));
        assertNull(seen.header("X_Forwarded_For"));
        assertNull(seen.header("X-Real-IP"));
    }

    @Test
    void aTrustedProxysMalformedRequestIdIsReplaced() throws Exception {
        HttpWire.Head seen = send(TRUSTED_PEER, "client", "", "/bad-id", "X-Request-ID: has spaces;and=stuff\r\n");
        assertTrue(seen.header("X-Request-ID").matches("[0-9a-f]{32}"), seen.header("X-Request-ID"));
        assertEquals("127.0.0.2", seen.header("X-Forwarded-For"));
    }

    @Test
    void proxyProtocolV1FromATrustedBalancerNamesTheClient() throws Exception {
        HttpWire.Head seen = send(TRUSTED_PEER, "behind-lb", "PROXY TCP4 203.0.113.50 127.0.0.1 55555 443\r\n",
                "/pp1", SPOOFING_HEADERS);
        assertEquals("203.0.113.50", seen.header("X-Forwarded-For"));
    }

    @Test
    void proxyProtocolV2WithAnIpv6ClientNamesTheClient() throws Exception {
        byte[] header = proxyV2Tcp6(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42});
        HttpWire.Head seen = send(TRUSTED_PEER, "behind-lb", new String(header, StandardCharsets.ISO_8859_1),
                "/pp2", "");
        assertEquals("2001:db8::42", seen.header("X-Forwarded-For"));
    }

    /**
     * A PROXY header that names no client (v1 UNKNOWN, v2 LOCAL): the balancer stays the peer,
     * but it relayed the client's bytes unread, so a forwarding header in them is the client's
     * own claim and must not reach Synapse as the client's address.
     */
    @Test
    void aProxyHeaderNamingNoClientVouchesForNoForwardingHeader() throws Exception {
        HttpWire.Head unknown = send(TRUSTED_PEER, "behind-lb", "PROXY UNKNOWN\r\n", "/pp-unknown", SPOOFING_HEADERS);
        assertEquals("127.0.0.2", unknown.header("X-Forwarded-For"));
        assertNotEquals("forged-id", unknown.header("X-Request-ID"));

        byte[] local = new byte[16];
        System.arraycopy(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A}, 0, local, 0, 12);
        local[12] = 0x20; // version 2, LOCAL
        HttpWire.Head health = send(TRUSTED_PEER, "behind-lb", new String(local, StandardCharsets.ISO_8859_1),
                "/pp-local", SPOOFING_HEADERS);
        assertEquals("127.0.0.2", health.header("X-Forwarded-For"));
    }

    @Test
    void proxyProtocolFromAnUntrustedPeerIsRefused() throws Exception {
        int before = upstream.received().size();
        try (RawClient client = new RawClient(proxy.address("behind-lb"))) {
            client.send("PROXY TCP4 10.9.9.9 127.0.0.1 55555 443\r\nGET /refused HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(client.closedByPeer());
        }
        // A request on another connection arrives; the refused one never did.
        send(null, "client", "", "/after-refused", "");
        assertTrue(upstream.received().stream().skip(before).noneMatch(r -> r.target().equals("/refused")));
    }

    private static HttpWire.Head send(InetAddress from, String listener, String preamble, String target, String headers)
            throws Exception {
        try (RawClient client = new RawClient(proxy.address(listener), from)) {
            RawClient.Response response = client.send(preamble + "GET " + target + " HTTP/1.1\r\nHost: matrix.example.org\r\n"
                    + headers + "\r\n").readResponse();
            assertEquals(200, response.status(), response.body());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.received().stream().anyMatch(r -> r.target().equals(target)));
        return upstream.received().stream().filter(r -> r.target().equals(target)).findFirst().orElseThrow().head();
    }

    private static long count(HttpWire.Head head, String name) {
        return head.headerNames().stream().filter(name::equals).count();
    }

    /** A PROXY protocol v2 header: PROXY command, TCP over IPv6, source {@code source}. */
    private static byte[] proxyV2Tcp6(byte[] source) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        out.write(0x21); // version 2, PROXY
        out.write(0x21); // AF_INET6, STREAM
        out.write(0);
        out.write(36); // 16 + 16 + 2 + 2
        out.writeBytes(source);
        byte[] destination = new byte[16];
        destination[15] = 1;
        out.writeBytes(destination);
        out.writeBytes(new byte[] {(byte) 0xd9, 0x03, 0x01, (byte) 0xbb});
        return out.toByteArray();
    }

    static InetAddress loopback(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
