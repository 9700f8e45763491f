package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.JsonCheck;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;

/** The Matrix well-known documents answered by the proxy itself: exact JSON, exact headers, on their hosts only. */
@ExtendWith(LeakCheck.class)
class WellKnownSystemTest {
    private static final String CLIENT = "{\"m.homeserver\":{\"base_url\":\"https://matrix.example.com\"},"
            + "\"org.matrix.msc4143.rtc_foci\":[{\"type\":\"livekit\",\"livekit_service_url\":\"https://rtc.example.com\"}]}";
    private static final String SERVER = "{\"m.server\":\"matrix.example.com:443\"}";
    private static final String SUPPORT = "{\"contacts\":[{\"matrix_id\":\"@admin:example.com\",\"role\":\"m.role.admin\"}]}";
    private static final List<String> CORS = List.of(
            "Access-Control-Allow-Origin: *",
            "Access-Control-Allow-Methods: GET, POST, PUT, DELETE, OPTIONS",
            "Access-Control-Allow-Headers: X-Requested-With, Content-Type, Authorization");

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
                routes:
                  - path: { prefix: "/" }
                    upstream: main
                wellKnown:
                  hosts: ["example.com", "matrix.example.com"]
                  client: { "m.homeserver": { base_url: "https://matrix.example.com" },
                            "org.matrix.msc4143.rtc_foci": [ { type: livekit, livekit_service_url: "https://rtc.example.com" } ] }
                  server: { "m.server": "matrix.example.com:443" }
                  support: { contacts: [ { matrix_id: "@admin:example.com", role: "m.role.admin" } ] }
                """.formatted(dir.resolve("access.log"), upstream.endpoint()));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
    }

    @Test
    void eachDocumentIsExactJsonWithTheSpecsHeaders() throws Exception {
        int before = upstream.received().size();
        for (String[] document : new String[][] {{"client", CLIENT}, {"server", SERVER}, {"support", SUPPORT}}) {
            String head = rawHead("GET /.well-known/matrix/" + document[0], "example.com");
            RawClient.Response response = send("GET /.well-known/matrix/" + document[0], "example.com");
            assertEquals(200, response.status());
            assertEquals(document[1], response.body());
            JsonCheck.parse(response.body());
            assertEquals("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + document[1].length()
                    + "\r\n" + String.join("\r\n", CORS) + "\r\nCache-Control: public, max-age=3600\r\n"
                    + "X-Content-Type-Options: nosniff\r\n\r\n", head);
        }
        assertEquals(before, upstream.received().size(), "never forwarded");
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                proxy.adminUri("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("switchboard_requests_total{listener=\"client\",method=\"GET\",route=\"wellKnown/client\","
                + "status_class=\"2xx\",upstream=\"local\"} 2.0"), metrics);
        Path log = dir.resolve("access.log");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(log)
                && Files.readString(log).lines().anyMatch(l -> l.contains("\"path\":\"/.well-known/matrix/server\"")
                && l.contains("\"route\":\"wellKnown/server\"") && l.contains("\"upstream\":\"local\"")
                && l.contains("\"status\":200") && l.contains("\"termination\":\"local\"")));
    }

    @Test
    void headOptionsAndOtherMethods() throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("HEAD /.well-known/matrix/client HTTP/1.1\r\nHost: matrix.example.com:8443\r\n\r\n"
                    + "OPTIONS /.well-known/matrix/client HTTP/1.1\r\nHost: matrix.example.com\r\n"
                    + "Origin: https://app.element.io\r\nAccess-Control-Request-Method: GET\r\n\r\n"
                    + "POST /.well-known/matrix/server HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n");
            HttpWire.Head head = client.readHead();
            assertEquals("200", head.startLineParts()[1]);
            assertEquals(String.valueOf(CLIENT.length()), head.header("Content-Length"));
            RawClient.Response preflight = client.readResponse();
            assertEquals(204, preflight.status(), "the HEAD answer had no body: the next one follows at once");
            assertEquals("*", preflight.header("Access-Control-Allow-Origin"));
            assertEquals("X-Requested-With, Content-Type, Authorization", preflight.header("Access-Control-Allow-Headers"));
            assertNull(preflight.header("Content-Length"));
            RawClient.Response post = client.readResponse();
            assertEquals(405, post.status());
            assertEquals("GET, HEAD, OPTIONS", post.header("Allow"));
            assertEquals("no-store", post.header("Cache-Control"));
            assertEquals("{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Unrecognized request\"}", post.body());
            assertEquals("*", post.header("Access-Control-Allow-Origin"));
        }
    }

    @Test
    void otherHostsAndOtherPathsGoUpstream() throws Exception {
        assertEquals("served GET /.well-known/matrix/client",
                send("GET /.well-known/matrix/client", "element.example.com").body());
        assertEquals("served GET /.well-known/matrix/policy_server",
                send("GET /.well-known/matrix/policy_server", "example.com").body());
        assertEquals("served GET /.well-known/matrix/client/", send("GET /.well-known/matrix/client/", "example.com").body());
    }

    private static RawClient.Response send(String requestLine, String host) throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            return client.send(requestLine + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").readResponse();
        }
    }

    private static String rawHead(String requestLine, String host) throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            client.send(requestLine + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) client.input().read());
            }
            return head.toString();
        }
    }
}
