package org.switchboard.systemtest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
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

/** Requests and responses pass through whole, streamed, and with hop-by-hop headers removed. */
@ExtendWith(LeakCheck.class)
class ForwardingSystemTest {
    @TempDir
    static Path dir;
    static WireMockServer wiremock;
    static TinyUpstream tiny;
    static ProxyUnderTest proxy;
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        wiremock = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        wiremock.start();
        wiremock.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("from wiremock")));
        wiremock.stubFor(any(urlEqualTo("/chunked")).willReturn(aResponse().withStatus(200)
                .withBody("0123456789".repeat(1000)).withChunkedDribbleDelay(5, 20)));
        TinyUpstream.Behavior echo = TinyUpstream.echoTarget();
        tiny = new TinyUpstream((request, out, in) -> {
            if (!request.target().startsWith("/tiny/trailers")) {
                return echo.respond(request, out, in);
            }
            out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
                    + "5\r\nhello\r\n0\r\nX-Checksum: 5d41\r\n\r\n"));
            out.flush();
            return true;
        });
        proxy = ProxyUnderTest.start(dir, """
                upstreams:
                  wiremock:
                    endpoints: ["127.0.0.1:%d"]
                  tiny:
                    endpoints: ["%s"]
                routes:
                  - path: { prefix: "/tiny/" }
                    upstream: tiny
                  - path: { prefix: "/" }
                    upstream: wiremock
                """.formatted(wiremock.port(), tiny.endpoint()));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        wiremock.stop();
        tiny.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST", "PUT", "DELETE"})
    void methodsAndBodiesReachTheUpstream(String method) throws Exception {
        String body = method.equals("GET") || method.equals("DELETE") ? "" : "{\"msgtype\":\"m.text\",\"method\":\"" + method + "\"}";
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/_matrix/client/v3/rooms/x/" + method.toLowerCase()))
                .method(method, body.isEmpty() ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
                .header("Authorization", "Bearer syt_abc")
                .build();
        HttpResponse<String> response = CLIENT.send(request, BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("from wiremock", response.body());
        List<LoggedRequest> logged = wiremock.findAll(WireMock
                .anyRequestedFor(urlEqualTo("/_matrix/client/v3/rooms/x/" + method.toLowerCase())));
        LoggedRequest last = logged.get(logged.size() - 1);
        assertEquals(method, last.getMethod().getName());
        assertEquals(body, last.getBodyAsString());
        assertEquals("Bearer syt_abc", last.getHeader("Authorization"));
    }

    @Test
    void chunkedRequestBodyIsStreamedWhole() throws Exception {
        String body = "x".repeat(200_000);
        try (RawClient client = new RawClient(proxy.address())) {
            StringBuilder wire = new StringBuilder("POST /upload-chunked HTTP/1.1\r\nHost: matrix.example.org\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < body.length(); i += 30_000) {
                String chunk = body.substring(i, Math.min(body.length(), i + 30_000));
                wire.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
            }
            wire.append("0\r\n\r\n");
            RawClient.Response response = client.send(wire.toString()).readResponse();
            assertEquals(200, response.status());
        }
        wiremock.verify(postRequestedFor(urlEqualTo("/upload-chunked")).withRequestBody(equalTo(body)));
    }

    @Test
    void chunkedResponseArrivesChunkedAndWhole() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("GET /chunked HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertEquals(200, response.status());
            assertEquals("0123456789".repeat(1000), response.body());
            assertEquals("chunked", response.header("Transfer-Encoding"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/tiny/_matrix/client/v3/rooms/%21room%3Aexample.org/event/%24ev%2Fslash",
            "/tiny/_matrix/federation/v1/send/%21a%3Ab?query=%2F%24&x=1",
            "/tiny/a/../b/./c//d",
            "/tiny/%7Euser/%2e%2e/CaSe",
    })
    void requestTargetArrivesByteForByte(String target) throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertEquals(200, response.status());
            assertEquals("served GET " + target, response.body());
        }
    }

    @Test
    void hostIsKeptAndHopByHopHeadersAreRemoved() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("GET /tiny/hop HTTP/1.1\r\n"
                    + "Host: matrix.example.org\r\n"
                    + "Connection: keep-alive, X-Secret-Hop\r\n"
                    + "X-Secret-Hop: 1\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "Proxy-Connection: keep-alive\r\n"
                    + "TE: trailers\r\n"
                    + "Trailer: X-T\r\n"
                    + "Upgrade: websocket\r\n"
                    + "X-End-To-End: kept\r\n\r\n").readResponse();
            assertEquals(200, response.status());
        }
        TinyUpstream.Received received = lastReceived("/tiny/hop");
        assertEquals("matrix.example.org", received.head().header("Host"));
        assertEquals("kept", received.head().header("X-End-To-End"));
        for (String hop : List.of("connection", "x-secret-hop", "keep-alive", "proxy-connection", "te", "upgrade")) {
            assertFalse(received.head().headerNames().contains(hop), hop + " was forwarded");
        }
        assertEquals("X-T", received.head().header("Trailer"), "Trailer is end to end (RFC 9110 6.6.2)");
    }

    /**
     * Trailer announces the trailer fields and goes where they go (RFC 9110 6.6.2): to an HTTP/1.1
     * client with them; not to an HTTP/1.0 client, whose de-chunked body has no trailers.
     */
    @Test
    void trailerIsPassedOnWithTheTrailersAndDroppedWithThem() throws Exception {
        String http11 = wholeExchange("GET /tiny/trailers HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        assertTrue(http11.contains("\r\nTrailer: X-Checksum\r\n"), http11);
        assertTrue(http11.endsWith("5\r\nhello\r\n0\r\nX-Checksum: 5d41\r\n\r\n"), http11);
        String http10 = wholeExchange("GET /tiny/trailers HTTP/1.0\r\nHost: a\r\n\r\n");
        assertFalse(http10.contains("Trailer") || http10.contains("X-Checksum"), http10);
        assertTrue(http10.endsWith("\r\n\r\nhello"), http10);
    }

    /**
     * OPTIONS * asks about the server (RFC 9110 9.3.7): the proxy answers, no upstream is asked
     * (Twisted drops it). A proxy passes OPTIONS for an origin with no path on as OPTIONS *
     * (RFC 9112 3.2.4); the last one answers it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"*", "http://a"})
    void optionsAsteriskIsAnsweredByTheProxy(String target) throws Exception {
        int before = wiremock.getAllServeEvents().size();
        String answer = wholeExchange("OPTIONS " + target + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
        assertTrue(answer.contains("\r\nAllow: GET, HEAD, POST, PUT, DELETE, OPTIONS\r\n"), answer);
        assertTrue(answer.contains("\r\nContent-Length: 0\r\n"), answer);
        assertEquals(before, wiremock.getAllServeEvents().size(), "no upstream was asked");
    }

    /** CONNECT asks for a tunnel, a forward proxy's job: 501 in Matrix JSON, not a 400 for a well-formed request. */
    @Test
    void connectIsNotImplemented() throws Exception {
        String answer = wholeExchange("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 501 Not Implemented\r\n"), answer);
        assertTrue(answer.endsWith("{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"This proxy does not forward that method\"}"), answer);
    }

    private static String wholeExchange(String request) throws IOException {
        try (Socket socket = new Socket(proxy.address().getAddress(), proxy.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(HttpWire.ascii(request));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void keepAliveReusesUpstreamConnections() throws Exception {
        int before = tiny.connectionsAccepted();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(proxy.uri("/tiny/reuse/" + i)).build(),
                    BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
        }
        // Two event loops: at most one new connection each, whichever loop a client lands on.
        assertTrue(tiny.connectionsAccepted() - before <= 2,
                "20 requests opened " + (tiny.connectionsAccepted() - before) + " upstream connections");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("GET /tiny/p1 HTTP/1.1\r\nHost: a\r\n\r\nGET /tiny/p2 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /tiny/p3 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("served GET /tiny/p1", client.readResponse().body());
            assertEquals("served GET /tiny/p2", client.readResponse().body());
            assertEquals("served GET /tiny/p3", client.readResponse().body());
        }
    }

    @Test
    void expectContinueIsForwardedAndTheUpstreamsGoAheadRelayed() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("PUT /tiny/expect HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertEquals(100, client.readResponse().status());
            RawClient.Response response = client.send("hello").readResponse();
            assertEquals(200, response.status());
        }
        TinyUpstream.Received received = lastReceived("/tiny/expect");
        assertEquals("hello", received.body());
        // The upstream decides (it may refuse before the body is sent): the proxy never answers 100 itself.
        assertEquals("100-continue", received.head().header("Expect"));
    }

    @Test
    void headResponseHasNoBodyAndTheConnectionStaysUsable() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("HEAD /tiny/head HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("HTTP/1.1 200 OK", client.readHead().startLine());
            RawClient.Response next = client.send("GET /tiny/after-head HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertEquals("served GET /tiny/after-head", next.body());
        }
    }

    @Test
    void http10ClientGetsAnHttp10Answer() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("GET /tiny/old HTTP/1.0\r\nHost: a\r\n\r\n").readResponse();
            assertEquals("HTTP/1.0 200 OK", response.head().startLine());
            assertEquals("served GET /tiny/old", response.body());
            assertTrue(client.closedByPeer(), "HTTP/1.0 without keep-alive closes after the response");
        }
    }

    private static TinyUpstream.Received lastReceived(String target) {
        return tiny.received().stream().filter(r -> r.target().equals(target)).reduce((a, b) -> b).orElseThrow();
    }
}
