package org.switchboard.systemtest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.LogRecorder;
import org.switchboard.systemtest.support.ProxyUnderTest;

/**
 * {@code synapse.version}: with auto the proxy asks main (and workers with the federation
 * resource) which release they run on each health pass, and routes held back for an old release
 * move to the workers once every process reports a release that has them; pinned, nobody is
 * asked. A metric and one log line say which release the table follows.
 */
@ExtendWith(LeakCheck.class)
class SynapseVersionSystemTest {
    private static final String VERSION_PATH = "/_matrix/federation/v1/version";
    /** Served by generic workers from Synapse 1.82.0 on; main before that. */
    private static final String CAPABILITIES = "/_matrix/client/v3/capabilities";

    @TempDir
    Path dir;
    private WireMockServer main;
    private WireMockServer generic;
    private ProxyUnderTest proxy;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void startSynapse() {
        main = process("main");
        generic = process("generic");
    }

    private static WireMockServer process(String name) {
        WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody(name)));
        return server;
    }

    private static void reports(WireMockServer process, String release) {
        process.stubFor(get(urlEqualTo(VERSION_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"server\":{\"name\":\"Synapse\",\"version\":\"" + release + "\"}}")));
    }

    private void startProxy(String synapse) throws Exception {
        proxy = ProxyUnderTest.start(dir, """
                upstreams:
                  main:    { endpoints: ["127.0.0.1:%d"] }
                  generic: { endpoints: ["127.0.0.1:%d"] }
                healthCheck: { interval: 200ms, timeout: 150ms }
                """.formatted(main.port(), generic.port()) + synapse);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(proxy.adminUri("/ready")) == 200);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        main.stop();
        generic.stop();
    }

    private int status(URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Which process answered. */
    private String servedBy(String target) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.uri(target)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), target);
        return response.body();
    }

    @Test
    void followsTheOldestReleaseThroughARollingUpgrade() throws Exception {
        reports(main, "1.67.0");
        reports(generic, "1.67.0");
        try (LogRecorder log = new LogRecorder("org.switchboard.proxy.health.SynapseVersionWatch")) {
            startProxy("");
            // A cold WireMock may miss the first ask's deadline (the table then follows its own
            // release until the next health pass): wait for the release to be learnt.
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.adminGet("/metrics")
                    .contains("switchboard_synapse_version{source=\"reported\",version=\"1.67.0\"} 1"));

            assertEquals("main", servedBy(CAPABILITIES), "1.67's generic workers lack /capabilities");
            assertEquals("generic", servedBy("/_matrix/client/v3/account/whoami"), "served by workers since 1.61");
            assertTrue(log.messages().stream().anyMatch(m -> m.startsWith("built-in table follows Synapse 1.67.0 (reported by ")
                    && m.contains(" routes held back on main")), log.messages().toString());
            assertTrue(proxy.adminGet("/metrics").contains("switchboard_synapse_routes_held_back 30"),
                    proxy.adminGet("/metrics"));

            reports(main, "1.157.1");
            // Several health passes of both processes: main alone on the new release moves nothing.
            await().atMost(Duration.ofSeconds(10)).until(() -> main.countRequestsMatching(
                    getRequestedFor(urlEqualTo(VERSION_PATH)).build()).getCount() >= 5);
            assertEquals("main", servedBy(CAPABILITIES), "the generic worker still runs 1.67.0");

            reports(generic, "1.157.1");
            await().atMost(Duration.ofSeconds(10)).until(() -> servedBy(CAPABILITIES).equals("generic"));
            assertTrue(log.messages().stream().anyMatch(m -> m.startsWith("built-in table follows Synapse 1.157.1")
                    && m.contains("no route held back")), log.messages().toString());
            String after = proxy.adminGet("/metrics");
            assertTrue(after.contains("switchboard_synapse_version{source=\"reported\",version=\"1.157.1\"} 1"), after);
            assertTrue(!after.contains("version=\"1.67.0\"") && after.contains("switchboard_synapse_routes_held_back 0.0"), after);
            assertTrue(proxy.adminGet("/status").contains("\"synapse\":{\"follows\":\"1.157.1\""), proxy.adminGet("/status"));
        }
    }

    @Test
    void aPinnedReleaseAsksNobody() throws Exception {
        reports(main, "1.157.1");
        startProxy("synapse: {version: \"1.67.0\"}\n");

        assertEquals("main", servedBy(CAPABILITIES));
        assertTrue(proxy.adminGet("/metrics").contains("switchboard_synapse_version{source=\"config\",version=\"1.67.0\"} 1"));
        // Health passes happen meanwhile; none of them asks for the release.
        await().atMost(Duration.ofSeconds(10)).until(() -> main.countRequestsMatching(
                getRequestedFor(urlEqualTo("/health")).build()).getCount() >= 3);
        assertEquals(0, main.countRequestsMatching(getRequestedFor(urlEqualTo(VERSION_PATH)).build()).getCount());
    }

    /** A Synapse that does not say: the table as of its own release, and a warning saying why. */
    @Test
    void anUnknownReleaseFollowsTheNewestTableAndSaysWhy() throws Exception {
        main.stubFor(get(urlEqualTo(VERSION_PATH)).willReturn(aResponse().withStatus(500)));
        try (LogRecorder log = new LogRecorder("org.switchboard.proxy.health.SynapseVersionWatch")) {
            startProxy("");

            assertEquals("generic", servedBy(CAPABILITIES));
            assertTrue(log.messages().stream().anyMatch(m -> m.startsWith("built-in table follows Synapse unknown (main 127.0.0.1:"
                    + main.port() + ": status 500): the table as of Synapse 1.157.1")), log.messages().toString());
            assertTrue(proxy.adminGet("/metrics").contains("switchboard_synapse_version{source=\"unknown\",version=\"unknown\"} 1"));

            reports(main, "1.67.0");
            await().atMost(Duration.ofSeconds(10)).until(() -> servedBy(CAPABILITIES).equals("main"));
        }
    }

    /** A worker whose listener has no federation resource answers 404 once and is not asked again. */
    @Test
    void aWorkerWithoutTheFederationResourceIsAskedOnce() throws Exception {
        reports(main, "1.67.0");
        generic.stubFor(get(urlEqualTo(VERSION_PATH)).willReturn(aResponse().withStatus(404)));
        startProxy("");

        // main is asked again (at every tenth passed check once it answered), the worker never.
        await().atMost(Duration.ofSeconds(20)).until(() -> main.countRequestsMatching(
                getRequestedFor(urlEqualTo(VERSION_PATH)).build()).getCount() >= 3 && servedBy(CAPABILITIES).equals("main"));
        assertEquals(1, generic.countRequestsMatching(getRequestedFor(urlEqualTo(VERSION_PATH)).build()).getCount());
        assertEquals("main", servedBy(CAPABILITIES));
    }

    /** synapse.version reloads: pinning a release over what main reports, and back to auto. */
    @Test
    void aReloadPinsTheReleaseAndAnotherReturnsToAuto() throws Exception {
        reports(main, "1.67.0");
        reports(generic, "1.67.0");
        String base = """
                listeners: [{name: client, address: "127.0.0.1:0"}]
                admin: {address: "127.0.0.1:0"}
                accessLog: {enabled: false}
                upstreams:
                  main:    { endpoints: ["127.0.0.1:%d"] }
                  generic: { endpoints: ["127.0.0.1:%d"] }
                healthCheck: { interval: 200ms, timeout: 150ms }
                """.formatted(main.port(), generic.port());
        Path file = Files.writeString(dir.resolve("reloaded.yaml"), base);
        proxy = ProxyUnderTest.startReloadable(file);
        await().atMost(Duration.ofSeconds(10)).until(() -> servedBy(CAPABILITIES).equals("main"));

        Files.writeString(file, base + "synapse: {version: \"1.157.1\"}\n");
        assertEquals(200, proxy.postReload());
        assertEquals("generic", servedBy(CAPABILITIES), "pinned: what main reports no longer counts");

        Files.writeString(file, base + "synapse: {version: auto}\n");
        assertEquals(200, proxy.postReload());
        assertEquals("main", servedBy(CAPABILITIES), "auto again: main's 1.67.0, still known");
    }
}
