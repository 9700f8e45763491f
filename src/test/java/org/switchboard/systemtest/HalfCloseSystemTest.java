package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.TinyUpstream;

/**
 * D13: a client that sends a whole request, then shuts down its sending side. By default that is
 * a client that left (nginx's way: a long poll given up on frees its worker at once); with
 * {@code clientHalfClose: wait} it gets its answer, as HAProxy does, and the connection then closes.
 */
@ExtendWith(LeakCheck.class)
class HalfCloseSystemTest {
    @TempDir
    Path dir;
    private TinyUpstream upstream;
    private ProxyUnderTest proxy;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        upstream.close();
    }

    @Test
    void withWaitTheAnswerArrivesThenTheConnectionCloses() throws Exception {
        start("clientHalfClose: wait\n");
        try (Socket socket = halfClosedRequest()) {
            InputStream in = socket.getInputStream();
            HttpWire.Head head = HttpWire.readHead(in);
            assertEquals("200", head.startLineParts()[1]);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            HttpWire.readBody(in, head, body, true);
            assertEquals("main", body.toString(StandardCharsets.UTF_8));
            assertEquals(-1, in.read(), "nothing more can come from this client: the proxy closes");
        }
    }

    /** The upstream holds the request as a long poll would: only abandonment ends it before the timeout. */
    @Test
    void byDefaultAHalfCloseIsAbandonmentAndReleasesTheUpstream() throws Exception {
        TinyUpstream.Hold hold = new TinyUpstream.Hold();
        start(hold, "");
        try (Socket socket = halfClosedRequest()) {
            assertNull(HttpWire.readHead(socket.getInputStream()), "closed without an answer");
        }
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> hold.held() == 0 || hold.released() == hold.held());
    }

    private void start(String extra) throws Exception {
        start(TinyUpstream.answering("main"), extra);
    }

    private void start(TinyUpstream.Behavior behavior, String extra) throws Exception {
        upstream = new TinyUpstream(behavior);
        proxy = ProxyUnderTest.start(dir, """
                upstreams:
                  main:
                    endpoints: ["%s"]
                routes:
                  - path: { prefix: "/" }
                    upstream: main
                """.formatted(upstream.endpoint()) + extra);
    }

    private Socket halfClosedRequest() throws Exception {
        Socket socket = new Socket(proxy.address().getAddress(), proxy.port());
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write("GET /_matrix/client/versions HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        socket.shutdownOutput();
        return socket;
    }
}
