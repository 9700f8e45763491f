package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;

/**
 * Whose pace is timed: a client that stops reading the response is not the upstream's silence,
 * an upstream that stops reading the body is, a client waiting for a 100 is not a stalled body,
 * and a kept-alive connection the upstream closed as a request went out is tried once more on a
 * connection of its own. Real sockets both sides; the upstream here reads only the head and does
 * by hand what each test needs.
 */
@ExtendWith(LeakCheck.class)
class UpstreamPaceSystemTest {
    private static final int HUGE = 16 * 1024 * 1024;
    private static final AtomicInteger staleSeen = new AtomicInteger();
    private static final AtomicInteger staleExpectSeen = new AtomicInteger();

    @TempDir
    static Path dir;
    static HandUpstream upstream;
    static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = new HandUpstream();
        proxy = ProxyUnderTest.start(dir, """
                upstreams:
                  main:
                    endpoints: ["127.0.0.1:%d"]
                    healthCheck: { interval: 10m }
                routes:
                  - path: { prefix: "/" }
                    upstream: main
                timeouts:
                  upstreamResponse: 1s
                  downstreamIdle: 3s
                  requestBody: 300ms
                """.formatted(upstream.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
    }

    /** Reads a head only; then each path decides, by hand, what the upstream does. */
    private static boolean serve(HttpWire.Head head, InputStream in, OutputStream out) throws IOException, InterruptedException {
        String target = head.startLineParts()[1];
        switch (target) {
            case "/huge" -> {
                out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + HUGE + "\r\n\r\n"));
                byte[] block = new byte[64 * 1024];
                for (int sent = 0; sent < HUGE; sent += block.length) {
                    out.write(block);
                }
                out.flush();
                return true;
            }
            case "/no-read" -> {
                Thread.sleep(8_000); // the body waits in the socket, unread
                return false;
            }
            case "/early-413" -> {
                out.write(HttpWire.ascii("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno"));
                out.flush();
                Thread.sleep(200);
                return false;
            }
            case "/slow-no-100" -> {
                Thread.sleep(600); // twice requestBody, within upstreamResponse; no 100: the client waits for one
                out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
                out.flush();
                return false;
            }
            case "/informational" -> {
                out.write(HttpWire.ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
                out.flush();
                return true;
            }
            case "/stale-second" -> {
                if (staleSeen.getAndIncrement() == 0) {
                    return false; // closed as the request arrives, as an idle timeout racing it would
                }
                out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh"));
                out.flush();
                return true;
            }
            case "/stale-expect" -> {
                if (staleExpectSeen.getAndIncrement() == 0) {
                    return false; // closed with the head only read: the body was never asked for
                }
                out.write(HttpWire.ascii("HTTP/1.1 100 Continue\r\n\r\n"));
                out.flush();
                String body = new String(in.readNBytes(5), StandardCharsets.US_ASCII);
                out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" + body));
                out.flush();
                return true;
            }
            default -> {
                out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
                out.flush();
                return true;
            }
        }
    }

    @Test
    void aClientThatReadsLateGetsTheWholeResponseAndTheUpstreamIsNotBlamed() throws Exception {
        double timeoutsBefore = proxyErrors("upstream_timeout");
        try (Socket client = smallWindowClient()) {
            client.getOutputStream().write(HttpWire.ascii("GET /huge HTTP/1.1\r\nHost: a\r\n\r\n"));
            Thread.sleep(2_000); // twice upstreamResponse with reading paused, within downstreamIdle; not a timing assertion
            InputStream in = new BufferedInputStream(client.getInputStream());
            HttpWire.Head head = HttpWire.readHead(in);
            assertEquals(String.valueOf(HUGE), head.header("Content-Length"));
            assertEquals(HUGE, HttpWire.readBody(in, head, OutputStream.nullOutputStream(), false));
        }
        assertEquals(timeoutsBefore, proxyErrors("upstream_timeout"), "the upstream was waiting for us");
    }

    @Test
    void aClientThatNeverReadsIsCutOffAfterDownstreamIdleWithoutAMarkOnTheUpstream() throws Exception {
        double timeoutsBefore = proxyErrors("upstream_timeout");
        double stallsBefore = proxyErrors("client_timeout");
        try (Socket client = smallWindowClient()) {
            client.getOutputStream().write(HttpWire.ascii("GET /huge HTTP/1.1\r\nHost: a\r\n\r\n"));
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> proxyErrors("client_timeout") == stallsBefore + 1);
        }
        assertEquals(timeoutsBefore, proxyErrors("upstream_timeout"), "the upstream was waiting for us");
    }

    @Test
    void anUpstreamThatStopsReadingTheBodyIsTimedOut() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("POST /no-read HTTP/1.1\r\nHost: a\r\nContent-Length: 20000000\r\n\r\n");
            CompletableFuture<Void> sending = streamBody(client, 20_000_000);
            RawClient.Response response = client.readResponse();
            assertEquals(504, response.status(), "upstreamResponse (1 s) from when it stopped taking the body");
            sending.join();
        }
    }

    @Test
    void anEarlyUpstreamAnswerReachesAClientStillSendingItsBody() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("POST /early-413 HTTP/1.1\r\nHost: a\r\nContent-Length: 4000000\r\n\r\n");
            CompletableFuture<Void> sending = streamBody(client, 4_000_000);
            RawClient.Response response = client.readResponse();
            assertEquals(413, response.status());
            assertEquals("no", response.body());
            sending.join();
        }
    }

    @Test
    void aClientWaitingForA100IsNotAStalledBody() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send(
                    "POST /slow-no-100 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n").readResponse();
            assertEquals(200, response.status(), "the upstream answered without a 100; the body was never needed");
            assertEquals("ok", response.body());
        }
    }

    @Test
    void anHttp10ClientGetsNoInformationalResponse() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("GET /informational HTTP/1.0\r\nHost: a\r\n\r\n").readResponse();
            assertEquals("HTTP/1.0 200 OK", response.head().startLine(), "RFC 9110 15.2: no 1xx to an HTTP/1.0 client");
            assertEquals("ok", response.body());
        }
    }

    @Test
    void aGetOnAKeptAliveConnectionTheUpstreamClosedIsSentAgainOnAFreshOne() throws Exception {
        double retriesBefore = staleRetries();
        try (RawClient client = new RawClient(proxy.address())) {
            assertEquals(200, client.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
            RawClient.Response response = client.send("GET /stale-second HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertEquals(200, response.status(), "one endpoint only: the retry goes to it on a new connection");
            assertEquals("fresh", response.body());
        }
        assertEquals(retriesBefore + 1, staleRetries());
    }

    @Test
    void anExpectRequestWhoseBodyHadNotStartedIsSentAgainOnAFreshConnectionWhateverItsMethod() throws Exception {
        double retriesBefore = staleRetries();
        try (RawClient client = new RawClient(proxy.address())) {
            assertEquals(200, client.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
            client.send("POST /stale-expect HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertEquals(100, client.readResponse().status(), "the fresh connection's upstream asks for the body");
            RawClient.Response response = client.send("hello").readResponse();
            assertEquals(200, response.status());
            assertEquals("hello", response.body(), "the body went, whole, to the connection that asked for it");
        }
        assertEquals(retriesBefore + 1, staleRetries());
    }

    private static double staleRetries() throws Exception {
        return series("switchboard_retries_total{reason=\"reused_connection_closed\"}");
    }

    /** {@code switchboard_proxy_errors_total} of one kind; 0 before the first. */
    private static double proxyErrors(String kind) throws Exception {
        return series("switchboard_proxy_errors_total{kind=\"" + kind + "\"}");
    }

    /** One series' value from the metrics page; 0 before it first appears. */
    private static double series(String nameAndLabels) throws Exception {
        String prefix = nameAndLabels + " ";
        return proxy.adminGet("/metrics").lines().filter(line -> line.startsWith(prefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(prefix.length()))).findFirst().orElse(0);
    }

    /** A client whose receive window is small, so a large response soon waits on it. */
    private static Socket smallWindowClient() throws IOException {
        Socket client = new Socket();
        client.setReceiveBufferSize(4096);
        client.connect(proxy.address());
        client.setSoTimeout(20_000);
        return client;
    }

    /** Sends {@code length} body bytes from another thread, stopping quietly when the proxy closes. */
    private static CompletableFuture<Void> streamBody(RawClient client, int length) {
        return CompletableFuture.runAsync(() -> {
            byte[] block = new byte[64 * 1024];
            try {
                for (int sent = 0; sent < length; sent += block.length) {
                    client.output().write(block, 0, Math.min(block.length, length - sent));
                }
            } catch (IOException closed) {
                // The proxy answered and closed: expected.
            }
        });
    }

    /** An upstream that reads request heads only and leaves the rest to {@link #serve}. */
    private static final class HandUpstream implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        HandUpstream() throws IOException {
            Thread acceptor = new Thread(this::accept, "hand-upstream-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return ((InetSocketAddress) server.getLocalSocketAddress()).getPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    Thread worker = new Thread(() -> connection(socket), "hand-upstream-conn");
                    worker.setDaemon(true);
                    worker.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void connection(Socket socket) {
            try (socket) {
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                for (HttpWire.Head head; (head = HttpWire.readHead(in)) != null; ) {
                    if (!serve(head, in, out)) {
                        return;
                    }
                }
            } catch (IOException | InterruptedException gone) {
                // Closed by the proxy, or by the test's end.
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
