package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
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
 * The defects found by trying the proxy as an adversary (design/FOUND-DEFECTS.md D1, D3, D4, D5,
 * D10, D11, D12), each met the way a client meets it: real sockets, a real upstream.
 */
@ExtendWith(LeakCheck.class)
class DataPathSystemTest {
    @TempDir
    static Path dir;
    static TinyUpstream upstream;
    static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = new TinyUpstream(DataPathSystemTest::misbehave);
        proxy = ProxyUnderTest.start(dir, """
                upstreams:
                  odd:
                    endpoints: ["%s"]
                routes:
                  - path: { prefix: "/small/" }
                    upstream: odd
                    maxBody: 1MB
                  - path: { prefix: "/" }
                    upstream: odd
                timeouts:
                  requestBody: 500ms
                """.formatted(upstream.endpoint()));
    }

    /** Answers by the request's path: the second segment names the misbehaviour. */
    private static boolean misbehave(TinyUpstream.Received request, OutputStream out, InputStream in)
            throws IOException {
        String target = request.target();
        if (target.startsWith("/close-delimited")) {
            out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nthe body ends with the connection"));
            out.flush();
            return false;
        }
        if (target.startsWith("/informational")) {
            out.write(HttpWire.ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            out.flush();
            return true;
        }
        if (target.startsWith("/endless-head")) {
            // Short field lines that never end the head, as long as the proxy reads them (the
            // line budget alone, which counts no CRLF, never ran out before the parse window did).
            out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\n"));
            byte[] line = HttpWire.ascii("X-Filler: " + "f".repeat(1000) + "\r\n");
            try {
                for (int i = 0; i < 200; i++) {
                    out.write(line);
                }
                out.flush();
                Thread.sleep(30_000); // no close to end the wait: only a refusal of the head answers
            } catch (IOException closedByTheProxy) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
        if (target.startsWith("/many-hints")) {
            StringBuilder hints = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                hints.append("HTTP/1.1 103 Early Hints\r\nLink: </s").append(i).append(".css>; rel=preload\r\n\r\n");
            }
            out.write(HttpWire.ascii(hints + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            out.flush();
            return true;
        }
        if (target.startsWith("/broken-chunks")) {
            // The head and a body whose first chunk-size line is no number, in one write.
            out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbody\r\n0\r\n\r\n"));
            out.flush();
            return true;
        }
        if (target.startsWith("/no-reason")) {
            out.write(HttpWire.ascii("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok"));
            out.flush();
            return true;
        }
        if (target.startsWith("/switch")) {
            // An upgrade nobody asked for, then silence: the proxy must not wait for the close.
            out.write(HttpWire.ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n"));
            out.flush();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
        // One write: a head and body in two writes would wait on Nagle and the proxy's delayed ACK.
        String body = "served " + request.method() + " " + target;
        out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body));
        out.flush();
        return true;
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
    }

    @Test
    void closeDelimitedResponseEndsTheClientConnectionInsteadOfHangingIt() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("GET /close-delimited HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertEquals(200, response.status());
            assertEquals("close", response.header("Connection"));
            assertEquals("the body ends with the connection", response.body());
            assertTrue(client.closedByPeer());
        }
    }

    /** A body framed by the close and cut by a reset is never passed off as whole: the client is reset, and it is counted. */
    @Test
    void aCloseDelimitedBodyCutByAResetIsNotACompleteResponse(@TempDir Path ownDir) throws Exception {
        try (ServerSocket resetting = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread upstreamThread = new Thread(() -> {
                try (Socket socket = resetting.accept()) {
                    HttpWire.readHead(socket.getInputStream());
                    socket.getOutputStream().write(HttpWire.ascii("HTTP/1.1 200 OK\r\n\r\n" + "x".repeat(300)));
                    socket.getOutputStream().flush();
                    Thread.sleep(200);
                    socket.setSoLinger(true, 0); // the close is a reset
                } catch (IOException | InterruptedException ignored) {
                    // the test's assertions say what happened
                }
            }, "resetting-upstream");
            upstreamThread.start();
            try (ProxyUnderTest own = ProxyUnderTest.start(ownDir, """
                    upstreams: {cut: {endpoints: ["127.0.0.1:%d"], healthCheck: {interval: 10m}}}
                    routes: [{path: {prefix: "/"}, upstream: cut}]
                    """.formatted(resetting.getLocalPort()));
                 RawClient client = new RawClient(own.address())) {
                client.send("GET /cut HTTP/1.1\r\nHost: a\r\n\r\n");
                HttpWire.Head head = client.readHead();
                assertEquals("close", head.header("Connection"));
                assertThrows(IOException.class, () -> {
                    InputStream in = client.input();
                    while (in.read() >= 0) {
                        // the body, up to the reset
                    }
                }, "a clean end of the body would claim it whole");
                String metrics = own.adminGet("/metrics");
                assertTrue(metrics.contains("switchboard_proxy_errors_total{kind=\"upstream_reset\"} 1.0"), metrics);
            }
            upstreamThread.join(5_000);
        }
    }

    @Test
    void informationalResponsesAreForwardedBeforeTheFinalOne() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("GET /informational HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("HTTP/1.1 100 Continue", client.readHead().startLine());
            HttpWire.Head hints = client.readHead();
            assertEquals("HTTP/1.1 103 Early Hints", hints.startLine());
            assertEquals("</s.css>; rel=preload", hints.header("Link"));
            RawClient.Response response = client.readResponse();
            assertEquals(200, response.status());
            assertEquals("ok", response.body());
        }
    }

    /** A head that goes on past 64 KiB is a 502 at once, not bytes buffered while the upstream keeps sending. */
    @Test
    void aResponseHeadLargerThanTheLimitIsA502() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("GET /endless-head HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertEquals(502, response.status());
            assertTrue(response.body().contains("\"errcode\":\"M_UNKNOWN\""), response.body());
        }
    }

    /** 1xx responses are relayed past the backpressure bodies get: a few are, a flood is a 502. */
    @Test
    void aFloodOfInformationalResponsesIsA502() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("GET /many-hints HTTP/1.1\r\nHost: a\r\n\r\n");
            HttpWire.Head head;
            int hints = 0;
            while ((head = client.readHead()).startLine().startsWith("HTTP/1.1 103")) {
                hints++;
            }
            assertTrue(head.startLine().startsWith("HTTP/1.1 502"), head.startLine());
            assertTrue(hints > 0 && hints < 50, "hints relayed before the 502: " + hints);
        }
    }

    @Test
    void unsolicitedSwitchingProtocolsIsA502AtOnce() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            // The upstream holds its connection open for 30 s: only an immediate answer gets here.
            RawClient.Response response = client.send("GET /switch HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertEquals(502, response.status());
        }
    }

    /** Nothing of the response has gone out when its body proves broken: the client gets a 502, not an empty 200. */
    @Test
    void aChunkedBodyBrokenFromItsFirstByteIsA502() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("GET /broken-chunks HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertEquals(502, response.status());
            assertTrue(response.body().contains("\"errcode\":\"M_UNKNOWN\""), response.body());
        }
    }

    /** A coding list read as chunked here goes up as plain {@code chunked}: no parser upstream reads it otherwise. */
    @Test
    void aTransferEncodingListGoesUpstreamInItsOneForm() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("POST /te-list HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked,\r\n"
                    + "X-After: 1\r\n\r\n5\r\nhello\r\n0\r\n\r\n").readResponse();
            assertEquals(200, response.status());
        }
        TinyUpstream.Received received = upstream.received().stream().filter(r -> r.target().equals("/te-list"))
                .findFirst().orElseThrow();
        assertEquals("chunked", received.head().header("Transfer-Encoding"));
        assertEquals("1", received.head().header("X-After"));
        assertEquals("hello", received.body());
    }

    /** Read as servers send it, written as RFC 9112 4 has it: the space before an empty reason phrase. */
    @Test
    void aStatusLineWithoutItsReasonGoesOutWithTheSpace() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("GET /no-reason HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertEquals("HTTP/1.1 200 ", response.head().startLine());
            assertEquals("ok", response.body());
        }
    }

    /** A request trailer that only a header section may carry is refused, never passed on as it came. */
    @Test
    void aRequestTrailerNamingContentLengthIsRefused() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("POST /trailer HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n0\r\nContent-Length: 99\r\n\r\n").readResponse();
            assertEquals(400, response.status());
        }
        assertTrue(upstream.received().stream().noneMatch(r -> r.target().equals("/trailer")),
                "the upstream never saw a whole request");
    }

    @Test
    void moreThan128PipelinedRequestsAreAllAnsweredInOrder() throws Exception {
        int count = 300;
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < count; i++) {
            burst.append("GET /p/").append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
        }
        try (RawClient client = new RawClient(proxy.address())) {
            client.send(burst.toString());
            for (int i = 0; i < count; i++) {
                assertEquals("served GET /p/" + i, client.readResponse().body(), "response " + i);
            }
        }
    }

    @Test
    void aStalledRequestBodyGets408AndDoesNotHoldTheUpstream() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("POST /stall HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n0123456789")
                    .readResponse();
            assertEquals(408, response.status());
            assertTrue(response.body().contains("M_UNKNOWN"));
            assertTrue(client.closedByPeer());
        }
        assertTrue(upstream.received().stream().noneMatch(r -> r.target().equals("/stall")),
                "the upstream never saw a complete request");
    }

    @Test
    void the413OfABodyStreamedWithoutExpectReachesTheClient() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("POST /small/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 8000000\r\n\r\n");
            // The client streams on, as browsers do; the proxy answers and reads what still comes.
            CompletableFuture<Void> streaming = CompletableFuture.runAsync(() -> {
                byte[] block = new byte[64 * 1024];
                try {
                    for (int sent = 0; sent < 8_000_000; sent += block.length) {
                        client.output().write(block);
                    }
                } catch (IOException closed) {
                    // The proxy closed once it had answered: expected.
                }
            });
            RawClient.Response response = client.readResponse();
            assertEquals(413, response.status());
            assertTrue(response.body().contains("M_TOO_LARGE"));
            streaming.join();
        }
    }

    @Test
    void http2RequestLineAndPrefaceGetAnHttp11Answer505() throws Exception {
        for (String request : new String[] {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"}) {
            try (RawClient client = new RawClient(proxy.address())) {
                RawClient.Response response = client.send(request).readResponse();
                assertEquals("HTTP/1.1 505 HTTP Version Not Supported", response.head().startLine(), request);
            }
        }
    }
}
