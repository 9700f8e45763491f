package org.switchboard.systemtest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;

/** Every way an exchange can go wrong ends in a clear answer or an honest close, never a hang. */
@ExtendWith(LeakCheck.class)
class FailureSystemTest {
    @TempDir
    static Path dir;
    static WireMockServer slow;
    static TinyUpstream.Hold holding = new TinyUpstream.Hold();
    static TinyUpstream held;
    static TinyUpstream truncating;
    static TinyUpstream garbage;
    static TinyUpstream badFraming;
    static final Map<String, String> BAD_RESPONSES = Map.of(
            "/framing/cl-and-te", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "/framing/two-lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "/framing/bare-lf", "HTTP/1.1 200 OK\nContent-Length: 5\n\nhello",
            "/framing/bad-chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
    static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        slow = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        slow.start();
        slow.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("late").withFixedDelay(3_000)));
        held = new TinyUpstream(holding);
        truncating = new TinyUpstream((request, out, in) -> {
            out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(100)));
            out.flush();
            return false;
        });
        garbage = new TinyUpstream((request, out, in) -> {
            out.write(HttpWire.ascii("NOT HTTP AT ALL\r\n\r\n"));
            out.flush();
            return false;
        });
        badFraming = new TinyUpstream((request, out, in) -> {
            out.write(HttpWire.ascii(BAD_RESPONSES.get(request.target())));
            out.flush();
            return false;
        });
        proxy = ProxyUnderTest.start(dir, """
                upstreams:
                  dead:
                    endpoints: ["127.0.0.1:%d"]
                  slow:
                    endpoints: ["127.0.0.1:%d"]
                  held:
                    endpoints: ["%s"]
                  truncating:
                    endpoints: ["%s"]
                  garbage:
                    endpoints: ["%s"]
                  framing:
                    endpoints: ["%s"]
                routes:
                  - path: { prefix: "/framing/" }
                    upstream: framing
                  - path: { prefix: "/dead/" }
                    upstream: dead
                  - path: { prefix: "/slow/" }
                    upstream: slow
                  - path: { prefix: "/_matrix/client/v3/sync" }
                    upstream: held
                  - path: { prefix: "/truncated/" }
                    upstream: truncating
                  - path: { prefix: "/garbage/" }
                    upstream: garbage
                timeouts:
                  connect: 2s
                  upstreamResponse: 500ms
                """.formatted(ProxyUnderTest.freePort(), slow.port(), held.endpoint(), truncating.endpoint(), garbage.endpoint(),
                badFraming.endpoint()));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        slow.stop();
        held.close();
        truncating.close();
        garbage.close();
        badFraming.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/framing/cl-and-te", "/framing/two-lengths",
            "/framing/bare-lf", "/framing/bad-chunk"})
    void upstreamResponsesWithInvalidFramingBecome502(String target) throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n");
            HttpWire.Head head = client.readHead();
            if (head == null) {
                // The head was already on its way when the body turned out broken: closing
                // without a word is the honest answer left.
                return;
            }
            if (head.startLine().startsWith("HTTP/1.1 200")) {
                // Only acceptable if the body then breaks off: never a complete, wrong message.
                assertThrows(IOException.class,
                        () -> HttpWire.readBody(client.input(), head, OutputStream.nullOutputStream(), false));
            } else {
                assertEquals("HTTP/1.1 502 Bad Gateway", head.startLine());
            }
        }
    }

    @Test
    void deadUpstreamGives502InMatrixJson() throws Exception {
        RawClient.Response response = get("/dead/x");
        assertEquals(502, response.status());
        assertEquals("application/json", response.header("Content-Type"));
        assertTrue(response.body().startsWith("{\"errcode\":\"M_UNKNOWN\",\"error\":\""), response.body());
    }

    @Test
    void invalidUpstreamResponseGives502() throws Exception {
        RawClient.Response response = get("/garbage/x");
        assertEquals(502, response.status());
        assertTrue(response.body().contains("\"errcode\":\"M_UNKNOWN\""), response.body());
    }

    @Test
    void slowUpstreamGives504() throws Exception {
        RawClient.Response response = get("/slow/x");
        assertEquals(504, response.status());
        assertTrue(response.body().contains("\"errcode\":\"M_UNKNOWN\""), response.body());
    }

    @Test
    void noRouteGives404InMatrixJson() throws Exception {
        RawClient.Response response = get("/nowhere");
        assertEquals(404, response.status());
        assertEquals("{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Unrecognized request: no route matches\"}", response.body());
    }

    /** The proxy's own answer to HEAD has no body (RFC 9110 9.3.2): only the length a GET would get. */
    @Test
    void aHeadToADeadUpstreamGets502WithoutABody() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            HttpWire.Head head = client.send("HEAD /dead/x HTTP/1.1\r\nHost: a\r\n\r\n").readHead();
            assertEquals("502", head.startLineParts()[1]);
            assertTrue(Integer.parseInt(head.header("Content-Length")) > 0, "the length a GET would get");
            assertEquals("close", head.header("Connection"));
            assertEquals(0, client.input().readAllBytes().length, "nothing after the head until the close");
        }
    }

    @Test
    void connectionStaysUsableAfterA404() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            assertEquals(404, client.send("GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
            assertEquals(502, client.send("GET /dead/y HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
        }
    }

    @Test
    void clientLeavingALongPollClosesTheUpstreamConnection() throws Exception {
        int releasedBefore = holding.released();
        RawClient client = new RawClient(proxy.address());
        client.send("GET /_matrix/client/v3/sync?timeout=30000&since=s1 HTTP/1.1\r\nHost: a\r\n\r\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> holding.held() > releasedBefore);
        client.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> holding.released() > releasedBefore);
    }

    @Test
    void upstreamDyingMidResponseClosesTheClientConnection() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("GET /truncated/x HTTP/1.1\r\nHost: a\r\n\r\n");
            HttpWire.Head head = client.readHead();
            assertEquals("1000", head.header("Content-Length"));
            // The body stops short and the connection ends: a truncation the client can see.
            assertThrows(EOFException.class,
                    () -> HttpWire.readBody(client.input(), head, OutputStream.nullOutputStream(), false));
        }
    }

    @Test
    void malformedRequestGets400AndIsNotForwarded() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("GET /dead/x HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n").readResponse();
            assertEquals(400, response.status());
            assertTrue(client.closedByPeer());
        }
    }

    @Test
    void overlongRequestTargetGets414() throws Exception {
        RawClient.Response response = get("/dead/" + "a".repeat(10_000));
        assertEquals(414, response.status());
    }

    private static RawClient.Response get(String target) throws IOException {
        try (RawClient client = new RawClient(proxy.address())) {
            return client.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
        }
    }
}
