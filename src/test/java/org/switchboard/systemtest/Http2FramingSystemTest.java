package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawH2Client;
import org.switchboard.systemtest.support.RawH2Client.Frame;
import org.switchboard.systemtest.support.TinyUpstream;

/**
 * The HTTP/2 connection frame by frame (RFC 9113), with a client that writes raw frames: flow
 * control both ways, the limits, and the protocol errors that end a stream or the connection.
 */
@ExtendWith(LeakCheck.class)
class Http2FramingSystemTest {
    private static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    private static final int REFUSED_STREAM = 0x7;
    private static final int PROTOCOL_ERROR = 0x1;
    private static final int ENHANCE_YOUR_CALM = 0xb;
    private static final String LARGE = "x".repeat(200_000);
    /** A POST whose block has a field name in upper case: malformed (RFC 9113 8.2.1), its stream reset. */
    private static final byte[] UPPER_CASE_FIELD = RawH2Client.block(":method", "POST", ":scheme", "http", ":path", "/",
            ":authority", "matrix.example.org", "X-Upper", "1");

    @TempDir
    Path dir;
    private TinyUpstream upstream;
    private TinyUpstream large;
    private TinyUpstream.Hold held;
    private TinyUpstream holding;
    private ProxyUnderTest proxy;

    @BeforeEach
    void start() throws Exception {
        upstream = new TinyUpstream(TinyUpstream.echoTarget());
        large = new TinyUpstream(TinyUpstream.answering(LARGE));
        held = new TinyUpstream.Hold();
        holding = new TinyUpstream(held);
        Path file = Files.writeString(dir.resolve("switchboard.yaml"), """
                listeners:
                  - name: h2c
                    address: "127.0.0.1:0"
                    http2: true
                admin:
                  address: "127.0.0.1:0"
                limits:
                  requestHeaders: 2KiB
                timeouts:
                  requestHeader: 1s
                drain: { delay: 0s, timeout: 30s }
                upstreams:
                  main: { endpoints: ["%s"] }
                  large: { endpoints: ["%s"] }
                  held: { endpoints: ["%s"] }
                routes:
                  - path: { prefix: "/large" }
                    upstream: large
                  - path: { prefix: "/held" }
                    upstream: held
                  - path: { prefix: "/upload" }
                    upstream: main
                    maxBody: 1KiB
                  - path: { prefix: "/robots.txt" }
                    respond: { body: "no" }
                  - path: { prefix: "/" }
                    upstream: main
                """.formatted(upstream.endpoint(), large.endpoint(), holding.endpoint()));
        proxy = ProxyUnderTest.startReloadable(file);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        upstream.close();
        large.close();
        holding.close();
    }

    /**
     * An answer before the body's end (here the proxy's own 413) is read before the rest of the
     * body is refused: a reset in the same read as the answer made curl 7.88 report a stream
     * error instead of the 413.
     */
    @Test
    void anEarlyAnswerIsReadBeforeTheRestOfTheBodyIsRefused() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            byte[] post = RawH2Client.block(":method", "POST", ":scheme", "http", ":path", "/upload", ":authority", "a",
                    "content-length", "1000000");
            // The PING comes in the same read as the request: its ack goes out right after the answer,
            // and a reset sent with the answer would come before it.
            client.send(RawH2Client.headers(1, post, false), RawH2Client.data(1, new byte[16_384], false),
                    RawH2Client.frame(RawH2Client.PING, 0, 0, new byte[8]));
            Frame answer = client.readUntil(RawH2Client.HEADERS);
            assertNotNull(answer);
            assertEquals("413", client.decode(answer).status().toString());
            Frame body = client.readUntil(RawH2Client.DATA);
            assertTrue(body.endStream(), "the answer is whole");

            // Still sending, as an uploading client does while it reads: dropped, and no window given for it.
            client.send(RawH2Client.data(1, new byte[16_384], false));
            List<Frame> beforeReset = new ArrayList<>();
            Frame reset = client.read();
            while (reset != null && reset.type() != RawH2Client.RST_STREAM) {
                beforeReset.add(reset);
                reset = client.read();
            }
            assertTrue(beforeReset.stream().anyMatch(frame -> frame.type() == RawH2Client.PING && (frame.flags() & 0x1) != 0),
                    "the PING is acknowledged before the stream is reset: " + beforeReset);
            assertTrue(beforeReset.stream().noneMatch(frame -> frame.type() == RawH2Client.WINDOW_UPDATE && frame.stream() == 1),
                    "no window for a body not wanted: " + beforeReset);
            assertNotNull(reset, "then the rest of the body is refused");
            assertEquals(1, reset.stream());
            assertEquals(0, reset.errorCode(), "NO_ERROR (RFC 9113 8.1)");
        }
    }

    /** The client ends its body while the early answer still waits for its window: the stream closes, as any ended one. */
    @Test
    void anEarlyAnswerHeldByTheWindowStillClosesItsStreamWhenTheClientEndsItsBody() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"), RawH2Client.settings(SETTINGS_INITIAL_WINDOW_SIZE, 0))) {
            byte[] post = RawH2Client.block(":method", "POST", ":scheme", "http", ":path", "/upload", ":authority", "a",
                    "content-length", "2000");
            client.send(RawH2Client.headers(1, post, false), RawH2Client.data(1, new byte[1000], false));
            Frame answer = client.readUntil(RawH2Client.HEADERS);
            assertEquals("413", client.decode(answer).status().toString());
            client.send(RawH2Client.data(1, new byte[1000], true), RawH2Client.windowUpdate(1, 1 << 16));
            Frame body = client.readUntil(RawH2Client.DATA);
            assertTrue(body.endStream());
            // Closed on both sides: a drain's GOAWAY finds no stream left, so the proxy closes the
            // connection at once, with the client still holding it.
            proxy.drain();
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.adminGet("/metrics")
                    .contains("switchboard_client_connections{protocol=\"h2\"} 0.0"));
        }
    }

    @Test
    void aResponseWaitsForTheClientsStreamAndConnectionWindows() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"), RawH2Client.settings(SETTINGS_INITIAL_WINDOW_SIZE, 1000))) {
            client.send(RawH2Client.headers(1, RawH2Client.get("/large"), true));
            Frame first = client.readUntil(RawH2Client.DATA);
            assertNotNull(first);
            assertEquals(1000, first.payload().length, "the stream's window, not a byte more");

            // The stream may now take everything; the connection's window (65,535) still holds it back.
            client.send(RawH2Client.windowUpdate(1, 1 << 20));
            int received = first.payload().length;
            while (received < 65_535) {
                Frame data = client.readUntil(RawH2Client.DATA);
                assertNotNull(data);
                received += data.payload().length;
            }
            assertEquals(65_535, received, "the connection's window, not a byte more");

            client.send(RawH2Client.windowUpdate(0, 1 << 20));
            Frame data;
            do {
                data = client.readUntil(RawH2Client.DATA);
                assertNotNull(data);
                received += data.payload().length;
            } while (!data.endStream());
            assertEquals(LARGE.length(), received);
        }
    }

    /**
     * Until its first bytes tell HTTP/1 from HTTP/2, a connection is held to the same timeouts
     * (a begun preface: timeouts.requestHeader), and a client that stops sending is let go at
     * once: both used to stay open for good (CLOSE-WAIT, counted as open).
     */
    @Test
    void aConnectionNotYetToldApartIsTimedOutAndLetGoWhenItsClientStopsSending() throws Exception {
        try (Socket stalled = new Socket()) {
            stalled.connect(proxy.address("h2c"));
            stalled.getOutputStream().write("PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII));
            stalled.setSoTimeout(15_000);
            assertEquals(-1, stalled.getInputStream().read(), "closed at timeouts.requestHeader");
        }
        try (Socket leaving = new Socket()) {
            leaving.connect(proxy.address("h2c"));
            leaving.getOutputStream().write('P');
            leaving.shutdownOutput();
            leaving.setSoTimeout(15_000);
            assertEquals(-1, leaving.getInputStream().read(), "closed when the client half-closed");
        }
    }

    @Test
    void aPingIsAnsweredWithItsOwnPayload() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            byte[] payload = "8 bytes!".getBytes(StandardCharsets.US_ASCII);
            client.send(RawH2Client.frame(RawH2Client.PING, 0, 0, payload));
            Frame ack = client.readUntil(RawH2Client.PING);
            assertNotNull(ack);
            assertEquals(1, ack.flags(), "ACK");
            assertArrayEquals(payload, ack.payload());
        }
    }

    @Test
    void aHeaderBlockOverTheLimitIsAnswered431AndTheConnectionGoesOn() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            List<String> extra = new ArrayList<>();
            for (int i = 0; i < 15; i++) { // about 2.4 KB: past the limit, short of the 1.25 times that ends the connection
                extra.add("x-padding-" + i);
                extra.add("v".repeat(100));
            }
            client.send(RawH2Client.headers(1, RawH2Client.get("/", extra.toArray(new String[0])), true));
            Frame refused = client.readUntil(RawH2Client.HEADERS);
            assertNotNull(refused);
            assertEquals("431", client.decode(refused).status().toString());

            client.send(RawH2Client.headers(3, RawH2Client.get("/after"), true));
            Frame next = client.readUntil(RawH2Client.HEADERS);
            assertEquals(3, next.stream());
            assertEquals("200", client.decode(next).status().toString());
        }
    }

    /** A slow header block holds the connection's header decoding: requestHeader ends it, open streams or not. */
    @Test
    void aHeaderBlockNotWholeWithinRequestHeaderEndsTheConnection() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            client.send(RawH2Client.headers(1, RawH2Client.get("/held/first"), true));
            await().atMost(Duration.ofSeconds(5)).until(() -> held.held() == 1);
            byte[] block = RawH2Client.get("/never-whole");
            // HEADERS without END_HEADERS (flags: END_STREAM only), and the CONTINUATION never comes.
            client.send(RawH2Client.frame(RawH2Client.HEADERS, 0x1, 3, block));

            Frame goAway = client.readUntil(RawH2Client.GOAWAY); // within the client's 10 s read timeout
            assertNotNull(goAway);
            assertEquals(0, goAway.errorCode(), "NO_ERROR: the client broke no rule, it was too slow");
            assertNull(client.read(), "then the connection closes");
        }
        assertTrue(proxy.adminGet("/metrics").contains("switchboard_proxy_errors_total{kind=\"request_timeout\"} 1.0"));
    }

    @Test
    void aFirstFrameOtherThanSettingsEndsTheConnection() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"),
                RawH2Client.headers(1, RawH2Client.get("/"), true))) {
            Frame goAway = client.readUntil(RawH2Client.GOAWAY);
            assertNotNull(goAway);
            assertEquals(PROTOCOL_ERROR, goAway.errorCode());
        }
        assertEquals(0, upstream.received().size());
    }

    @Test
    void dataOnAStreamNeverOpenedEndsTheConnection() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            client.send(RawH2Client.data(7, new byte[10], true));
            Frame goAway = client.readUntil(RawH2Client.GOAWAY);
            assertNotNull(goAway);
            assertEquals(PROTOCOL_ERROR, goAway.errorCode());
        }
    }

    /** Stream ids are used once, in increasing order (RFC 9113 5.1.1): a reused or skipped one ends the connection. */
    @Test
    void headersOnAStreamClosedOrSkippedEndTheConnection() throws Exception {
        for (int[] streams : new int[][] {{1, 1}, {5, 3}}) {
            try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
                client.send(RawH2Client.headers(streams[0], RawH2Client.get("/_matrix/client/versions"), true));
                Frame answer = client.readUntil(RawH2Client.HEADERS);
                assertEquals("200", client.decode(answer).status().toString());
                client.readBody();
                client.send(RawH2Client.headers(streams[1], RawH2Client.get("/_matrix/client/versions"), true));
                Frame goAway = client.readUntil(RawH2Client.GOAWAY);
                assertNotNull(goAway, "stream " + streams[1] + " after " + streams[0]);
                assertEquals(PROTOCOL_ERROR, goAway.errorCode());
            }
        }
    }

    /** But the trailers of a stream the proxy reset may still be on their way: they are ignored (RFC 9113 5.1). */
    @Test
    void headersOnAStreamTheProxyResetAreIgnored() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            client.send(RawH2Client.headers(1, UPPER_CASE_FIELD, false));
            assertEquals(1, client.readUntil(RawH2Client.RST_STREAM).stream());
            client.send(RawH2Client.headers(1, RawH2Client.block("x-trailer", "late"), true),
                    RawH2Client.headers(3, RawH2Client.get("/after"), true));
            Frame answer = nextHeadersOnALiveConnection(client);
            assertEquals(3, answer.stream());
            assertEquals("200", client.decode(answer).status().toString());
        }
    }

    @Test
    void theStreamPastTheConcurrencyLimitIsRefused() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            List<byte[]> opens = new ArrayList<>();
            for (int i = 0; i < 101; i++) {
                opens.add(RawH2Client.headers(1 + 2 * i, RawH2Client.get("/held/" + i), true));
            }
            client.send(opens.toArray(new byte[0][]));
            Frame reset = client.readUntil(RawH2Client.RST_STREAM);
            assertNotNull(reset);
            assertEquals(201, reset.stream(), "the 101st stream");
            assertEquals(REFUSED_STREAM, reset.errorCode());
            await().atMost(Duration.ofSeconds(10)).until(() -> held.held() == 100);
        }
    }

    @Test
    void resetsTheClientProvokesCountLikeItsOwn() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            // A WINDOW_UPDATE of 0 is a stream error: the proxy resets the stream, freeing its slot
            // for the next request while the last one may still be at the upstream (MadeYouReset).
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                frames.add(RawH2Client.headers(1 + 2 * i, RawH2Client.get("/held/" + i), true));
                frames.add(RawH2Client.windowUpdate(1 + 2 * i, 0));
            }
            Thread writer = client.sendInBackground(frames);
            Frame goAway = client.readUntil(RawH2Client.GOAWAY);
            writer.join(10_000);
            assertNotNull(goAway);
            assertEquals(ENHANCE_YOUR_CALM, goAway.errorCode());
        }
    }

    @Test
    void aMalformedRequestEndsItsStreamNotTheConnection() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            client.send(RawH2Client.headers(1, UPPER_CASE_FIELD, false), RawH2Client.data(1, new byte[10], true),
                    RawH2Client.headers(3, RawH2Client.get("/after"), true));
            Frame answer = nextHeadersOnALiveConnection(client);
            assertEquals(3, answer.stream());
            assertEquals("200", client.decode(answer).status().toString());
        }
        assertEquals(1, upstream.received().size(), "only the well-formed request went upstream");
    }

    /**
     * A header block that ends its stream carries no body: a Content-Length other than 0 there is
     * malformed (RFC 9113 8.1.1), and so is a repeated Host. Forwarded, the first would hold an
     * upstream connection waiting for a body until the response timeout.
     */
    @Test
    void aLengthWithoutABodyAndARepeatedHostAreMalformedNotForwarded() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            byte[] lengthWithoutBody = RawH2Client.block(":method", "POST", ":scheme", "http", ":path", "/",
                    ":authority", "matrix.example.org", "content-length", "10");
            byte[] twoHosts = RawH2Client.block(":method", "GET", ":scheme", "http", ":path", "/",
                    "host", "matrix.example.org", "host", "other.example.org");
            byte[] emptyLength = RawH2Client.block(":method", "POST", ":scheme", "http", ":path", "/empty",
                    ":authority", "matrix.example.org", "content-length", "0");
            client.send(RawH2Client.headers(1, lengthWithoutBody, true), RawH2Client.headers(3, twoHosts, true),
                    RawH2Client.headers(5, emptyLength, true));
            Map<Integer, String> statuses = new TreeMap<>();
            while (statuses.size() < 3) {
                Frame answer = client.read();
                assertNotNull(answer, "the connection stays: " + statuses);
                assertTrue(answer.type() != RawH2Client.GOAWAY, "no connection error: " + answer);
                if (answer.type() == RawH2Client.HEADERS) {
                    statuses.put(answer.stream(), client.decode(answer).status().toString());
                } else if (answer.type() == RawH2Client.RST_STREAM) {
                    statuses.put(answer.stream(), "reset");
                }
            }
            assertEquals("200", statuses.get(5), statuses.toString());
            assertTrue(!"200".equals(statuses.get(1)) && !"200".equals(statuses.get(3)), statuses.toString());
        }
        assertEquals(1, upstream.received().size(), "only the well-formed request went upstream");
        assertEquals("/empty", upstream.received().get(0).target());
    }

    @Test
    void trailersEndTheRequestBody() throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            byte[] post = RawH2Client.block(":method", "POST", ":scheme", "http", ":path", "/_matrix/client/v3/upload",
                    ":authority", "matrix.example.org");
            client.send(RawH2Client.headers(1, post, false),
                    RawH2Client.data(1, "hello ".getBytes(StandardCharsets.US_ASCII), false),
                    RawH2Client.data(1, "world".getBytes(StandardCharsets.US_ASCII), false),
                    RawH2Client.headers(1, RawH2Client.block("x-checksum", "1"), true));
            Frame answer = client.readUntil(RawH2Client.HEADERS);
            assertNotNull(answer);
            assertEquals("200", client.decode(answer).status().toString());
        }
        TinyUpstream.Received received = upstream.received().get(0);
        assertEquals(11, received.bodyBytes(), "every byte before the trailers went upstream");
    }

    @Test
    void bodiesNobodyReadsStillGiveTheConnectionsWindowBack() throws Exception {
        byte[] chunk = new byte[16_000];
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            // 12 uploads of 112 KB to a fixed answer: 1.3 MB, past the 1 MiB connection window.
            // The proxy answers each at once and resets it: the DATA still coming for it must count as read.
            for (int stream = 1; stream < 24; stream += 2) {
                byte[] post = RawH2Client.block(":method", "POST", ":scheme", "http", ":path", "/robots.txt",
                        ":authority", "matrix.example.org");
                List<byte[]> frames = new ArrayList<>();
                frames.add(RawH2Client.headers(stream, post, false));
                for (int i = 0; i < 7; i++) {
                    frames.add(RawH2Client.data(stream, chunk, i == 6));
                }
                client.send(frames.toArray(new byte[0][]));
            }
            client.send(RawH2Client.headers(25, RawH2Client.get("/after"), true));
            Http2Headers last = null;
            for (Frame frame = client.read(); frame != null; frame = client.read()) {
                assertTrue(frame.type() != RawH2Client.GOAWAY, "no flow-control error: " + frame);
                if (frame.type() == RawH2Client.HEADERS) {
                    Http2Headers headers = client.decode(frame);
                    if (frame.stream() == 25) {
                        last = headers;
                        break;
                    }
                }
            }
            assertNotNull(last, "the stream after the uploads was answered");
            assertEquals("200", last.status().toString());
        }
    }

    /** The next HEADERS frame, asserting on the way that the connection neither ends nor gets GOAWAY. */
    private static Frame nextHeadersOnALiveConnection(RawH2Client client) throws IOException {
        Frame answer;
        do {
            answer = client.read();
            assertNotNull(answer, "the connection stays");
            assertTrue(answer.type() != RawH2Client.GOAWAY, "no connection error: " + answer);
        } while (answer.type() != RawH2Client.HEADERS);
        return answer;
    }
}
