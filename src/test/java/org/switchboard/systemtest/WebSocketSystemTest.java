package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;
import org.switchboard.systemtest.support.WebSocketEchoUpstream;

/**
 * WebSocket tunnels (LiveKit's signalling on {@code /rtc}) through the proxy, with the JDK's
 * WebSocket client against a real WebSocket server: messages both ways, large ones, either side
 * closing first, the idle timeout, a drain, and the refusal where a route does not allow them.
 */
class WebSocketSystemTest {
    @TempDir
    Path dir;
    private WebSocketEchoUpstream livekit;
    private TinyUpstream synapse;
    private ProxyUnderTest proxy;
    private final Path accessLog = Path.of("access.log");

    @BeforeEach
    void start() throws Exception {
        livekit = new WebSocketEchoUpstream("/rtc");
        synapse = new TinyUpstream(TinyUpstream.answering("synapse"));
    }

    private void startProxy(String extra) throws Exception {
        proxy = ProxyUnderTest.start(dir, """
                accessLog: {path: "%s"}
                upstreams:
                  livekit: {endpoints: ["%s"]}
                  main: {endpoints: ["%s"]}
                routes:
                  - {path: {prefix: "/rtc"}, upstream: livekit, websocket: true}
                  - {path: {prefix: "/"}, upstream: main}
                %s
                """.formatted(dir.resolve(accessLog), livekit.endpoint(), synapse.endpoint(), extra));
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        livekit.close();
        synapse.close();
    }

    @Test
    void textAndBinaryMessagesGoBothWaysIncludingAFiveMegabyteOne() throws Exception {
        startProxy("");
        Client client = connect("/rtc?access_token=t");

        client.socket.sendText("hello", true).get(10, TimeUnit.SECONDS);
        assertEquals("hello", client.next());
        byte[] big = new byte[5 << 20];
        new Random(7).nextBytes(big);
        client.socket.sendBinary(ByteBuffer.wrap(big), true).get(30, TimeUnit.SECONDS);
        assertArrayEquals(big, (byte[]) client.next());
        // Counted as they go, while the tunnel is still open.
        assertTrue(metric("switchboard_websocket_bytes_total{direction=\"to_upstream\"}") > big.length);
        assertTrue(metric("switchboard_websocket_bytes_total{direction=\"to_client\"}") > big.length);
        client.socket.sendText("again", true).get(10, TimeUnit.SECONDS);
        assertEquals("again", client.next());

        // The proxy's health checks reach the same server: the handshake is the request with a key.
        var handshake = livekit.handshakes().stream().filter(h -> h.contains("Sec-WebSocket-Key")).findFirst().orElseThrow();
        assertEquals("127.0.0.1", handshake.get("X-Forwarded-For"), "forwarding headers as on any request");
        assertNotNull(handshake.get("X-Request-ID"));
        assertTrue(handshake.get("Sec-WebSocket-Key") != null && handshake.get("Sec-WebSocket-Version").equals("13"));
        client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        assertEquals(WebSocket.NORMAL_CLOSURE, client.closeCode());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metric("switchboard_websocket_tunnels ") == 0.0);
        String line = awaitAccessLogLine("/rtc");
        assertTrue(line.contains("\"status\":101") && line.contains("\"termination\":\"complete\""), line);
    }

    @Test
    void theUpstreamMayCloseFirst() throws Exception {
        startProxy("");
        Client client = connect("/rtc");
        client.socket.sendText("close", true).get(10, TimeUnit.SECONDS);
        assertEquals(1000, client.closeCode());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metric("switchboard_websocket_tunnels ") == 0.0);
    }

    /** A reset ends a tunnel as a close does, but its log line says who reset it. */
    @Test
    void aTunnelResetBySideIsLoggedAsThatSidesReset() throws Exception {
        startProxy("");
        Client client = connect("/rtc/upstream");
        client.socket.sendText("reset", true).get(10, TimeUnit.SECONDS);
        client.awaitEnd();
        awaitAccessLogLine("/rtc/upstream");
        assertTrue(accessLogLine("/rtc/upstream").contains("\"termination\":\"upstream_reset\""),
                accessLogLine("/rtc/upstream"));

        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            openTunnel(socket, "/rtc/client");
            socket.setSoLinger(true, 0);
        }
        awaitAccessLogLine("/rtc/client");
        assertTrue(accessLogLine("/rtc/client").contains("\"termination\":\"client_aborted\""),
                accessLogLine("/rtc/client"));
    }

    @Test
    void aTunnelWithNothingSaidForTheIdleTimeoutIsClosed() throws Exception {
        startProxy("timeouts: {websocketIdle: 1s}");
        Client client = connect("/rtc");
        client.socket.sendText("one", true).get(10, TimeUnit.SECONDS);
        assertEquals("one", client.next());
        client.awaitEnd();
        awaitAccessLogLine("/rtc");
        assertTrue(accessLogLine("/rtc").contains("\"termination\":\"idle_timeout\""), accessLogLine("/rtc"));
    }

    /**
     * As the listeners close, a tunnel's client is sent a Close 1001 (Going Away): the client
     * answers, its answer goes on to the upstream, the upstream closes, and the drain is done
     * without waiting for its timeout.
     */
    @Test
    void aDrainSendsEachTunnelsClientAGoingAwayCloseAndEndsWithoutWaitingForItsTimeout() throws Exception {
        startProxy("drain: {delay: 0s, timeout: 60s, websocketSpread: 0s}");
        Client client = connect("/rtc");
        client.socket.sendText("before", true).get(10, TimeUnit.SECONDS);
        assertEquals("before", client.next());

        CompletableFuture<Void> drained = proxy.drain();
        assertEquals(1001, client.closeCode());
        drained.get(30, TimeUnit.SECONDS);
        assertEquals(0.0, metric("switchboard_drain_forced_closes_total"), "no tunnel was left for the timeout");
        String line = awaitAccessLogLine("/rtc");
        assertTrue(line.contains("\"status\":101") && line.contains("\"termination\":\"drained\""), line);
    }

    /** A tunnel whose moment to be asked comes after the drain's timeout gets its Close at the timeout. */
    @Test
    void aTunnelStillOpenAtTheDrainsTimeoutGetsItsCloseThen() throws Exception {
        startProxy("drain: {delay: 0s, timeout: 1s, websocketSpread: 1h}");
        Client client = connect("/rtc");
        proxy.drain();
        client.socket.sendText("still here", true).get(10, TimeUnit.SECONDS);
        assertEquals("still here", client.next(), "a tunnel carries on until its moment");
        assertEquals(1001, client.closeCode());
        awaitAccessLogLine("/rtc");
        assertTrue(accessLogLine("/rtc").contains("\"termination\":\"drain_timeout\""), accessLogLine("/rtc"));
    }

    /** A handshake still waiting for its 101 as the listeners close is drained once its tunnel opens. */
    @Test
    void aTunnelWhoseHandshakeRacedTheDrainIsAskedToGoOnceOpen() throws Exception {
        CountDownLatch answerMayGo = new CountDownLatch(1);
        TinyUpstream rtc = new TinyUpstream((request, out, in) -> {
            awaitQuietly(answerMayGo);
            out.write(HttpWire.ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"));
            out.flush();
            in.readAllBytes(); // until the proxy closes
            return false;
        });
        try {
            startRawProxy(rtc);
            try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
                InputStream in = sendHandshake(socket, "/rtc");
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rtc.received().size() == 1);
                proxy.drain();
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metric("switchboard_drain_phase ") == 2.0);
                answerMayGo.countDown();

                assertEquals("101", HttpWire.readHead(in).startLineParts()[1]);
                assertEquals(0x88, in.read(), "a Close at once (the spread is 0 s), not at the drain's timeout");
            }
        } finally {
            rtc.close();
        }
    }

    private void startRawProxy(TinyUpstream rtc) throws Exception {
        proxy = ProxyUnderTest.start(dir, """
                accessLog: {path: "%s"}
                drain: {delay: 0s, timeout: 60s, websocketSpread: 0s}
                upstreams:
                  livekit: {endpoints: ["%s"]}
                routes:
                  - {path: {prefix: "/rtc"}, upstream: livekit, websocket: true}
                """.formatted(dir.resolve(accessLog), rtc.endpoint()));
    }

    /**
     * The drain's Close goes between two messages: the message the upstream is in the middle of
     * (a frame of it half sent) reaches the client whole first, however long it takes, and nothing
     * the upstream sends after it; the client's answering Close reaches the upstream.
     */
    @Test
    void aDrainsCloseWaitsForTheEndOfTheMessageInProgressAndNothingFollowsIt() throws Exception {
        CountDownLatch restMaySend = new CountDownLatch(1);
        CompletableFuture<byte[]> upstreamHeard = new CompletableFuture<>();
        TinyUpstream rtc = new TinyUpstream((request, out, in) -> {
            out.write(HttpWire.ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"));
            out.write(new byte[] {0x02, 10, 0, 1, 2, 3}); // four bytes of a message's first ten-byte fragment
            out.flush();
            awaitQuietly(restMaySend);
            // The rest, the message's final fragment, then a text message.
            out.write(new byte[] {4, 5, 6, 7, 8, 9, (byte) 0x80, 2, 'a', 'b', (byte) 0x81, 2, 'x', 'y'});
            out.flush();
            upstreamHeard.complete(in.readNBytes(8)); // the client's masked Close: 2 + 4 + 2 bytes
            return false;
        });
        try {
            startRawProxy(rtc);
            try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
                InputStream in = openTunnel(socket);
                assertArrayEquals(new byte[] {0x02, 10, 0, 1, 2, 3}, in.readNBytes(6));
                proxy.drain();
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metric("switchboard_drain_phase ") == 2.0);
                // Longer than the 5 s a Close that went out gives the client: one still waiting
                // for the frame's end waits for it (up to the drain's timeout).
                Thread.sleep(6_000);
                restMaySend.countDown();

                assertArrayEquals(new byte[] {4, 5, 6, 7, 8, 9, (byte) 0x80, 2, 'a', 'b'}, in.readNBytes(10),
                        "the message in progress, whole");
                assertEquals(0x88, in.read(), "then a Close");
                int length = in.read();
                byte[] payload = in.readNBytes(length);
                assertEquals(1001, ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF));
                byte[] mask = {9, 8, 7, 6};
                socket.getOutputStream().write(new byte[] {(byte) 0x88, (byte) 0x82, mask[0], mask[1], mask[2], mask[3],
                        (byte) (0x03 ^ mask[0]), (byte) (0xE9 ^ mask[1])});
                assertEquals(-1, in.read(), "nothing after the Close: the upstream's text frame is dropped");
            }
            assertEquals(0x88, upstreamHeard.get(10, TimeUnit.SECONDS)[0] & 0xFF, "the client's Close reached the upstream");
        } finally {
            rtc.close();
        }
    }

    @Test
    void aClientsHalfCloseIsPassedOnAndTheUpstreamsAnswerStillArrives() throws Exception {
        startProxy("");
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            InputStream in = openTunnel(socket);
            OutputStream out = socket.getOutputStream();
            // A masked text frame "hi" (RFC 6455 5.2), then the client shuts its sending side.
            byte[] mask = {1, 2, 3, 4};
            out.write(new byte[] {(byte) 0x81, (byte) 0x82, mask[0], mask[1], mask[2], mask[3],
                    (byte) ('h' ^ mask[0]), (byte) ('i' ^ mask[1])});
            out.flush();
            socket.shutdownOutput();
            assertArrayEquals(new byte[] {(byte) 0x81, 0x02, 'h', 'i'}, in.readNBytes(4),
                    "the upstream's echo, sent after it saw the half-close, still reaches the client");
        }
    }

    /**
     * A tunnel the client ended first (its FIN passed on, the upstream closed too) lets its
     * connection go at once: nothing more can come from the client, so there is nothing to linger
     * for, and the connection must not count against the client's limit or hold a drain back.
     */
    @Test
    void aTunnelTheClientEndedFirstReleasesItsConnectionAtOnce() throws Exception {
        startProxy("");
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            InputStream in = openTunnel(socket);
            socket.shutdownOutput(); // the echo server closes when it reads the end the proxy passed on
            assertEquals(-1, in.read(), "the proxy ends the connection");
            // The proxy lingered 5 s after such a tunnel before; a bound well under that tells the two apart.
            Awaitility.await().atMost(Duration.ofSeconds(3))
                    .until(() -> metric("switchboard_downstream_connections{") == 0.0);
        }
    }

    @Test
    void anUpgradeWhereTheRouteDoesNotAllowItIs400WithAMatrixBody() throws Exception {
        startProxy("");
        ExecutionException refused = Assertions.assertThrows(ExecutionException.class,
                () -> HttpClient.newHttpClient().newWebSocketBuilder()
                        .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/_matrix/client/v3/sync"), new Client())
                        .get(10, TimeUnit.SECONDS));
        WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
        assertEquals(400, handshake.getResponse().statusCode());
        assertTrue(String.valueOf(handshake.getResponse().body()).contains("M_UNKNOWN"), String.valueOf(handshake.getResponse().body()));
        assertTrue(synapse.received().isEmpty(), "never forwarded");
    }

    /** A fixed answer (respond:, a well-known document) is no tunnel: the handshake is refused like anywhere else. */
    @Test
    void anUpgradeToARouteThatAnswersItselfIs400() throws Exception {
        proxy = ProxyUnderTest.start(dir, """
                upstreams:
                  main: {endpoints: ["%s"]}
                routes:
                  - {path: {prefix: "/robots.txt"}, respond: {body: "no"}}
                  - {path: {prefix: "/"}, upstream: main}
                """.formatted(synapse.endpoint()));
        try (RawClient raw = new RawClient(proxy.address())) {
            RawClient.Response response = raw.send("GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .readResponse();
            assertEquals(400, response.status(), response.body());
            assertTrue(response.body().contains("M_UNKNOWN"), response.body());
        }
    }

    /** A 101 that does not switch to WebSocket (another protocol, no Upgrade at all, HTTP/1.0) is a broken upstream: 502. */
    @Test
    void aSwitchToAnythingButWebSocketIsABrokenUpstream() throws Exception {
        List<String> answers = List.of("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
                "HTTP/1.1 101 Switching Protocols\r\n\r\n",
                "HTTP/1.0 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        for (String answer : answers) {
            try (TinyUpstream broken = new TinyUpstream((request, out, in) -> {
                out.write(HttpWire.ascii(answer));
                out.flush();
                return false;
            })) {
                proxy = ProxyUnderTest.start(dir, """
                        upstreams:
                          rtc: {endpoints: ["%s"]}
                          main: {endpoints: ["%s"]}
                        routes:
                          - {path: {prefix: "/rtc"}, upstream: rtc, websocket: true}
                          - {path: {prefix: "/"}, upstream: main}
                        """.formatted(broken.endpoint(), synapse.endpoint()));
                try (RawClient raw = new RawClient(proxy.address())) {
                    RawClient.Response response = raw.send("GET /rtc HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                            + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                            .readResponse();
                    assertEquals(502, response.status(), answer);
                } finally {
                    proxy.close();
                    proxy = null;
                }
            }
        }
    }

    @Test
    void aNonWebSocketRequestOnATunnelRouteIsAnOrdinaryRequest() throws Exception {
        startProxy("");
        try (RawClient raw = new RawClient(proxy.address())) {
            RawClient.Response response = raw.send("GET /rtc/validate HTTP/1.1\r\nHost: rtc.example.com\r\n\r\n").readResponse();
            // Netty's handshaker answers a plain GET on its path with 400: what matters is that it was relayed as a response.
            assertTrue(response.status() >= 200, String.valueOf(response.status()));
        }
    }

    // ---- helpers ----

    private Client connect(String target) throws Exception {
        Client client = new Client();
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + target), client).get(10, TimeUnit.SECONDS);
        return client;
    }

    /** A WebSocket handshake on /rtc over a raw socket; returns the stream after the 101's head. */
    /** For an upstream's thread: waits for the test's go-ahead, 20 s at most. */
    private static void awaitQuietly(CountDownLatch goAhead) {
        try {
            goAhead.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static InputStream openTunnel(Socket socket) throws Exception {
        return openTunnel(socket, "/rtc");
    }

    private static InputStream openTunnel(Socket socket, String target) throws Exception {
        InputStream in = sendHandshake(socket, target);
        assertEquals("101", HttpWire.readHead(in).startLineParts()[1]);
        return in;
    }

    private static InputStream sendHandshake(Socket socket, String target) throws Exception {
        socket.setSoTimeout(10_000);
        InputStream in = new BufferedInputStream(socket.getInputStream());
        socket.getOutputStream().write(HttpWire.ascii("GET " + target + " HTTP/1.1\r\nHost: rtc.example.com\r\n"
                + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
        return in;
    }

    private double metric(String prefix) throws Exception {
        return proxy.adminGet("/metrics").lines().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElse(-1.0);
    }

    /** Waits (10 s at most) for the access log line of the request whose path starts so, and returns it. */
    private String awaitAccessLogLine(String pathPrefix) throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> accessLogLine(pathPrefix) != null);
        return accessLogLine(pathPrefix);
    }

    private String accessLogLine(String pathPrefix) throws Exception {
        Path file = dir.resolve(accessLog);
        if (!Files.exists(file)) {
            return null;
        }
        return Files.readAllLines(file).stream().filter(l -> l.contains("\"path\":\"" + pathPrefix)).findFirst().orElse(null);
    }

    /** A listener that turns messages into a queue of whole String or byte[] messages. */
    private static final class Client implements WebSocket.Listener {
        WebSocket socket;
        private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }

        Object next() throws InterruptedException {
            Object message = messages.poll(30, TimeUnit.SECONDS);
            assertNotNull(message, "a message within 30 s");
            return message;
        }

        int closeCode() throws Exception {
            return closed.get(10, TimeUnit.SECONDS);
        }

        /** The connection ended (a close frame, or the TCP connection going away). */
        void awaitEnd() throws Exception {
            closed.get(15, TimeUnit.SECONDS);
        }
    }
}
