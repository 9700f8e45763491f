package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.JsonCheck;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.LogRecorder;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.TinyUpstream;

/**
 * The admin listener exposed beyond loopback, as Kubernetes probes and Prometheus need it: every
 * read-only endpoint answers anyone, actions only a peer in admin.allow or the bearer token.
 * The test's own peer is 127.0.0.1, so an allow list without it plays "another pod".
 */
@ExtendWith(LeakCheck.class)
class AdminSystemTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TOKEN = "0123456789abcdef-admin-token";

    @TempDir
    Path dir;
    private TinyUpstream upstream;
    private ProxyUnderTest proxy;
    private final LogRecorder log = new LogRecorder("org.switchboard.proxy.admin.AdminHandler");
    private final List<String> logged = log.messages();

    @BeforeEach
    void start() throws Exception {
        upstream = new TinyUpstream(TinyUpstream.answering("main"));
        Path token = Files.writeString(dir.resolve("admin-token"), TOKEN + "\n");
        Path file = Files.writeString(dir.resolve("switchboard.yaml"), """
                listeners:
                  - name: client
                    address: "127.0.0.1:0"
                admin:
                  address: "127.0.0.1:0"
                  allow: ["10.0.0.0/8"]
                  tokenFile: "%s"
                runtime:
                  eventLoopThreads: 2
                accessLog: {enabled: false}
                upstreams:
                  main:
                    endpoints: ["%s"]
                """.formatted(token, upstream.endpoint()));
        proxy = ProxyUnderTest.startReloadable(file);
        proxy.awaitReady();
    }

    @AfterEach
    void stop() throws Exception {
        log.close();
        proxy.close();
        upstream.close();
    }

    @Test
    void readOnlyEndpointsAnswerAPeerThatMayNotAct() throws Exception {
        for (String path : List.of("/live", "/ready", "/metrics", "/status", "/", "/endpoints", "/config")) {
            assertEquals(200, get(path).statusCode(), path);
        }
    }

    /** Friction 8: which Switchboard runs, and which Synapse its table follows, is visible without a shell. */
    @Test
    void theVersionIsInStatusAndMetrics() throws Exception {
        assertTrue(get("/status").body().matches("\\{\"generation\":1,\"version\":\"\\d+\\.\\d+\\.\\d+[^\"]*\",.*"),
                get("/status").body());
        assertTrue(get("/metrics").body().lines().anyMatch(line -> line.startsWith("switchboard_version{")
                && line.contains("synapse=\"v1.") && line.endsWith(" 1.0")), "switchboard_version");
    }

    @Test
    void reloadFromAPeerNotInAllowIsRefusedWithMatrixJsonAndLogged() throws Exception {
        HttpResponse<String> refused = postReload(null);

        assertEquals(403, refused.statusCode());
        JsonCheck.parse(refused.body());
        assertTrue(refused.body().startsWith("{\"errcode\":\"M_FORBIDDEN\",\"error\":\"Admin actions answer only to addresses"
                + " in admin.allow or a request with Authorization: Bearer"), refused.body());
        assertEquals(List.of("admin listener refused POST /reload from 127.0.0.1: not in admin.allow, and no token"), logged);
        assertEquals(1, proxy.generation(), "nothing was reloaded");
    }

    @Test
    void aWrongTokenIsRefusedAndTheRightOneActs() throws Exception {
        assertEquals(403, postReload("Bearer " + TOKEN.substring(1)).statusCode());
        assertEquals(403, postReload("Basic " + TOKEN).statusCode());
        assertEquals(1, proxy.generation());

        HttpResponse<String> accepted = postReload("Bearer " + TOKEN);
        assertEquals(200, accepted.statusCode(), accepted.body());
        assertEquals("{\"result\":\"ok\",\"generation\":2}", accepted.body());
    }

    /** admin.allow and the token file reload (no restart); a token file gone missing refuses the reload, named. */
    @Test
    void accessRulesReloadAndAMissingTokenFileIsARefusalNotALockout() throws Exception {
        Path file = dir.resolve("switchboard.yaml");
        String config = Files.readString(file);
        Files.writeString(file, config.replace("tokenFile: \"" + dir.resolve("admin-token") + "\"",
                "tokenFile: \"" + dir.resolve("gone") + "\""));
        HttpResponse<String> refused = postReload("Bearer " + TOKEN);
        assertEquals(400, refused.statusCode());
        assertTrue(refused.body().contains("admin.tokenFile: \\\"" + dir.resolve("gone") + "\\\" (cannot be read: no such file)"),
                refused.body());
        assertEquals(400, postReload("Bearer " + TOKEN).statusCode(), "the token in force still authorizes (not 403)");

        Files.writeString(file, config.replace("allow: [\"10.0.0.0/8\"]", "allow: [\"127.0.0.1\"]"));
        assertEquals(200, postReload("Bearer " + TOKEN).statusCode());
        assertEquals(200, postReload(null).statusCode(), "loopback is now listed");
    }

    @Test
    void drainIsAnActionToo() throws Exception {
        HttpRequest.Builder drain = HttpRequest.newBuilder(proxy.adminUri("/drain")).POST(HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> refused = HTTP.send(drain.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode());
        assertEquals(List.of("admin listener refused POST /drain from 127.0.0.1: not in admin.allow, and no token"), logged);
        assertEquals(200, get("/ready").statusCode(), "not draining");

        HttpResponse<String> accepted = HTTP.send(drain.header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, accepted.statusCode(), accepted.body());
        assertTrue(accepted.body().startsWith("{\"status\":\"draining\""), accepted.body());
        HttpResponse<String> ready = get("/ready");
        assertEquals(503, ready.statusCode());
        assertEquals("{\"status\":\"draining\"}", ready.body());
        assertEquals(405, get("/drain").statusCode());
    }

    @Test
    void getReloadIsNotAnActionAndSaysWhichMethodIs() throws Exception {
        HttpResponse<String> wrongMethod = get("/reload");
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElse(null));
        HttpResponse<String> postStatus = HTTP.send(HttpRequest.newBuilder(proxy.adminUri("/status"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, postStatus.statusCode());
        assertEquals("GET, HEAD", postStatus.headers().firstValue("Allow").orElse(null));
    }

    /** The listener holds 128 connections; one peer that fills it with silent ones must not lock the probes out. */
    @Test
    void onePeerHoldingSilentConnectionsDoesNotLockTheProbesOut() throws Exception {
        InetSocketAddress admin = new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.adminUri("/").getPort());
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 130; i++) {
                Socket socket = new Socket();
                socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
                socket.connect(admin);
                silent.add(socket);
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(200, get("/ready").statusCode(), "a probe takes the place of a silent connection");
            }
            int closed = 0;
            for (Socket socket : silent) {
                socket.setSoTimeout(5); // a closed one reads its end at once; well within the 10 s the others have
                try {
                    closed += socket.getInputStream().read() < 0 ? 1 : 0;
                } catch (SocketTimeoutException open) {
                    // still held, until its 10 s
                }
            }
            assertTrue(closed >= 2 && closed <= 2 + 3, "the oldest silent ones gave way: " + closed);
        } finally {
            for (Socket socket : silent) {
                socket.close();
            }
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(proxy.adminUri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postReload(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(proxy.adminUri("/reload")).POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
