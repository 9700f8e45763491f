package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.LogRecorder;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;

/**
 * The application log tells an operator what went wrong and where, once, not once per request:
 * an invalid upstream response names the endpoint, a limit hit names its setting, and a burst
 * of either is one line (the next one says how many were left out).
 */
@ExtendWith(LeakCheck.class)
class OperatorLogSystemTest {
    @TempDir
    Path dir;
    private TinyUpstream garbage;
    private ProxyUnderTest proxy;
    private final LogRecorder log = new LogRecorder("org.switchboard.proxy.router.PassiveHealth",
            "org.switchboard.proxy.stats.ProxyMetrics");
    private final List<String> lines = log.messages();

    @BeforeEach
    void start() throws Exception {
        garbage = new TinyUpstream((request, out, in) -> {
            out.write(HttpWire.ascii("NOT HTTP AT ALL\r\n\r\n"));
            out.flush();
            return false;
        });
        proxy = ProxyUnderTest.start(dir, """
                upstreams:
                  main:
                    endpoints: ["%s"]
                    outlierDetection: { consecutiveFailures: 1000 }
                routes:
                  - path: { prefix: "/" }
                    upstream: main
                    maxBody: 10
                """.formatted(garbage.endpoint()));
    }

    @AfterEach
    void stop() throws Exception {
        log.close();
        proxy.close();
        garbage.close();
    }

    @Test
    void invalidResponsesAreOneLineNamingTheEndpoint() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(502, request("GET /x HTTP/1.1\r\nHost: a\r\n\r\n"));
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> !lines.isEmpty());
        assertEquals("upstream main endpoint " + garbage.endpoint() + " (" + garbage.endpoint()
                + "): invalid response: status line not of the form HTTP/1.x NNN reason", lines.get(0));
        // One line per 10 s: more than one here would take the five requests over 40 s.
        assertTrue(lines.size() < 5, lines.toString());
    }

    @Test
    void aLimitHitIsOneLineNamingTheSetting() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(413, request("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n"));
        }

        assertEquals("limit hit: body_too_large (limits.requestBody, limits.mediaUploadBody or the route's maxBody)",
                lines.get(0));
        assertTrue(lines.size() < 3, lines.toString());
    }

    @Test
    void aConnectionLimitHitNamesWhichOfTheTwoLimits(@TempDir Path own) throws Exception {
        try (ProxyUnderTest limited = ProxyUnderTest.start(own, """
                     limits: { connectionsPerClient: 1 }
                     upstreams:
                       main: { endpoints: ["%s"] }
                     routes:
                       - path: { prefix: "/" }
                         respond: { body: "ok" }
                     """.formatted(garbage.endpoint()));
             RawClient first = new RawClient(limited.address())) {
            // Answered, so counted: the first holds the one connection allowed (two loops may
            // take two new connections in either order).
            assertEquals(200, first.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
            try (RawClient second = new RawClient(limited.address())) {
                assertEquals(429, second.readResponse().status());
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.contains("limit hit: connection_limit (limits.connectionsPerClient)"));
    }

    private int request(String head) throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            return client.send(head).readResponse().status();
        }
    }
}
