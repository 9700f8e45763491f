package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
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

/** Every limit answers clearly (Matrix JSON) before resources run out, and nothing over it is forwarded. */
@ExtendWith(LeakCheck.class)
class LimitsSystemTest {
    @TempDir
    static Path dir;
    static TinyUpstream upstream;
    static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = new TinyUpstream(TinyUpstream.echoTarget());
        proxy = ProxyUnderTest.start(dir, """
                clientAddress:
                  trustedProxies: ["127.0.0.2"]
                limits:
                  requestTarget: 512
                  requestHeaders: 2KiB
                  requestBody: 1KiB
                  connectionsPerClient: 3
                upstreams:
                  main:
                    endpoints: ["%s"]
                routes:
                  - path: { prefix: "/_matrix/media/" }
                    upstream: main
                    maxBody: 10KiB
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
    void aDeclaredBodyOverTheRouteLimitGets413AndIsNotForwarded() throws Exception {
        RawClient.Response response = exchange("POST /too-big HTTP/1.1\r\nHost: a\r\nContent-Length: 2048\r\n\r\n" + "x".repeat(2048));
        assertEquals(413, response.status());
        assertEquals("{\"errcode\":\"M_TOO_LARGE\",\"error\":\"Request body too large for this endpoint\"}", response.body());
        assertNotForwarded("/too-big");
    }

    @Test
    void aChunkedBodyGrowingPastTheLimitIsCutOff() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("POST /chunked-too-big HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 4; i++) {
                client.send("200\r\n" + "y".repeat(512) + "\r\n");
            }
            client.send("0\r\n\r\n");
            RawClient.Response response = client.readResponse();
            assertEquals(413, response.status());
            assertTrue(client.closedByPeer());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.received().stream()
                .noneMatch(r -> r.target().equals("/chunked-too-big") && r.bodyBytes() > 1024));
    }

    @Test
    void aRouteWithItsOwnLimitTakesLargerBodies() throws Exception {
        RawClient.Response response = exchange("POST /_matrix/media/v3/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n"
                + "z".repeat(5000));
        assertEquals(200, response.status());
    }

    /** limits.requestTarget is the target's own length: a longer method takes none of it. */
    @Test
    void theTargetLimitCountsTheTargetAlone() throws Exception {
        String target = "/exactly-512/" + "t".repeat(512 - "/exactly-512/".length());
        assertEquals(200, exchange("OPTIONS " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").status());
        assertEquals(414, exchange("GET " + target + "t HTTP/1.1\r\nHost: a\r\n\r\n").status());
        assertEquals(501, exchange("A".repeat(40) + " /a HTTP/1.1\r\nHost: a\r\n\r\n").status());
    }

    @Test
    void anOverlongTargetGets414AndOversizedHeadersGet431() throws Exception {
        assertEquals(414, exchange("GET /" + "t".repeat(600) + " HTTP/1.1\r\nHost: a\r\n\r\n").status());
        assertEquals(431, exchange("GET /h HTTP/1.1\r\nHost: a\r\nX-Big: " + "h".repeat(3000) + "\r\n\r\n").status());
        assertNotForwarded("/h");
    }

    @Test
    void connectionsPerClientAreLimitedButTrustedProxiesAreNot() throws Exception {
        List<RawClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawClient client = new RawClient(proxy.address());
                held.add(client);
                assertEquals(200, client.send("GET /held HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
            }
            double refusedBefore = refusedRequests();
            try (RawClient fourth = new RawClient(proxy.address())) {
                RawClient.Response refused = fourth.readResponse();
                assertEquals(429, refused.status());
                assertTrue(refused.body().contains("M_LIMIT_EXCEEDED"), refused.body());
                assertEquals("no-store", refused.header("Cache-Control"));
            }
            // Counted as a request the proxy refused, as every other refusal is (and logged alike).
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(refusedBefore + 1, refusedRequests()));
            InetAddress trusted = InetAddress.getByName("127.0.0.2");
            for (int i = 0; i < 5; i++) {
                RawClient client = new RawClient(proxy.address(), trusted);
                held.add(client);
                assertEquals(200, client.send("GET /trusted HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
            }
            held.remove(0).close();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (RawClient again = new RawClient(proxy.address())) {
                    assertEquals(200, again.send("GET /again HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
                }
            });
        } finally {
            for (RawClient client : held) {
                client.close();
            }
        }
    }

    /** {@code switchboard_requests_total} for the 4xx answers no route served. */
    private static double refusedRequests() throws Exception {
        return proxy.adminGet("/metrics").lines()
                .filter(line -> line.startsWith("switchboard_requests_total{") && line.contains("route=\"none\"")
                        && line.contains("status_class=\"4xx\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static RawClient.Response exchange(String raw) throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            return client.send(raw).readResponse();
        }
    }

    /** Sends a good request on a new connection; once it arrived, the bad one provably did not. */
    private static void assertNotForwarded(String target) throws Exception {
        String marker = "/marker-" + System.nanoTime();
        assertEquals(200, exchange("GET " + marker + " HTTP/1.1\r\nHost: a\r\n\r\n").status());
        assertTrue(upstream.received().stream().noneMatch(r -> r.target().equals(target)), target + " was forwarded");
    }
}
