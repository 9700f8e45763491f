package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.switchboard.proxy.http2.Http2Connection;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.RawH2Client.Frame;
import org.switchboard.systemtest.support.RawH2Client;
import org.switchboard.systemtest.support.TinyUpstream;
import org.switchboard.systemtest.support.TlsMaterial.SecretVolume;
import org.switchboard.systemtest.support.TlsMaterial;

/**
 * HTTP/2 towards clients with real clients: the JDK HttpClient over TLS (ALPN h2), many streams
 * on one connection, uploads with and without a declared length, a listener with HTTP/2 off,
 * h2c by prior knowledge beside HTTP/1.1, forbidden fields refused, a rapid-reset flood ending
 * that client's connection only, and a drain's GOAWAY letting the stream in flight finish.
 */
@ExtendWith(LeakCheck.class)
class Http2SystemTest {
    private static final String HOST = "matrix.example.test";

    @TempDir
    Path dir;
    private TinyUpstream upstream;
    private TinyUpstream slow;
    /** A frozen worker: its accept queue is full, so a connection to it never completes and a body sent to it waits in the proxy. */
    private ServerSocket frozen;
    private final List<Socket> queueFillers = new ArrayList<>();
    private ProxyUnderTest proxy;
    private Path accessLog;

    @BeforeEach
    void start() throws Exception {
        TinyUpstream.Behavior echo = TinyUpstream.echoTarget();
        upstream = new TinyUpstream((request, out, in) -> {
            if (request.target().equals("/truncated")) {
                // A worker that dies mid-response: 10 of the 100 bytes it announced, then the close.
                out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"));
                out.flush();
                return false;
            }
            if (!request.target().equals("/no-content")) {
                return echo.respond(request, out, in);
            }
            // A length a 204 must not carry (RFC 9110 8.6); the body it announces never comes.
            out.write(HttpWire.ascii("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nX-Kept: yes\r\n\r\n"));
            out.flush();
            return true;
        });
        slow = new TinyUpstream((request, out, in) -> {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return TinyUpstream.answering("slow").respond(request, out, in);
        });
        frozen = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); // filled by the test that uses it
        SecretVolume matrix = new SecretVolume(dir.resolve("matrix"), TlsMaterial.MATRIX);
        accessLog = dir.resolve("access.log");
        Path file = Files.writeString(dir.resolve("switchboard.yaml"), """
                listeners:
                  - name: https
                    address: "127.0.0.1:0"
                    tls: { certificates: [ { cert: "%s", key: "%s" } ] }
                  - name: https1
                    address: "127.0.0.1:0"
                    http2: false
                    tls: { certificates: [ { cert: "%s", key: "%s" } ] }
                  - name: h2c
                    address: "127.0.0.1:0"
                    http2: true
                admin:
                  address: "127.0.0.1:0"
                runtime:
                  eventLoopThreads: 2
                accessLog: {enabled: true, path: "%s"}
                drain: {delay: 0s, timeout: 10s}
                upstreams:
                  main: { endpoints: ["%s"] }
                  slow: { endpoints: ["%s"] }
                  frozen: { endpoints: ["127.0.0.1:%d"] }
                routes:
                  - path: { prefix: "/frozen" }
                    upstream: frozen
                  - path: { prefix: "/slow" }
                    upstream: slow
                  - path: { prefix: "/_synapse/admin" }
                    allow: ["10.0.0.0/8"]
                    upstream: main
                  - path: { prefix: "/flood" }
                    rateLimit: { requests: 1, per: 1h, burst: 1 }
                    respond: { status: 204 }
                  - path: { prefix: "/robots.txt" }
                    respond:
                      body: "User-agent: *\\nDisallow: /\\n"
                      headers: { Cache-Control: "max-age=86400" }
                  - path: { prefix: "/" }
                    upstream: main
                """.formatted(matrix.cert(), matrix.key(), matrix.cert(), matrix.key(), accessLog, upstream.endpoint(),
                slow.endpoint(), frozen.getLocalPort()));
        proxy = ProxyUnderTest.startReloadable(file);
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        upstream.close();
        slow.close();
        frozen.close();
        for (Socket socket : queueFillers) {
            socket.close();
        }
    }

    @Test
    void theJdkClientSpeaksHttp2OverTlsAndTheUpstreamHttp11WithTheForwardingHeaders() throws Exception {
        HttpResponse<String> response = TlsMaterial.httpClient(HOST).send(HttpRequest.newBuilder(uri("https",
                "/_matrix/client/v3/sync?since=s1")).header("Authorization", "Bearer syt_a").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertEquals("served GET /_matrix/client/v3/sync?since=s1", response.body());
        HttpWire.Head head = upstream.received().get(upstream.received().size() - 1).head();
        assertEquals("GET /_matrix/client/v3/sync?since=s1 HTTP/1.1", head.startLine());
        assertEquals("127.0.0.1:" + proxy.address("https").getPort(), head.header("Host"), ":authority becomes Host");
        assertEquals("https", head.header("X-Forwarded-Proto"));
        assertEquals("127.0.0.1", head.header("X-Forwarded-For"));
        assertEquals("Bearer syt_a", head.header("Authorization"));
        assertEquals(32, head.header("X-Request-ID").length());
        try (SSLSocket socket = TlsMaterial.connect(proxy.address("https"), HOST, List.of("h2", "http/1.1"))) {
            assertEquals("h2", socket.getApplicationProtocol(), "ALPN prefers h2");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(accessLog)
                && Files.readString(accessLog).contains("\"protocol\":\"h2\",\"method\":\"GET\",\"path\":\"/_matrix/client/v3/sync\""));
    }

    @Test
    void manyStreamsShareOneConnection() throws Exception {
        HttpClient client = TlsMaterial.httpClient(HOST);
        // One request first: requests sent before the JDK client has a connection each open their own.
        assertEquals(200, client.send(HttpRequest.newBuilder(uri("https", "/_matrix/client/versions")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            responses.add(client.sendAsync(HttpRequest.newBuilder(uri("https", "/_matrix/client/v3/rooms/!r/messages?n=" + i))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> response = responses.get(i).get(30, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertEquals("served GET /_matrix/client/v3/rooms/!r/messages?n=" + i, response.body());
            assertEquals(HttpClient.Version.HTTP_2, response.version());
        }
        String metrics = proxy.adminGet("/metrics");
        assertTrue(metrics.contains("switchboard_client_connections{protocol=\"h2\"} 1.0"),
                "one connection carried them all: " + metrics.lines().filter(l -> l.startsWith("switchboard_client_connections")).toList());
    }

    @Test
    void uploadsStreamUpstreamWithAndWithoutADeclaredLength() throws Exception {
        HttpClient client = TlsMaterial.httpClient(HOST);
        byte[] media = new byte[5 * 1024 * 1024];
        new Random(7).nextBytes(media);
        HttpResponse<String> sized = client.send(HttpRequest.newBuilder(uri("https", "/_matrix/media/v3/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(media)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, sized.statusCode());
        TinyUpstream.Received first = upstream.received().get(upstream.received().size() - 1);
        assertEquals(media.length, first.bodyBytes());
        CRC32 crc = new CRC32();
        crc.update(media);
        assertEquals(crc.getValue(), first.bodyCrc(), "every byte as sent");
        assertEquals(Long.toString(media.length), first.head().header("Content-Length"));

        HttpResponse<String> streamed = client.send(HttpRequest.newBuilder(uri("https", "/_matrix/media/v3/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(media))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, streamed.statusCode());
        TinyUpstream.Received second = upstream.received().get(upstream.received().size() - 1);
        assertEquals(media.length, second.bodyBytes(), "no length declared: chunked upstream, every byte there");
        assertEquals(crc.getValue(), second.bodyCrc(), "every byte as sent");
        assertTrue(second.head().chunked());
    }

    @Test
    void theProxysOwnAnswersGoOutAsHttp2Responses() throws Exception {
        HttpClient client = TlsMaterial.httpClient(HOST);
        HttpResponse<String> forbidden = client.send(HttpRequest.newBuilder(uri("https", "/_synapse/admin/v1/users")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forbidden.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, forbidden.version());
        assertTrue(forbidden.body().contains("\"errcode\":\"M_FORBIDDEN\""), forbidden.body());
        assertEquals("application/json", forbidden.headers().firstValue("content-type").orElse(""));

        HttpResponse<String> robots = client.send(HttpRequest.newBuilder(uri("https", "/robots.txt")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, robots.statusCode());
        assertEquals("User-agent: *\nDisallow: /\n", robots.body());
        assertEquals("max-age=86400", robots.headers().firstValue("cache-control").orElse(""));

        assertEquals(204, client.send(HttpRequest.newBuilder(uri("https", "/flood")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> limited = client.send(HttpRequest.newBuilder(uri("https", "/flood")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(429, limited.statusCode());
        assertTrue(limited.body().contains("\"errcode\":\"M_LIMIT_EXCEEDED\""), limited.body());
        assertTrue(limited.headers().firstValue("retry-after").isPresent());

        HttpResponse<Void> head = client.send(HttpRequest.newBuilder(uri("https", "/robots.txt"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
        assertEquals(0, upstream.received().size(), "none of these reached the upstream");
    }

    @Test
    void aListenerWithHttp2OffSettlesOnHttp11() throws Exception {
        HttpResponse<String> response = TlsMaterial.httpClient(HOST).send(HttpRequest.newBuilder(uri("https1",
                "/_matrix/client/versions")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, response.version());
        try (SSLSocket socket = TlsMaterial.connect(proxy.address("https1"), HOST, List.of("h2", "http/1.1"))) {
            assertEquals("http/1.1", socket.getApplicationProtocol());
        }
    }

    @Test
    void h2cByPriorKnowledgeWorksBesideHttp11OnAPlainListener() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            client.send(RawH2Client.headers(1, RawH2Client.get("/_matrix/client/versions"), true));
            Frame headers = client.readUntil(RawH2Client.HEADERS);
            assertNotNull(headers);
            assertEquals(1, headers.stream());
            assertEquals("served GET /_matrix/client/versions", client.readBody());
        }
        HttpResponse<String> http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.address("h2c").getPort()
                        + "/_matrix/client/versions")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, http11.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, http11.version());
    }

    @Test
    void anUpstreams204WithALengthReachesHttp2AndHttp1ClientsWithoutIt() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            client.send(RawH2Client.headers(1, RawH2Client.get("/no-content"), true));
            Frame headers = client.readUntil(RawH2Client.HEADERS);
            assertNotNull(headers);
            Http2Headers fields = client.decode(headers);
            assertEquals("204", fields.status().toString());
            assertEquals("yes", String.valueOf(fields.get("x-kept")));
            assertNull(fields.get("content-length"), fields.toString());
            assertTrue(headers.endStream(), "no body follows");
        }
        try (RawClient client = new RawClient(proxy.address("h2c"))) {
            RawClient.Response noContent = client.send("GET /no-content HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertEquals(204, noContent.status());
            assertNull(noContent.header("Content-Length"), noContent.head().toString());
            assertEquals("yes", noContent.header("X-Kept"));
            assertEquals("served GET /next", client.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().body());
        }
    }

    /**
     * RFC 9113 8.3.1: {@code :path} is origin-form (or {@code *} for OPTIONS), and a Host naming
     * another authority than {@code :authority} makes the request malformed; this proxy serves
     * http and https only. Extended CONNECT is not offered, so a {@code :protocol} makes a request
     * malformed too (RFC 8441 3). Each is refused, never forwarded.
     */
    @ParameterizedTest
    @ValueSource(strings = {"absolute path", "asterisk GET", "ftp scheme", "other host", "protocol"})
    void malformedPseudoHeadersAreRefusedAndNeverForwarded(String which) throws Exception {
        byte[] block = switch (which) {
            case "absolute path" -> RawH2Client.get("http://matrix.example.org/_matrix/client/versions");
            case "asterisk GET" -> RawH2Client.get("*");
            case "ftp scheme" -> RawH2Client.block(":method", "GET", ":scheme", "ftp", ":path", "/_matrix/client/versions",
                    ":authority", "matrix.example.org");
            case "protocol" -> RawH2Client.get("/rtc", ":protocol", "websocket");
            default -> RawH2Client.get("/_matrix/client/versions", "host", "admin.example.org");
        };
        int before = upstream.received().size();
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            client.send(RawH2Client.headers(1, block, true));
            Frame answer = client.read();
            while (answer != null && answer.type() != RawH2Client.HEADERS && answer.type() != RawH2Client.RST_STREAM) {
                answer = client.read();
            }
            assertNotNull(answer, "the stream is answered");
            if (answer.type() == RawH2Client.HEADERS) {
                assertEquals("400", client.decode(answer).status().toString());
            }
        }
        assertEquals(before, upstream.received().size(), "it never reached the upstream");
    }

    /** The same authority in Host and :authority, once normalized (case, the scheme's default port), is served. */
    @Test
    void aHostThatNamesTheAuthorityAfterNormalizationIsServed() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            client.send(RawH2Client.headers(1, RawH2Client.get("/_matrix/client/versions", "host", "Matrix.Example.org.:080"), true));
            Frame answer = client.read();
            while (answer != null && answer.type() != RawH2Client.HEADERS) {
                answer = client.read();
            }
            assertNotNull(answer, "the stream is answered");
            assertEquals("200", client.decode(answer).status().toString());
        }
        HttpWire.Head head = upstream.received().get(upstream.received().size() - 1).head();
        assertEquals("matrix.example.org", head.header("Host"), ":authority is what goes upstream");
    }

    /** HTTP/2 has no half-close: a client's FIN abandons its streams at once, before their upstreams answer. */
    @Test
    void aClientThatClosesItsConnectionAbandonsItsStreamsAtOnce() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            heldOnStreamOne(client, "/slow/left");
            client.shutdownOutput(); // the upstream answers a second after it got the request
        }
        String line = loggedLine("/slow/left");
        assertTrue(line.contains("\"status\":499") && line.contains("\"termination\":\"client_aborted\""), line);
    }

    /** The proxy's own answer to HEAD goes out without its body, and is logged so. */
    @Test
    void theProxysOwnAnswerToHeadIsLoggedWithNoBodyBytes() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            client.send(RawH2Client.headers(1, RawH2Client.block(":method", "HEAD", ":scheme", "http",
                    ":path", "/_synapse/admin/v1/head", ":authority", "matrix.example.org"), true));
            Frame headers = client.readUntil(RawH2Client.HEADERS);
            assertEquals("403", client.decode(headers).status().toString());
            assertTrue(headers.endStream(), "no DATA after the answer to HEAD");
        }
        String line = loggedLine("/_synapse/admin/v1/head");
        assertTrue(line.contains("\"status\":403") && line.contains("\"bytes_out\":0,"), line);
    }

    /** The proxy's reset for the client's own protocol error is not logged as the client's leaving. */
    @Test
    void dataAfterTheStreamsEndIsLoggedAsTheClientsProtocolError() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            heldOnStreamOne(client, "/slow/stray");
            client.send(RawH2Client.data(1, "stray".getBytes(StandardCharsets.US_ASCII), false));
            Frame reset = client.readUntil(RawH2Client.RST_STREAM);
            assertEquals(0x5, reset.errorCode(), "STREAM_CLOSED");
        }
        assertLoggedAsProtocolError("/slow/stray");
    }

    /** So is a connection error the client caused, for every request it had in flight. */
    @Test
    void aConnectionErrorTheClientCausedIsLoggedAsItsProtocolErrorForItsRequestsInFlight() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            heldOnStreamOne(client, "/slow/pushed");
            client.send(RawH2Client.frame(0x5, 0x4, 1, new byte[] {0, 0, 0, 2})); // PUSH_PROMISE: only servers send it
            Frame goAway = client.readUntil(RawH2Client.GOAWAY);
            assertEquals(0x1, goAway.errorCode(), "PROTOCOL_ERROR");
        }
        assertLoggedAsProtocolError("/slow/pushed");
    }

    private void assertLoggedAsProtocolError(String path) throws Exception {
        String line = loggedLine(path);
        assertTrue(line.contains("\"status\":400") && line.contains("\"termination\":\"protocol_error\""), line);
    }

    @Test
    void connectionSpecificFieldsAreRefusedAndNeverForwarded() throws Exception {
        long loggedBefore = protocolErrorLines();
        int before = upstream.received().size();
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            client.send(RawH2Client.headers(1, RawH2Client.get("/_matrix/client/versions", "connection", "close"), true),
                    RawH2Client.headers(3, RawH2Client.get("/_matrix/client/versions", "transfer-encoding", "chunked"), true),
                    RawH2Client.headers(5, RawH2Client.get("/_matrix/client/versions", "x-a", "b\r\nx-injected: 1"), true));
            int answered = 0;
            for (Frame frame = client.read(); frame != null && answered < 3; frame = client.read()) {
                if (frame.type() == RawH2Client.RST_STREAM || (frame.type() == RawH2Client.HEADERS && frame.endStream())
                        || frame.type() == RawH2Client.DATA && frame.endStream()) {
                    answered++;
                }
                if (frame.type() == RawH2Client.GOAWAY) {
                    break; // the decoder may end the connection for such a block: also a refusal
                }
            }
        }
        assertEquals(before, upstream.received().size(), "none of them reached the upstream");
        // Refused with a reset, not an answer: logged all the same, as the parser's 400s are.
        await().atMost(Duration.ofSeconds(10)).until(() -> protocolErrorLines() > loggedBefore);
    }

    /** A GET on stream 1 that the slow upstream has received and holds (it answers a second later). */
    private void heldOnStreamOne(RawH2Client client, String path) throws IOException {
        client.send(RawH2Client.headers(1, RawH2Client.get(path), true));
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.received().stream().anyMatch(r -> r.target().equals(path)));
    }

    /** The access-log line of the request for {@code path}, once written. */
    private String loggedLine(String path) throws IOException {
        String field = "\"path\":\"" + path + "\"";
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(accessLog) && Files.readString(accessLog).contains(field));
        return Files.readAllLines(accessLog).stream().filter(line -> line.contains(field)).findFirst().orElseThrow();
    }

    private long protocolErrorLines() throws IOException {
        return !Files.exists(accessLog) ? 0 : Files.readAllLines(accessLog).stream()
                .filter(line -> line.contains("\"protocol\":\"h2\",\"method\":\"other\",\"path\":\"\"")
                        && line.contains("\"status\":400") && line.contains("\"termination\":\"protocol_error\""))
                .count();
    }

    @Test
    void aRapidResetFloodEndsThatConnectionWhileOtherClientsAreServed() throws Exception {
        Frame goAway;
        try (RawH2Client flooder = new RawH2Client(proxy.address("h2c"))) {
            List<byte[]> frames = new ArrayList<>();
            for (int stream = 1; stream < 2 * 1000; stream += 2) {
                frames.add(RawH2Client.headers(stream, RawH2Client.get("/_matrix/client/versions"), true));
                frames.add(RawH2Client.reset(stream, 0x8)); // CANCEL
            }
            Thread writer = flooder.sendInBackground(frames);
            goAway = flooder.readUntil(RawH2Client.GOAWAY);
            writer.join(10_000);
        }
        assertNotNull(goAway, "the flooding connection is sent GOAWAY");
        assertEquals(0xb, goAway.errorCode(), "ENHANCE_YOUR_CALM");
        HttpResponse<String> other = TlsMaterial.httpClient(HOST).send(HttpRequest.newBuilder(uri("https",
                "/_matrix/client/versions")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, other.statusCode());
        assertTrue(proxy.adminGet("/metrics").contains("switchboard_http2_goaways_total{error=\"enhance_your_calm\"}"));
    }

    /**
     * The streams the proxy resets because the upstream broke their responses off are not the
     * client's doing: more of them than the rapid-reset limit must not end its connection.
     */
    @Test
    void resetsOfResponsesTheUpstreamBrokeOffDoNotCountAgainstTheClient() throws Exception {
        int truncated = Http2Connection.MAX_RESETS + 20;
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            int stream = 1;
            for (int i = 0; i < truncated; i++, stream += 2) {
                client.send(RawH2Client.headers(stream, RawH2Client.get("/truncated"), true));
                Frame frame;
                do {
                    frame = client.read();
                    assertNotNull(frame, "the connection ended after " + i + " broken responses");
                    assertNotEquals(RawH2Client.GOAWAY, frame.type(), "GOAWAY after " + i + " broken responses");
                } while (frame.type() != RawH2Client.RST_STREAM || frame.stream() != stream);
                assertEquals(0x2, frame.errorCode(), "INTERNAL_ERROR");
            }
            client.send(RawH2Client.headers(stream, RawH2Client.get("/_matrix/client/versions"), true));
            assertEquals("200", client.decode(client.readUntil(RawH2Client.HEADERS)).status().toString());
        }
    }

    /**
     * Uploads stuck on a frozen worker each hold their stream's window; they held the
     * connection's whole window too, so a small PUT on the same connection (a message sent
     * while media uploads hang) could send no byte until they timed out. The room of what they
     * sent comes back as it arrives.
     */
    @Test
    void uploadsStuckOnAFrozenWorkerDoNotHoldTheConnectionsWindow() throws Exception {
        int stuckStreams = Http2Connection.CONNECTION_WINDOW / Http2Connection.STREAM_WINDOW; // their windows fill the connection's
        boolean queueFull = false;
        for (int i = 0; i < 10 && !queueFull; i++) { // Linux drops a SYN once the accept queue is full
            Socket filler = new Socket();
            queueFillers.add(filler);
            try {
                filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), frozen.getLocalPort()), 200);
            } catch (IOException timedOut) {
                queueFull = true;
            }
        }
        assertTrue(queueFull, "the frozen worker's accept queue is full: a connection to it never completes");
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            int stream = 1;
            for (int i = 0; i < stuckStreams; i++, stream += 2) {
                client.send(RawH2Client.headers(stream, RawH2Client.block(":method", "POST", ":scheme", "http",
                        ":path", "/frozen/upload" + i, ":authority", "matrix.example.org", "content-length", "20000000"), false));
                for (int sent = 0; sent < Http2Connection.STREAM_WINDOW; sent += 16384) {
                    client.send(RawH2Client.data(stream, new byte[16384], false));
                }
            }
            // The connection's window opened past its first 1 MiB (the update right after the
            // preface, from RFC 9113's 65,535 bytes) although no upstream took a byte.
            long opened = 0;
            long firstRaise = Http2Connection.CONNECTION_WINDOW - 65_535;
            Map<Integer, String> answered = new HashMap<>();
            while (opened <= firstRaise) {
                Frame frame = client.read();
                assertNotNull(frame, "no room given back for the connection after " + opened + " bytes; answers " + answered);
                if (frame.type() == RawH2Client.WINDOW_UPDATE && frame.stream() == 0) {
                    opened += ByteBuffer.wrap(frame.payload()).getInt();
                } else if (frame.type() == RawH2Client.HEADERS) {
                    answered.put(frame.stream(), client.decode(frame).status().toString()); // in order: HPACK has state
                }
            }
            assertEquals(Map.of(), answered, "the uploads still wait");
            client.send(RawH2Client.headers(stream, RawH2Client.block(":method", "PUT", ":scheme", "http",
                    ":path", "/_matrix/client/v3/rooms/r/send/m/t1", ":authority", "matrix.example.org"), false),
                    RawH2Client.data(stream, "{}".getBytes(StandardCharsets.US_ASCII), true));
            Frame answer = client.readUntil(RawH2Client.HEADERS);
            assertNotNull(answer, "the PUT is answered");
            assertEquals(stream, answer.stream());
            assertEquals("200", client.decode(answer).status().toString());
        }
    }

    @Test
    void aDrainSendsGoAwayAndTheStreamInFlightFinishes() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            client.send(RawH2Client.headers(1, RawH2Client.get("/slow/poll"), true));
            await().atMost(Duration.ofSeconds(10)).until(() -> slow.received().stream().anyMatch(r -> r.target().equals("/slow/poll")));
            CompletableFuture<Void> drained = proxy.drain();
            List<Frame> frames = client.readAll();
            Frame goAway = frames.stream().filter(f -> f.type() == RawH2Client.GOAWAY).findFirst().orElse(null);
            assertNotNull(goAway);
            assertEquals(0, goAway.errorCode(), "NO_ERROR");
            Frame data = frames.stream().filter(f -> f.type() == RawH2Client.DATA && f.stream() == 1).findFirst().orElse(null);
            assertNotNull(data, "the stream in flight was answered");
            assertEquals("slow", new String(data.payload(), StandardCharsets.US_ASCII));
            assertTrue(frames.indexOf(goAway) < frames.indexOf(data), "GOAWAY first, then the answer");
            drained.get(10, TimeUnit.SECONDS);
        }
        assertTrue(proxy.adminGet("/metrics").contains("switchboard_drain_forced_closes_total 0.0"));
    }

    private URI uri(String listener, String target) {
        return URI.create("https://127.0.0.1:" + proxy.address(listener).getPort() + target);
    }
}
