package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;

/**
 * Behind a load balancer speaking PROXY protocol, the per-client connection limit counts the
 * clients the headers name, not the balancer that carries them all.
 */
@ExtendWith(LeakCheck.class)
class ProxyProtocolLimitSystemTest {
    private static final InetAddress BALANCER = ClientAddressSystemTest.loopback("127.0.0.2");

    @TempDir
    static Path dir;
    static TinyUpstream upstream;
    static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = new TinyUpstream(TinyUpstream.echoTarget());
        proxy = ProxyUnderTest.startWithConfig(dir, """
                listeners:
                  - name: behind-lb
                    address: "127.0.0.1:0"
                    proxyProtocol: true
                admin:
                  address: "127.0.0.1:0"
                clientAddress:
                  trustedProxies: ["127.0.0.2"]
                limits:
                  connectionsPerClient: 2
                timeouts:
                  requestHeader: 300ms
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

    private static RawClient connectAs(String client) throws Exception {
        RawClient connection = new RawClient(proxy.address("behind-lb"), BALANCER);
        connection.send("PROXY TCP4 " + client + " 127.0.0.1 55555 443\r\n");
        return connection;
    }

    /** A header that starts and stops is timed as a request head is, not held until the idle timeout. */
    @Test
    void aProxyHeaderThatStopsArrivingClosesTheConnectionAfterRequestHeader() throws Exception {
        try (RawClient stalled = new RawClient(proxy.address("behind-lb"), BALANCER)) {
            stalled.socket().setSoTimeout(5_000); // far below downstreamIdle, far above requestHeader
            stalled.send("PROXY TCP4 203.0.");
            assertTrue(stalled.closedByPeer());
        }
        assertTrue(proxy.adminGet("/metrics").contains("switchboard_proxy_errors_total{kind=\"request_timeout\"} 1.0"));
    }

    @Test
    void theClientNamedByTheHeaderIsCountedNotTheBalancer() throws Exception {
        List<RawClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                RawClient office = connectAs("203.0.113.50");
                held.add(office);
                assertEquals(200, office.send("GET /office HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
            }
            try (RawClient third = connectAs("203.0.113.50")) {
                RawClient.Response refused = third.send("GET /third HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
                assertEquals(429, refused.status());
                assertTrue(refused.body().contains("M_LIMIT_EXCEEDED"), refused.body());
            }
            assertTrue(upstream.received().stream().noneMatch(r -> r.target().equals("/third")), "the refused request never went up");
            // The same balancer carries others: each is a client of its own.
            for (int i = 0; i < 3; i++) {
                RawClient other = connectAs("203.0.113." + (60 + i));
                held.add(other);
                assertEquals(200, other.send("GET /other HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
            }
        } finally {
            for (RawClient connection : held) {
                connection.close();
            }
        }
    }
}
