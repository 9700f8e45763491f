package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.JsonCheck;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;

/** /metrics counts exactly, parses strictly, and never carries a token or a query string. */
@ExtendWith(LeakCheck.class)
class MetricsSystemTest {
    /** One sample line of the text exposition format: name{labels} value. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$");

    @TempDir
    static Path dir;
    static TinyUpstream upstream;
    static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = new TinyUpstream(TinyUpstream.echoTarget());
        proxy = ProxyUnderTest.start(dir, """
                accessLog:
                  path: "%s"
                upstreams:
                  main:
                    endpoints: ["%s"]
                  typing:
                    endpoints: ["%s"]
                  dead:
                    endpoints: ["127.0.0.1:%d"]
                    healthCheck: { interval: 200ms, timeout: 100ms, unhealthyThreshold: 1 }
                routes:
                  - path: { prefix: "/_matrix/" }
                    upstream: main
                  - path: { prefix: "/dead/" }
                    upstream: dead
                """.formatted(dir.resolve("access.log"), upstream.endpoint(), upstream.endpoint(), ProxyUnderTest.freePort()));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
    }

    @Test
    void countsAreExactAndNothingSecretLeaks() throws Exception {
        for (int i = 0; i < 7; i++) {
            send("GET /_matrix/client/v3/sync?access_token=syt_c2VjcmV0_SECRETTOKEN_abc&since=s" + i
                    + " HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer syt_c2VjcmV0_SECRETTOKEN_abc\r\n\r\n");
        }
        for (int i = 0; i < 3; i++) {
            send("GET /nowhere/room/%21secretroom HTTP/1.1\r\nHost: a\r\n\r\n");
        }
        Map<String, Double> samples = scrape();
        assertEquals(7.0, samples.get("switchboard_requests_total{listener=\"client\",method=\"GET\",route=\"routes[0]\","
                + "status_class=\"2xx\",upstream=\"main\"}"), samples.keySet().toString());
        assertEquals(3.0, samples.get("switchboard_requests_total{listener=\"client\",method=\"GET\",route=\"none\","
                + "status_class=\"4xx\",upstream=\"none\"}"));
        assertEquals(3.0, samples.get("switchboard_proxy_errors_total{kind=\"no_route\"}"));
        assertEquals(1.0, samples.get("switchboard_endpoint_healthy{endpoint=\"" + upstream.endpoint() + "\",upstream=\"main\"}"));
        // Every request has ended: each upstream connection opened is back in a pool, idle.
        String endpoint = "{address=\"" + upstream.endpoint() + "\"}";
        double idle = samples.get("switchboard_upstream_idle_connections" + endpoint);
        assertTrue(idle >= 1.0, "idle " + idle);
        assertEquals(samples.get("switchboard_upstream_connections" + endpoint), idle);
        // One series per address, though two upstreams list it: a sum counts each connection once.
        List<String> connectionSeries = samples.keySet().stream()
                .filter(k -> k.startsWith("switchboard_upstream_connections{") && k.contains(upstream.endpoint())).toList();
        assertEquals(List.of("switchboard_upstream_connections" + endpoint), connectionSeries);
        String text = scrapeText();
        for (String secret : new String[] {"SECRETTOKEN", "syt_", "access_token", "since=", "secretroom", "/_matrix/client"}) {
            assertFalse(text.contains(secret), secret + " appears in /metrics");
        }
    }

    @Test
    void theAccessLogHasOneJsonLinePerRequestAndNoSecret() throws Exception {
        send("GET /_matrix/client/v3/rooms/%21r%3Ax/messages?access_token=syt_c2VjcmV0_LOGSECRET_abc&dir=b HTTP/1.1\r\n"
                + "Host: a\r\nAuthorization: Bearer syt_c2VjcmV0_LOGSECRET_abc\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n");
        Path log = dir.resolve("access.log");
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> Files.exists(log) && Files.readString(log).contains("/messages"));
        String line = Files.readAllLines(log).stream().filter(l -> l.contains("/messages")).findFirst().orElseThrow();
        assertTrue(line.startsWith("{\"time\":\"") && line.endsWith("}"), line);
        for (String field : new String[] {"\"request_id\":\"", "\"client\":\"127.0.0.1\"", "\"method\":\"GET\"",
                "\"path\":\"/_matrix/client/v3/rooms/%21r%3Ax/messages\"", "\"route\":\"routes[0]\"", "\"upstream\":\"main\"",
                "\"endpoint\":\"" + upstream.endpoint() + "\"", "\"status\":200", "\"bytes_in\":0", "\"bytes_out\":",
                "\"duration_ms\":", "\"upstream_ms\":"}) {
            assertTrue(line.contains(field), field + " missing in " + line);
        }
        String all = Files.readString(log);
        assertFalse(all.contains("LOGSECRET") || all.contains("access_token") || all.contains("Bearer"), all);
    }

    @Test
    void refusedRequestsAreLoggedWithWhatWasKnown() throws Exception {
        Path log = dir.resolve("access.log");
        // Other methods than the GETs another test counts exactly.
        send("POST /_matrix/bad?since=s1 HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
        send("DELETE /_matrix/two%20versions HTTP/2.0\r\nHost: a\r\n\r\n");
        send("\u0001GARBAGE\r\n\r\n");
        send("PUT http://a/_matrix/absolute?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            List<String> lines = Files.readAllLines(log);
            // The request line was read before the framing was refused: its method and path are logged.
            return lines.stream().anyMatch(l -> l.contains("\"status\":400") && l.contains("\"termination\":\"local\"")
                            && l.contains("\"method\":\"POST\",\"path\":\"/_matrix/bad\""))
                    && lines.stream().anyMatch(l -> l.contains("\"status\":505")
                            && l.contains("\"method\":\"DELETE\",\"path\":\"/_matrix/two%20versions\""))
                    && lines.stream().anyMatch(l -> l.contains("\"status\":400") && l.contains("\"method\":\"other\",\"path\":\"\""))
                    // An absolute-form target is logged as its path, as a forwarded one is.
                    && lines.stream().anyMatch(l -> l.contains("\"status\":400")
                            && l.contains("\"method\":\"PUT\",\"path\":\"/_matrix/absolute\""));
        });
    }

    @Test
    void sigusr1ReopensTheAccessLogAfterLogrotateMovedIt() throws Exception {
        Path log = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        send("GET /_matrix/before-rotation HTTP/1.1\r\nHost: a\r\n\r\n");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                Files.readString(log).contains("/_matrix/before-rotation"));
        Files.move(log, rotated);
        Process kill = new ProcessBuilder("kill", "-USR1", Long.toString(ProcessHandle.current().pid())).start();
        assertEquals(0, kill.waitFor());
        // The writer reopens before its next chunk: lines written after the signal reach the new file.
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            send("GET /_matrix/after-rotation HTTP/1.1\r\nHost: a\r\n\r\n");
            return Files.exists(log) && Files.readString(log).contains("/_matrix/after-rotation");
        });
        assertTrue(Files.readString(rotated).contains("/_matrix/before-rotation"));
    }

    @Test
    void theExpositionParsesStrictly() throws Exception {
        String text = scrapeText();
        int samples = 0;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                continue;
            }
            assertTrue(SAMPLE.matcher(line).matches(), "not a sample line: " + line);
            samples++;
        }
        assertTrue(samples > 10, "samples: " + samples);
        assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics are there");
    }

    @Test
    void statusParsesAsJsonNamesEveryEndpointAndTheHealthGaugeFlips() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scrape().entrySet().stream()
                .anyMatch(e -> e.getKey().startsWith("switchboard_endpoint_healthy{") && e.getKey().contains("upstream=\"dead\"")
                        && e.getValue() == 0.0));
        assertEquals(1.0, scrape().get("switchboard_endpoint_healthy{endpoint=\"" + upstream.endpoint() + "\",upstream=\"main\"}"));
        String status = proxy.adminGet("/status");
        JsonCheck.parse(status);
        assertTrue(status.contains("\"endpoint\":\"" + upstream.endpoint() + "\"") && status.contains("\"upstream\":\"dead\""), status);
        String page = proxy.adminGet("/");
        assertTrue(page.startsWith("<!doctype html>") && page.contains("http-equiv=\"refresh\"") && !page.contains("http://")
                && !page.contains("https://"), "self-contained, self-refreshing: " + page);
    }

    @Test
    void connectionGaugesFollowConnectionsAsTheyOpenAndClose() throws Exception {
        String listenerGauge = "switchboard_downstream_connections{listener=\"client\"}";
        String protocolGauge = "switchboard_client_connections{protocol=\"h1\"}";
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> scrape().get(listenerGauge) == 0.0 && scrape().get(protocolGauge) == 0.0);
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawClient client = new RawClient(proxy.address());
                clients.add(client);
                assertEquals(200, client.send("GET /_matrix/client/versions HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
            }
            Map<String, Double> open = scrape();
            assertEquals(3.0, open.get(listenerGauge));
            assertEquals(3.0, open.get(protocolGauge));
        } finally {
            for (RawClient client : clients) {
                client.close();
            }
        }
        // Each close gives its count back: the listener's limit and the drain see the same.
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> scrape().get(listenerGauge) == 0.0 && scrape().get(protocolGauge) == 0.0);
    }

    private static void send(String raw) throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send(raw).readResponse();
        }
    }

    private static String scrapeText() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(proxy.adminUri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Map<String, Double> scrape() throws Exception {
        Map<String, Double> samples = new HashMap<>();
        for (String line : scrapeText().split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (sample.matches()) {
                samples.put(sample.group(1) + (sample.group(2) == null ? "" : sample.group(2)), Double.parseDouble(sample.group(3)));
            }
        }
        return samples;
    }
}
