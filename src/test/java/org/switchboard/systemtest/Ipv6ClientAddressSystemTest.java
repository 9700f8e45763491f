package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
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

/** Client addresses over IPv6: an untrusted IPv6 client, and a trusted IPv6 proxy's chain. */
@ExtendWith(LeakCheck.class)
class Ipv6ClientAddressSystemTest {
    @TempDir
    static Path dir;
    static TinyUpstream upstream;
    static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(ipv6LoopbackWorks(), "no IPv6 loopback on this machine");
        upstream = new TinyUpstream(TinyUpstream.echoTarget());
        proxy = ProxyUnderTest.startWithConfig(dir, """
                listeners:
                  - name: client
                    address: "[::]:0"
                admin:
                  address: "127.0.0.1:0"
                clientAddress:
                  trustedProxies: ["::1"]
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
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void aTrustedIpv6ProxysChainResolvesToTheClient() throws Exception {
        HttpWire.Head seen = send(InetAddress.getByName("::1"), "/v6-trusted",
                "X-Forwarded-For: 2001:db8::66, [2001:db8::9]:4711\r\n");
        assertEquals("2001:db8::9, ::1", seen.header("X-Forwarded-For"));
    }

    @Test
    void anIpv4ClientOnTheSameDualStackListenerIsNotTrusted() throws Exception {
        // Arrives as ::ffff:127.0.0.1 on a [::] socket: compared as the IPv4 address it is.
        HttpWire.Head seen = send(InetAddress.getByName("127.0.0.1"), "/v4-mapped", "X-Forwarded-For: 2001:db8::66\r\n");
        assertEquals("127.0.0.1", seen.header("X-Forwarded-For"));
    }

    private static HttpWire.Head send(InetAddress from, String target, String headers) throws Exception {
        InetSocketAddress to = new InetSocketAddress(from, proxy.address().getPort());
        try (RawClient client = new RawClient(to, from)) {
            RawClient.Response response = client.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n").readResponse();
            assertEquals(200, response.status());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.received().stream().anyMatch(r -> r.target().equals(target)));
        return upstream.received().stream().filter(r -> r.target().equals(target)).findFirst().orElseThrow().head();
    }

    private static boolean ipv6LoopbackWorks() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return socket.getInetAddress() instanceof Inet6Address;
        } catch (Exception e) {
            return false;
        }
    }
}
