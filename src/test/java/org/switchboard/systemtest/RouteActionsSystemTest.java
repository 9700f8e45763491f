package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

/**
 * Allow-lists (403), rate limits (429) and fixed answers through the real proxy. 127.0.0.1 is a
 * trusted proxy here, so each request's X-Forwarded-For names the client it plays; without one the
 * client is 127.0.0.1 itself.
 */
@ExtendWith(LeakCheck.class)
class RouteActionsSystemTest {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$");
    private static final String FORBIDDEN =
            "{\"errcode\":\"M_FORBIDDEN\",\"error\":\"Forbidden: this endpoint is not open to your address\"}";

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
                clientAddress:
                  trustedProxies: ["127.0.0.1"]
                limits:
                  rateLimitAddresses: 5000
                upstreams:
                  main:
                    endpoints: ["%s"]
                routes:
                  - path: { prefix: "/_synapse/admin/" }
                    allow: ["10.0.0.0/8", "fd00::/8"]
                    upstream: main
                  - path: { prefix: "/_matrix/client/v3/login" }
                    name: login
                    rateLimit: { requests: 1, per: 10m, burst: 3, exempt: ["192.168.0.0/16"] }
                    upstream: main
                  - path: { prefix: "/flood" }
                    rateLimit: { requests: 1, per: 1h, burst: 1 }
                    respond: { status: 204 }
                  - path: { prefix: "/robots.txt" }
                    respond:
                      body: "User-agent: *\\nDisallow: /\\n"
                      headers: { Cache-Control: "max-age=86400" }
                  - path: { prefix: "/teapot" }
                    respond: { status: 418, json: { errcode: M_TEAPOT, error: "short and stout" } }
                  - path: { prefix: "/livekit/jwt/" }
                    stripPrefix: true
                    upstream: main
                  - path: { prefix: "/" }
                    upstream: main
                """.formatted(dir.resolve("access.log"), upstream.endpoint()));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
    }

    @Test
    void anAllowListAdmitsItsRangesAndAnswersOthers403() throws Exception {
        RawClient.Response inside = get("/_synapse/admin/v1/users/@a:x", "10.1.2.3");
        assertEquals(200, inside.status());
        assertEquals("served GET /_synapse/admin/v1/users/@a:x", inside.body());
        assertEquals(200, get("/_synapse/admin/v1/server_version", "fd00::5").status());

        int before = upstream.received().size();
        for (String outside : List.of("203.0.113.9", "11.0.0.1", "2001:db8::1")) {
            RawClient.Response refused = get("/_synapse/admin/v1/users/@a:x", outside);
            assertEquals(403, refused.status(), outside);
            assertEquals("application/json", refused.header("Content-Type"));
            assertEquals(FORBIDDEN, refused.body());
            JsonCheck.parse(refused.body());
        }
        assertEquals(403, get("/_synapse/admin/v1/users/@a:x", null).status(), "the proxy's own peer is not in the list");
        assertTrue(upstream.received().stream().skip(before).noneMatch(r -> r.target().startsWith("/_synapse/admin/")),
                "a refused request never reaches the upstream");
        assertEquals(200, get("/_matrix/client/versions", "203.0.113.9").status(), "other routes stay open");

        Map<String, Double> samples = scrape();
        assertTrue(samples.get("switchboard_proxy_errors_total{kind=\"forbidden\"}") >= 4.0, samples.toString());
        assertTrue(samples.get("switchboard_requests_total{listener=\"client\",method=\"GET\",route=\"routes[0]\","
                + "status_class=\"4xx\",upstream=\"main\"}") >= 4.0);
        awaitLogLine("\"client\":\"203.0.113.9\"", "\"status\":403", "\"route\":\"routes[0]\"", "\"termination\":\"local\"");
    }

    @Test
    void aRateLimitSheds429WithRetryAfterAndSparesExemptRanges() throws Exception {
        String client = "198.51.100.20";
        for (int i = 0; i < 3; i++) {
            assertEquals(200, post("/_matrix/client/v3/login", client).status(), "burst request " + i);
        }
        RawClient.Response limited = post("/_matrix/client/v3/login", client);
        assertEquals(429, limited.status());
        assertEquals("application/json", limited.header("Content-Type"));
        Matcher body = Pattern.compile("\\{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too many requests\","
                + "\"retry_after_ms\":(\\d+)}").matcher(limited.body());
        assertTrue(body.matches(), limited.body());
        long retryAfterMs = Long.parseLong(body.group(1));
        assertTrue(retryAfterMs > 590_000 && retryAfterMs <= 600_000, "one token per 10 minutes: " + retryAfterMs);
        assertEquals(String.valueOf((retryAfterMs + 999) / 1000), limited.header("Retry-After"), "seconds, rounded up");
        JsonCheck.parse(limited.body());

        assertEquals(200, post("/_matrix/client/v3/login", "198.51.100.21").status(), "another address has its own bucket");
        assertEquals(200, get("/_matrix/client/versions", client).status(), "other routes are not limited");
        for (int i = 0; i < 10; i++) {
            assertEquals(200, post("/_matrix/client/v3/login", "192.168.7.7").status(), "exempt, request " + i);
        }

        Map<String, Double> samples = scrape();
        assertTrue(samples.get("switchboard_proxy_errors_total{kind=\"rate_limited\"}") >= 1.0, samples.toString());
        assertTrue(samples.get("switchboard_requests_total{listener=\"client\",method=\"POST\",route=\"login\","
                + "status_class=\"4xx\",upstream=\"main\"}") >= 1.0);
        awaitLogLine("\"client\":\"198.51.100.20\"", "\"status\":429", "\"route\":\"login\"", "\"termination\":\"local\"");
    }

    /**
     * A browser client on another origin (Element Web) can read the proxy's own answers only with
     * the CORS headers Synapse's answers carry; and its preflights must not spend its tokens.
     */
    @Test
    void theProxysOwnAnswersCarryCorsHeadersAndPreflightsAreNotCounted() throws Exception {
        String client = "198.51.100.40";
        for (int i = 0; i < 5; i++) {
            RawClient.Response preflight = send("OPTIONS /_matrix/client/v3/login HTTP/1.1\r\nHost: matrix.example.com\r\n"
                    + "Origin: https://app.element.io\r\nAccess-Control-Request-Method: POST\r\n"
                    + "X-Forwarded-For: " + client + "\r\n\r\n");
            assertEquals(200, preflight.status(), "preflight " + i + " reaches the upstream, uncounted");
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(200, post("/_matrix/client/v3/login", client).status(), "burst request " + i + " after the preflights");
        }
        List<RawClient.Response> ownAnswers = List.of(post("/_matrix/client/v3/login", client),
                get("/_synapse/admin/v1/users/@a:x", "203.0.113.9"));
        assertEquals(429, ownAnswers.get(0).status());
        assertEquals(403, ownAnswers.get(1).status());
        for (RawClient.Response answer : ownAnswers) {
            assertEquals("*", answer.header("Access-Control-Allow-Origin"), answer.status() + " " + answer.body());
            assertEquals("GET, POST, PUT, DELETE, OPTIONS", answer.header("Access-Control-Allow-Methods"));
            assertEquals("X-Requested-With, Content-Type, Authorization", answer.header("Access-Control-Allow-Headers"));
        }
    }

    @Test
    void theBucketsOfAHundredThousandAddressesStayBounded() throws Exception {
        int addresses = 100_000;
        int batch = 500;
        int admitted = 0;
        try (RawClient client = new RawClient(proxy.address())) {
            for (int start = 0; start < addresses; start += batch) {
                ByteArrayOutputStream requests = new ByteArrayOutputStream();
                for (int i = start; i < start + batch; i++) {
                    requests.writeBytes(("GET /flood HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 100." + (i >> 16) + "."
                            + ((i >> 8) & 0xff) + "." + (i & 0xff) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                client.send(requests.toByteArray());
                for (int i = 0; i < batch; i++) {
                    admitted += client.readResponse().status() == 204 ? 1 : 0;
                }
            }
        }
        assertEquals(addresses, admitted, "each new address is admitted once");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                scrape().get("switchboard_rate_limit_addresses") <= 5000.0);
        assertTrue(scrape().get("switchboard_rate_limit_addresses") > 0);
    }

    @Test
    void fixedAnswersAreServedByTheProxyWithTheirHeaders() throws Exception {
        int before = upstream.received().size();
        RawClient.Response robots = get("/robots.txt", null);
        assertEquals(200, robots.status());
        assertEquals("text/plain; charset=utf-8", robots.header("Content-Type"));
        assertEquals("max-age=86400", robots.header("Cache-Control"));
        assertEquals("User-agent: *\nDisallow: /\n", robots.body());

        RawClient.Response teapot = get("/teapot", null);
        assertEquals(418, teapot.status());
        assertEquals("application/json", teapot.header("Content-Type"));
        assertEquals("{\"errcode\":\"M_TEAPOT\",\"error\":\"short and stout\"}", teapot.body());
        assertEquals(before, upstream.received().size(), "nothing went upstream");

        try (RawClient client = new RawClient(proxy.address())) {
            client.send("HEAD /robots.txt HTTP/1.1\r\nHost: a\r\n\r\nGET /teapot HTTP/1.1\r\nHost: a\r\n\r\n");
            var head = client.readHead();
            assertEquals("26", head.header("Content-Length"), "HEAD says the length and sends no body");
            assertEquals(418, client.readResponse().status(), "the next response follows at once");
        }
        Map<String, Double> samples = scrape();
        assertTrue(samples.get("switchboard_requests_total{listener=\"client\",method=\"GET\",route=\"routes[3]\","
                + "status_class=\"2xx\",upstream=\"local\"}") >= 1.0, samples.toString());
        assertNull(samples.get("switchboard_proxy_errors_total{kind=\"none\"}"));
        awaitLogLine("\"path\":\"/teapot\"", "\"status\":418", "\"upstream\":\"local\"", "\"termination\":\"local\"");
    }

    @Test
    void stripPrefixHidesThePrefixFromTheUpstream() throws Exception {
        assertEquals("served GET /get_token?room=%21a", get("/livekit/jwt/get_token?room=%21a", null).body());
        assertEquals("served GET /", get("/livekit/jwt/", null).body());
        assertEquals("served GET /livekit/jwtx", get("/livekit/jwtx", null).body(), "not under the prefix: untouched");
        awaitLogLine("\"path\":\"/livekit/jwt/get_token\"", "\"route\":\"routes[5]\"");
    }

    private static RawClient.Response get(String target, String client) throws Exception {
        return send("GET " + target + " HTTP/1.1\r\nHost: matrix.example.com\r\n"
                + (client == null ? "" : "X-Forwarded-For: " + client + "\r\n") + "\r\n");
    }

    private static RawClient.Response post(String target, String client) throws Exception {
        return send("POST " + target + " HTTP/1.1\r\nHost: matrix.example.com\r\nContent-Length: 2\r\n"
                + "X-Forwarded-For: " + client + "\r\n\r\n{}");
    }

    private static RawClient.Response send(String raw) throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            return client.send(raw).readResponse();
        }
    }

    private static void awaitLogLine(String... fields) {
        Path log = dir.resolve("access.log");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(log) && Files.readString(log).lines()
                .anyMatch(line -> List.of(fields).stream().allMatch(line::contains)));
    }

    private static Map<String, Double> scrape() throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(proxy.adminUri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (sample.matches()) {
                samples.put(sample.group(1) + (sample.group(2) == null ? "" : sample.group(2)), Double.parseDouble(sample.group(3)));
            }
        }
        assertFalse(text.contains("198.51.100"), "no address in a metric");
        return samples;
    }
}
