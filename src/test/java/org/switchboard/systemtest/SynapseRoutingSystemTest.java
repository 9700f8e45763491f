package org.switchboard.systemtest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.switchboard.systemtest.support.MatrixTokens.syt;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * A Synapse admin's config (upstreams only, the built-in table) through the real proxy: every
 * request reaches a process that can serve it, and users stick to their synchrotron.
 */
@ExtendWith(LeakCheck.class)
class SynapseRoutingSystemTest {
    @TempDir
    static Path dir;
    static WireMockServer main;
    static final List<TinyUpstream> workers = new ArrayList<>();
    static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        main = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        main.start();
        main.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("main")));
        for (String token : new String[] {"mat_alice_phone", "mat_alice_laptop"}) {
            main.stubFor(WireMock.get(urlEqualTo("/_matrix/client/v3/account/whoami"))
                    .withHeader("Authorization", equalTo("Bearer " + token))
                    .willReturn(aResponse().withStatus(200).withBody("{\"user_id\":\"@alice:example.org\",\"device_id\":\"X\"}")));
        }
        String config = """
                upstreams:
                  main:
                    endpoints: ["127.0.0.1:%d"]
                  synchrotron:
                    endpoints: [%s]
                  initial_synchrotron:
                    endpoints: [%s]
                  generic:
                    endpoints: [%s]
                userLookup:
                  enabled: true
                """.formatted(main.port(), endpoints("sync", 3), endpoints("initial", 1), endpoints("generic", 3));
        proxy = ProxyUnderTest.start(dir, config);
    }

    private static String endpoints(String name, int count) throws Exception {
        List<String> quoted = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            TinyUpstream worker = new TinyUpstream(TinyUpstream.answering(name + "-" + i));
            workers.add(worker);
            quoted.add("\"" + worker.endpoint() + "\"");
        }
        return String.join(", ", quoted);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        main.stop();
        for (TinyUpstream worker : workers) {
            worker.close();
        }
    }

    @Test
    void allDevicesOfAUserStayOnOneSynchrotron() throws Exception {
        String phone = fetch("/_matrix/client/v3/sync?since=s1&timeout=0", "Bearer " + syt("alice", "phoneRANDOMxxxxxxxxxx"));
        assertTrue(phone.startsWith("sync-"), phone);
        for (int i = 0; i < 5; i++) {
            assertEquals(phone, fetch("/_matrix/client/v3/sync?since=s" + i, "Bearer " + syt("alice", "laptop" + i + "RANDOMxxxxxxx")));
            assertEquals(phone, fetch("/_matrix/client/r0/sync?since=s" + i + "&access_token=" + syt("alice", "web" + i + "xxxxxxxxxxxx"), null));
        }
    }

    @Test
    void usersSpreadOverTheSynchrotrons() throws Exception {
        Set<String> used = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            used.add(fetch("/_matrix/client/v3/sync?since=s1", "Bearer " + syt("user" + i, "RANDOMxxxxxxxxxxxxxx")));
        }
        assertEquals(Set.of("sync-0", "sync-1", "sync-2"), used);
    }

    @Test
    void initialSyncsGoToTheInitialSynchrotron() throws Exception {
        String token = "Bearer " + syt("bob", "RANDOMxxxxxxxxxxxxxx");
        assertEquals("initial-0", fetch("/_matrix/client/v3/sync", token));
        assertEquals("initial-0", fetch("/_matrix/client/v3/sync?since=s9&full_state=true", token));
        assertTrue(fetch("/_matrix/client/v3/sync?since=s9", token).startsWith("sync-"));
    }

    @Test
    void streamWriterWithoutItsOwnUpstreamIsServedByMain() throws Exception {
        assertEquals("main", request("PUT", "/_matrix/client/v3/rooms/%21r%3Aexample.org/typing/%40alice%3Aexample.org", "{}"));
        assertEquals("main", request("PUT", "/_matrix/client/v3/pushrules/global/room/%21r%3Aexample.org", "{}"));
    }

    @Test
    void roomPaginationSticksToOneGenericWorker() throws Exception {
        String first = fetch("/_matrix/client/v3/rooms/%21pag%3Aexample.org/messages?dir=b", "Bearer " + syt("carol", "xxxxxxxxxxxxxxxxxxxx"));
        assertTrue(first.startsWith("generic-"), first);
        for (int i = 0; i < 5; i++) {
            assertEquals(first, fetch("/_matrix/client/v3/rooms/!pag:example.org/messages?dir=b&from=t" + i,
                    "Bearer " + syt("user" + i, "xxxxxxxxxxxxxxxxxxxx")));
        }
    }

    @Test
    void unmatchedAndAdminRequestsGoToMain() throws Exception {
        assertEquals("main", fetch("/_synapse/admin/v1/server_version", null));
        assertEquals("main", fetch("/something/else", null));
    }

    @Test
    void tokensThatNameNoUserAreLearnedThroughWhoami() throws Exception {
        String aliceSynchrotron = fetch("/_matrix/client/v3/sync?since=s1", "Bearer " + syt("alice", "RANDOMxxxxxxxxxxxxxx"));
        // The first request hashes the whole token and starts the lookup; later ones use the user.
        fetch("/_matrix/client/v3/sync?since=s1", "Bearer mat_alice_phone");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertEquals(aliceSynchrotron, fetch("/_matrix/client/v3/sync?since=s2", "Bearer mat_alice_phone"));
            assertEquals(aliceSynchrotron, fetch("/_matrix/client/v3/sync?since=s2", "Bearer mat_alice_laptop"));
        });
    }

    private static String fetch(String target, String authorization) throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            String auth = authorization == null ? "" : "Authorization: " + authorization + "\r\n";
            RawClient.Response response = client.send("GET " + target + " HTTP/1.1\r\nHost: matrix.example.org\r\n" + auth + "\r\n")
                    .readResponse();
            assertEquals(200, response.status(), target);
            return response.body();
        }
    }

    private static String request(String method, String target, String body) throws Exception {
        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send(method + " " + target + " HTTP/1.1\r\nHost: matrix.example.org\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).readResponse();
            assertEquals(200, response.status(), target);
            return response.body();
        }
    }
}
