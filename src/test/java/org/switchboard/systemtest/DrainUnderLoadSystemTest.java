package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.RawH2Client;
import org.switchboard.systemtest.support.TinyUpstream;
import org.switchboard.systemtest.support.WebSocketEchoUpstream;

/**
 * A rollout's drain (the design's test, scaled to a CI machine): while long polls are held over
 * HTTP/1.1 and HTTP/2, an upload is still arriving and WebSocket tunnels carry messages. Every
 * request in flight finishes with its real answer, each HTTP/1.1 one on a connection told it is
 * the last and each HTTP/2 one after a GOAWAY; every tunnel's client is asked to go (Close 1001);
 * nothing is closed by force.
 */
class DrainUnderLoadSystemTest {
    private static final int POLLS = 300;
    private static final int H2_CONNECTIONS = 20;
    private static final int H2_STREAMS_EACH = 5;
    private static final int UPLOAD_BYTES = 8 << 20;
    private static final int UPLOAD_PIECE = 256 << 10;
    private static final int TUNNELS = 50;

    @TempDir
    Path dir;
    private TinyUpstream synapse;
    private WebSocketEchoUpstream livekit;
    private ProxyUnderTest proxy;
    private final ExecutorService clients = Executors.newCachedThreadPool();
    /** Held polls are answered, and the upload's second half sent, once the drain has closed the listeners. */
    private final CountDownLatch listenersClosed = new CountDownLatch(1);

    @AfterEach
    void stop() throws Exception {
        clients.shutdownNow();
        if (proxy != null) {
            proxy.close();
        }
        synapse.close();
        if (livekit != null) {
            livekit.close();
        }
    }

    @Test
    void heldPollsAndAnUploadInFlightFinishAndNothingIsForced() throws Exception {
        synapse = new TinyUpstream((request, out, in) -> {
            if (request.target().startsWith("/_matrix/client/v3/sync")) {
                awaitListenersClosed(); // a long poll that ends with news once the drain is under way
            }
            byte[] body = (request.method() + " " + request.bodyBytes()).getBytes(StandardCharsets.UTF_8);
            out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n"));
            out.write(body);
            out.flush();
            return true;
        });
        livekit = new WebSocketEchoUpstream("/rtc");
        proxy = ProxyUnderTest.startWithConfig(dir, """
                listeners:
                  - {name: client, address: "127.0.0.1:0"}
                  - {name: h2c, address: "127.0.0.1:0", http2: true}
                admin: {address: "127.0.0.1:0"}
                runtime: {eventLoopThreads: 2}
                accessLog: {enabled: false}
                upstreams: {main: {endpoints: ["%s"]}, livekit: {endpoints: ["%s"]}}
                routes:
                  - {path: {prefix: "/rtc"}, upstream: livekit, websocket: true}
                  - {path: {prefix: "/"}, upstream: main, maxBody: 64MB}
                drain: {delay: 500ms, timeout: 20s, websocketSpread: 1s}
                """.formatted(synapse.endpoint(), livekit.endpoint()));
        HttpClient http = HttpClient.newHttpClient();
        List<Tunnel> tunnels = new ArrayList<>();
        for (int i = 0; i < TUNNELS; i++) {
            Tunnel tunnel = new Tunnel();
            http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/rtc"), tunnel)
                    .get(10, TimeUnit.SECONDS);
            tunnels.add(tunnel);
        }

        List<Future<RawClient.Response>> polls = new ArrayList<>();
        for (int i = 0; i < POLLS; i++) {
            String token = "syt_user" + i;
            polls.add(clients.submit(() -> exchangeAndExpectClose("GET /_matrix/client/v3/sync?since=s1&timeout=30000 HTTP/1.1\r\n"
                    + "Host: matrix.example.org\r\nAuthorization: Bearer " + token + "\r\n\r\n", null)));
        }
        Future<RawClient.Response> upload = clients.submit(() -> exchangeAndExpectClose(
                "POST /_matrix/media/v3/upload HTTP/1.1\r\nHost: matrix.example.org\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: " + UPLOAD_BYTES + "\r\n\r\n", this::slowBody));
        List<Future<List<RawH2Client.Frame>>> h2 = new ArrayList<>();
        for (int i = 0; i < H2_CONNECTIONS; i++) {
            String token = "syt_h2user" + i;
            h2.add(clients.submit(() -> heldH2Polls(token)));
        }
        int held = POLLS + H2_CONNECTIONS * H2_STREAMS_EACH;
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> synapse.received().size() >= held);

        CompletableFuture<Void> drained = proxy.drain();
        for (Tunnel tunnel : tunnels) {
            clients.submit(tunnel::talkUntilClosed);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> proxy.adminGet("/metrics").contains("switchboard_drain_phase 2.0"));
        Thread.sleep(300); // for every connection's loop to take the drain's word
        listenersClosed.countDown();

        for (Future<RawClient.Response> poll : polls) {
            RawClient.Response response = poll.get(30, TimeUnit.SECONDS);
            assertEquals(200, response.status());
            assertEquals("GET 0", response.body());
        }
        for (Future<List<RawH2Client.Frame>> connection : h2) {
            List<RawH2Client.Frame> frames = connection.get(30, TimeUnit.SECONDS);
            RawH2Client.Frame goAway = frames.stream().filter(f -> f.type() == RawH2Client.GOAWAY).findFirst().orElseThrow();
            assertEquals(0, goAway.errorCode(), "GOAWAY with NO_ERROR");
            long answered = frames.stream().filter(f -> f.type() == RawH2Client.DATA && f.endStream()).count();
            assertEquals(H2_STREAMS_EACH, answered, "every stream in flight was answered");
            assertTrue(frames.stream().noneMatch(f -> f.type() == RawH2Client.RST_STREAM), "no stream was reset");
        }
        RawClient.Response uploaded = upload.get(30, TimeUnit.SECONDS);
        assertEquals(200, uploaded.status());
        assertEquals("POST " + UPLOAD_BYTES, uploaded.body(), "the whole body reached the upstream");
        for (Tunnel tunnel : tunnels) {
            assertEquals(1001, tunnel.closeCode.get(30, TimeUnit.SECONDS), "each tunnel's client is asked to go");
            assertTrue(tunnel.echoes.get() > 0, "the tunnels carried messages while the drain went on");
        }
        drained.get(30, TimeUnit.SECONDS);
        String metrics = proxy.adminGet("/metrics");
        assertTrue(metrics.contains("switchboard_drain_forced_closes_total 0.0"), "nothing was closed by force");
        assertTrue(metrics.contains("switchboard_drain_phase 3.0"), "drained");
    }

    /** Holds {@link #H2_STREAMS_EACH} long polls on one HTTP/2 connection; returns every frame until it ends. */
    private List<RawH2Client.Frame> heldH2Polls(String token) throws Exception {
        try (RawH2Client client = new RawH2Client(proxy.address("h2c"))) {
            for (int i = 0; i < H2_STREAMS_EACH; i++) {
                client.send(RawH2Client.headers(1 + 2 * i, RawH2Client.get("/_matrix/client/v3/sync?since=s1&timeout=30000",
                        "authorization", "Bearer " + token), true));
            }
            return client.readAll();
        }
    }

    /** Sends one request (its body written by {@code body}), reads the answer, and checks the connection then closes. */
    private RawClient.Response exchangeAndExpectClose(String head, BodyWriter body) throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send(head);
            if (body != null) {
                body.write(client.output());
            }
            RawClient.Response response = client.readResponse();
            assertEquals("close", response.header("Connection"), "the last response of a draining connection says so");
            assertTrue(client.closedByPeer());
            return response;
        }
    }

    /** Half the upload before the listeners close, the rest after: it is still arriving as they do. */
    private void slowBody(OutputStream out) throws Exception {
        byte[] piece = new byte[UPLOAD_PIECE];
        for (int sent = 0; sent < UPLOAD_BYTES; sent += piece.length) {
            if (sent == UPLOAD_BYTES / 2) {
                awaitListenersClosed();
            }
            out.write(piece);
            out.flush();
        }
    }

    private void awaitListenersClosed() {
        try {
            listenersClosed.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A WebSocket client that sends a message every 20 ms until the proxy asks it to go. */
    private static final class Tunnel implements WebSocket.Listener {
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        final AtomicInteger echoes = new AtomicInteger();
        private volatile WebSocket socket;

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            echoes.incrementAndGet();
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null; // the JDK answers with a Close of the same code
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.complete(-1);
        }

        void talkUntilClosed() {
            try {
                while (!closeCode.isDone()) {
                    socket.sendText("ping", true).get(10, TimeUnit.SECONDS);
                    Thread.sleep(20);
                }
            } catch (Exception closedMeanwhile) {
                // The output closed as the Close came: the conversation is over.
            }
        }
    }

    private interface BodyWriter {
        void write(OutputStream out) throws Exception;
    }
}
