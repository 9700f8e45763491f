package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * Only what is safe to repeat is repeated: bodiless GETs go again to another endpoint when the
 * connection dies before any response byte; a POST, or a PUT with a transaction id, that may have
 * been processed does not.
 */
@ExtendWith(LeakCheck.class)
class RetrySystemTest {
    @TempDir
    static Path dir;
    /** Takes every request and hangs up without a word, as a worker that crashes mid-request. */
    static TinyUpstream crashing;
    static TinyUpstream healthy;
    static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        crashing = new TinyUpstream((request, out, in) -> false);
        healthy = new TinyUpstream(TinyUpstream.echoTarget());
        proxy = ProxyUnderTest.start(dir, """
                accessLog:
                  path: "%s"
                upstreams:
                  generic:
                    loadBalancer: round_robin
                    outlierDetection: { consecutiveFailures: 1000 }
                    healthCheck: { interval: 10m }   # keep the crashing worker in rotation for the test
                    endpoints: ["%s", "%s"]
                routes:
                  - path: { prefix: "/" }
                    upstream: generic
                """.formatted(dir.resolve("access.log"), crashing.endpoint(), healthy.endpoint()));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        crashing.close();
        healthy.close();
    }

    /**
     * The crashing worker read each PUT whole before it hung up, so it may have acted on it; Synapse
     * knows a transaction id only in the process that saw it (to-device messages not at all
     * elsewhere), so another worker would deliver it twice. Its client sends it again itself.
     */
    @Test
    void aPutWithATransactionIdThatMayHaveBeenActedOnIsNeverSentToAnotherWorker() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String target = "/_matrix/client/v3/rooms/%21r%3Ax/send/m.room.message/txn" + i;
            String body = "{\"msgtype\":\"m.text\",\"body\":\"hello " + i + "\"}";
            int status = exchange("PUT " + target + " HTTP/1.1\r\nHost: a\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).status();
            statuses.add(status);
            boolean atCrashing = crashing.received().stream().anyMatch(r -> r.target().equals(target));
            boolean atHealthy = healthy.received().stream().anyMatch(r -> r.target().equals(target));
            assertTrue(atCrashing != atHealthy, target + " reached exactly one worker");
            assertEquals(atHealthy ? 200 : 502, status, target);
        }
        assertTrue(statuses.contains(502), "some PUTs met the crashing worker: " + statuses);
    }

    /**
     * The worker dies with the PUT read whole: its kept-alive connection closes unanswered and the
     * new connection for the one more try is refused. The PUT still never goes to another worker.
     */
    @Test
    void aPutWithATransactionIdIsNotMovedWhenItsWorkerDiesAfterReadingIt(@TempDir Path ownDir) throws Exception {
        String put = "/_matrix/client/v3/sendToDevice/m.room_key/txn-dies";
        try (ServerSocket dying = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             TinyUpstream other = new TinyUpstream(TinyUpstream.echoTarget())) {
            Thread worker = new Thread(() -> {
                try (Socket socket = dying.accept()) {
                    InputStream in = socket.getInputStream();
                    HttpWire.readHead(in); // the GET that leaves this connection kept alive
                    socket.getOutputStream().write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"));
                    socket.getOutputStream().flush();
                    HttpWire.Head head = HttpWire.readHead(in); // the PUT, read whole, then the process dies
                    HttpWire.readBody(in, head, OutputStream.nullOutputStream(), false);
                    dying.close();
                } catch (IOException ignored) {
                    // the test's assertions say what happened
                }
            }, "dying-worker");
            worker.start();
            try (ProxyUnderTest own = ProxyUnderTest.start(ownDir, """
                    upstreams:
                      generic:
                        loadBalancer: round_robin
                        healthCheck: { interval: 10m }
                        endpoints: ["127.0.0.1:%d", "%s"]
                    routes:
                      - path: { prefix: "/" }
                        upstream: generic
                    """.formatted(dying.getLocalPort(), other.endpoint()));
                 RawClient client = new RawClient(own.address())) {
                // Round robin from the first endpoint: the GET to the dying worker, one to the
                // other, then the PUT on the dying worker's kept-alive connection.
                assertEquals(200, client.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
                assertEquals(200, client.send("GET /b HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
                RawClient.Response response = client.send("PUT " + put + " HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}")
                        .readResponse();
                assertEquals(502, response.status(), response.body());
            }
            worker.join(5_000);
            assertTrue(other.received().stream().noneMatch(r -> r.target().equals(put)), "the other worker never had it");
        }
    }

    @Test
    void aPostThatMayHaveBeenProcessedIsNotRepeated() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String body = "{\"n\":" + i + "}";
            statuses.add(exchange("POST /_matrix/client/v3/createRoom?n=" + i + " HTTP/1.1\r\nHost: a\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).status());
        }
        assertTrue(statuses.contains(502), "the crashing worker's POSTs end in 502: " + statuses);
        long repeated = healthy.received().stream().filter(r -> r.target().startsWith("/_matrix/client/v3/createRoom")).count();
        assertEquals(statuses.stream().filter(s -> s == 200).count(), repeated, "no POST reached a second worker");
    }

    @Test
    void aBodilessGetIsSentAgain() throws Exception {
        int crashedBefore = crashing.received().size();
        for (int i = 0; i < 4; i++) {
            assertEquals(200, exchange("GET /_matrix/client/v3/profile/u" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").status());
        }
        // Those that met the crashing worker first say so in their log lines.
        int crashed = crashing.received().size() - crashedBefore;
        assertTrue(crashed > 0);
        Path log = dir.resolve("access.log");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.readAllLines(log).stream().filter(line -> line.contains("/profile/u")).count() == 4);
        List<String> lines = Files.readAllLines(log).stream().filter(line -> line.contains("/profile/u")).toList();
        assertEquals(crashed, lines.stream().filter(line -> line.contains("\"retries\":1,")).count(), String.join("\n", lines));
        assertTrue(lines.stream().allMatch(line -> line.contains("\"endpoint\":\"" + healthy.endpoint() + "\"")), String.join("\n", lines));
    }

    /** Only the writer serves its stream: a retry never goes to main, where the message would arrive a second time. */
    @Test
    void aStreamWritersFailedRequestIsA502AndNeverReachesMain(@TempDir Path ownDir) throws Exception {
        try (TinyUpstream main = new TinyUpstream(TinyUpstream.echoTarget());
             ProxyUnderTest writerProxy = ProxyUnderTest.start(ownDir, """
                     upstreams:
                       main: {endpoints: ["%s"]}
                       to_device:
                         outlierDetection: { consecutiveFailures: 1000 }
                         healthCheck: { interval: 10m }
                         endpoints: ["%s"]
                     """.formatted(main.endpoint(), crashing.endpoint()));
             RawClient client = new RawClient(writerProxy.address())) {
            String target = "/_matrix/client/v3/sendToDevice/m.room_key/txn1";
            RawClient.Response response = client.send("PUT " + target + " HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}")
                    .readResponse();
            assertEquals(502, response.status(), response.body());
            assertTrue(crashing.received().stream().anyMatch(r -> r.target().equals(target)), "the writer had it");
            assertTrue(main.received().stream().noneMatch(r -> r.target().equals(target)), "main never had it");
        }
    }

    private static RawClient.Response exchange(String raw) throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            return client.send(raw).readResponse();
        }
    }
}
