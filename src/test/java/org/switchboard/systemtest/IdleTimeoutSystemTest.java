package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;

/** Idle connections are closed on both sides, and the admin listener answers probes. */
@ExtendWith(LeakCheck.class)
class IdleTimeoutSystemTest {
    @TempDir
    static Path dir;
    static TinyUpstream upstream;
    static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = new TinyUpstream(TinyUpstream.echoTarget());
        proxy = ProxyUnderTest.start(dir, """
                upstreams:
                  main:
                    endpoints: ["%s"]
                timeouts:
                  downstreamIdle: 300ms
                  requestHeader: 500ms
                upstreamPool:
                  idleTimeout: 500ms
                """.formatted(upstream.endpoint()));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
    }

    @Test
    void idleClientConnectionIsClosed() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            assertEquals(200, client.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
            // closedByPeer blocks until the proxy closes (the socket's own timeout is 10 s).
            assertEquals(true, client.closedByPeer());
        }
    }

    @Test
    void aRequestHeadThatNeverEndsGets408AndTheConnectionCloses() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            // Slowloris: a head begun and never finished.
            client.send("GET /slow HTTP/1.1\r\nHost: a\r\nX-Drip: 1");
            RawClient.Response response = client.readResponse();
            assertEquals(408, response.status());
            assertEquals(true, response.body().contains("\"errcode\":\"M_UNKNOWN\""), response.body());
            assertEquals(true, client.closedByPeer());
        }
        assertEquals(true, upstream.received().stream().noneMatch(r -> r.target().equals("/slow")));
    }

    @Test
    void idleUpstreamConnectionIsClosedByTheProxy() throws Exception {
        int closedBefore = upstream.connectionsClosedByPeer();
        try (RawClient client = new RawClient(proxy.address())) {
            assertEquals(200, client.send("GET /b HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.connectionsClosedByPeer() > closedBefore);
    }

    @Test
    void adminListenerAnswersLiveAndReady() throws Exception {
        proxy.awaitReady();
        HttpClient client = HttpClient.newHttpClient();
        for (String path : new String[] {"/live", "/ready"}) {
            URI uri = proxy.adminUri(path);
            assertEquals(200, client.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString()).statusCode());
        }
        assertEquals(404, client.send(HttpRequest.newBuilder(proxy.adminUri("/nope")).build(), BodyHandlers.ofString()).statusCode());
    }
}
