package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;

/**
 * Host before path through the real proxy: the Synapse table on matrix.example.com only, Element
 * Web's catch-all on element.example.com, a wildcard, the port and case ignored, an unknown host
 * refused with Matrix JSON; stripPrefix in Element Call's /livekit/jwt/ layout.
 */
@ExtendWith(LeakCheck.class)
class VirtualHostSystemTest {
    @TempDir
    static Path dir;
    static TinyUpstream synapse;
    static TinyUpstream element;
    static TinyUpstream tenants;
    static TinyUpstream jwt;
    static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        synapse = new TinyUpstream(TinyUpstream.answering("synapse"));
        element = new TinyUpstream(TinyUpstream.answering("element"));
        tenants = new TinyUpstream(TinyUpstream.answering("tenant"));
        jwt = new TinyUpstream(TinyUpstream.echoTarget());
        proxy = ProxyUnderTest.start(dir, """
                accessLog:
                  path: "%s"
                upstreams:
                  main: { endpoints: ["%s"] }
                  element-web: { endpoints: ["%s"] }
                  tenants: { endpoints: ["%s"] }
                  lk-jwt: { endpoints: ["%s"] }
                routes:
                  - { host: element.example.com, path: { prefix: / }, upstream: element-web }
                  - { host: "*.tenants.example.com", path: { prefix: / }, upstream: tenants }
                  - { host: matrix.example.com, path: { prefix: /livekit/jwt/ }, stripPrefix: true, upstream: lk-jwt }
                  - { preset: synapse, host: matrix.example.com }
                """.formatted(dir.resolve("access.log"), synapse.endpoint(), element.endpoint(), tenants.endpoint(),
                jwt.endpoint()));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        for (TinyUpstream upstream : new TinyUpstream[] {synapse, element, tenants, jwt}) {
            upstream.close();
        }
    }

    @Test
    void eachHostHasItsOwnTable() throws Exception {
        assertEquals("synapse", get("matrix.example.com", "/_matrix/client/versions").body());
        assertEquals("synapse", get("MATRIX.Example.com:8448", "/_matrix/federation/v1/version").body(), "port and case ignored");
        assertEquals("synapse", get("matrix.example.com", "/anything/else").body(), "the preset's catch-all, on its host");
        assertEquals("element", get("element.example.com", "/_matrix/client/versions").body(),
                "Element's catch-all: Synapse's paths on another host are not Synapse's");
        assertEquals("element", get("element.example.com", "/config.json").body());
        assertEquals("tenant", get("a.tenants.example.com", "/").body());
        assertEquals("tenant", get("b.c.tenants.example.com:443", "/x").body());
    }

    @Test
    void aHostNoRouteNamesGets404MatrixJson() throws Exception {
        for (String host : new String[] {"evil.example", "tenants.example.com", "127.0.0.1:8080"}) {
            RawClient.Response response = get(host, "/_matrix/client/versions");
            assertEquals(404, response.status(), host);
            assertEquals("{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Unrecognized request: no route matches\"}",
                    response.body());
        }
        Path log = dir.resolve("access.log");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(log)
                && Files.readString(log).lines().anyMatch(l -> l.contains("\"status\":404") && l.contains("\"route\":\"none\"")));
    }

    @Test
    void stripPrefixServesElementCallsLayout() throws Exception {
        assertEquals("served GET /get_token", get("matrix.example.com", "/livekit/jwt/get_token").body());
        assertEquals("served POST /sfu/get", send("POST /livekit/jwt/sfu/get HTTP/1.1\r\nHost: matrix.example.com\r\n"
                + "Content-Length: 2\r\n\r\n{}").body());
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(proxy.adminUri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("switchboard_requests_total{listener=\"client\",method=\"GET\",route=\"routes[2]\","
                + "status_class=\"2xx\",upstream=\"lk-jwt\"}"), metrics);
    }

    private static RawClient.Response get(String host, String target) throws Exception {
        return send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    }

    private static RawClient.Response send(String raw) throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            return client.send(raw).readResponse();
        }
    }
}
