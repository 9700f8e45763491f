package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;

/**
 * A rollout's drain, driven the way Kubernetes drives it: SIGTERM to the real jar's process.
 * What runs finishes, what is idle goes, nothing new comes in once the listeners close, and the
 * process exits 0. Also the real process's log across a reload that changes its format.
 */
class DrainSystemTest {
    private static final Path JAR = Path.of("..", "..", "proxy-core", "target", "switchboard.jar");

    @TempDir
    Path dir;
    private Process proxy;
    private TinyUpstream upstream;
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private int port;
    private int adminPort;

    @AfterEach
    void stop() throws IOException {
        releaseSlow.countDown();
        if (proxy != null) {
            proxy.destroyForcibly();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void sigtermLetsRequestsInFlightFinishClosesIdleConnectionsAndExitsZero() throws Exception {
        start("drain: {delay: 3s, timeout: 30s}");
        RawClient idle = new RawClient(address());
        assertEquals(200, idle.send(get("/before")).readResponse().status());
        RawClient busy = new RawClient(address());
        busy.send(get("/slow"));
        awaitTrue(() -> upstream.received().stream().anyMatch(r -> r.target().equals("/slow")), "the slow request upstream");

        proxy.destroy(); // SIGTERM

        awaitTrue(() -> adminStatus("/ready") == 503, "/ready answers 503 once draining");
        assertTrue(adminBody("/ready").contains("draining"), adminBody("/ready"));
        try (RawClient during = new RawClient(address())) {
            assertEquals(200, during.send(get("/during-delay")).readResponse().status(),
                    "new connections are still served during the delay");
        }
        assertTrue(idle.closedByPeer(), "an idle keep-alive connection is closed when the listeners close");
        awaitTrue(this::refused, "the listener closed after the delay");
        assertTrue(proxy.isAlive(), "a request is still in flight");

        releaseSlow.countDown();
        RawClient.Response slow = busy.readResponse();
        assertEquals(200, slow.status());
        assertEquals("served /slow", slow.body());
        assertEquals("close", slow.header("Connection"), "the last response on a draining connection says so\n" + slow.head() + log());
        assertTrue(busy.closedByPeer());
        assertTrue(proxy.waitFor(10, TimeUnit.SECONDS), "the process exits once nothing is left");
        assertEquals(0, proxy.exitValue(), log());
        assertTrue(log().contains("drain done: every client connection finished"), log());
    }

    /**
     * At the timeout a GET still waiting (one the proxy could send again) gets 503 and the close:
     * its client tries again at once, elsewhere. A POST is cut off by the close with no answer:
     * the upstream may have acted on it, and a 503 would say it had not.
     */
    @Test
    void whatIsStillOpenAtTheTimeoutIsClosedAndTheProcessStillExitsZero() throws Exception {
        Path accessLog = dir.resolve("access.log");
        start("drain: {delay: 0s, timeout: 1s}", "accessLog: {path: \"" + accessLog + "\"}");
        RawClient held = new RawClient(address());
        held.send(get("/slow"));
        RawClient posted = new RawClient(address());
        posted.send("POST /slow/post HTTP/1.1\r\nHost: matrix.example.org\r\nContent-Length: 2\r\n\r\n{}");
        awaitTrue(() -> upstream.received().stream().filter(r -> r.target().startsWith("/slow")).count() == 2,
                "the slow requests upstream");

        proxy.destroy();

        assertTrue(proxy.waitFor(15, TimeUnit.SECONDS), "the timeout ends the drain");
        assertEquals(0, proxy.exitValue(), log());
        RawClient.Response answered = held.readResponse();
        assertEquals(503, answered.status(), "the GET is answered at the timeout");
        assertEquals("close", answered.header("Connection"));
        assertTrue(answered.body().contains("\"errcode\":\"M_UNKNOWN\""), answered.body());
        assertTrue(held.closedByPeer());
        assertNull(posted.readResponse(), "the POST is closed without an answer");
        assertTrue(log().contains("drain timeout: closed 2 client connections still open"), log());
        String line = Files.readAllLines(accessLog).stream().filter(l -> l.contains("\"path\":\"/slow\"")).findFirst()
                .orElseThrow();
        assertTrue(line.contains("\"status\":503") && line.contains("\"termination\":\"drain_timeout\""),
                "the proxy ended it, not the client: " + line);
    }

    /** SIGINT stops at once: what it cuts off is the proxy's doing, not a client that left (499). */
    @Test
    void sigintCutsOffRequestsInFlightAndLogsThemAsStopped() throws Exception {
        Path accessLog = dir.resolve("access.log");
        start("drain: {delay: 0s, timeout: 30s}", "accessLog: {path: \"" + accessLog + "\"}");
        RawClient held = new RawClient(address());
        held.send(get("/slow"));
        awaitTrue(() -> upstream.received().stream().anyMatch(r -> r.target().equals("/slow")), "the slow request upstream");

        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(proxy.pid())).start();
        assertEquals(0, kill.waitFor());

        assertTrue(proxy.waitFor(15, TimeUnit.SECONDS), "SIGINT stops the process");
        assertNull(held.readResponse(), "closed without an answer");
        String lines = Files.readString(accessLog);
        String line = lines.lines().filter(l -> l.contains("\"path\":\"/slow\"")).findFirst().orElse(lines + log());
        assertTrue(line.contains("\"status\":503") && line.contains("\"termination\":\"stopped\""),
                "the proxy ended it, not the client: " + line);
    }

    @Test
    void everyRequestServedBeforeTheExitHasItsAccessLogLine() throws Exception {
        Path accessLog = dir.resolve("access.log");
        start("drain: {delay: 0s, timeout: 5s}", "accessLog: {path: \"" + accessLog + "\"}");
        try (RawClient client = new RawClient(address())) {
            for (int i = 0; i < 20; i++) {
                assertEquals(200, client.send(get("/line-" + i)).readResponse().status());
            }
        }

        proxy.destroy(); // SIGTERM, well within the 100 ms a loop keeps its lines before handing them off

        assertTrue(proxy.waitFor(15, TimeUnit.SECONDS), "nothing in flight: the drain is over at once");
        assertEquals(0, proxy.exitValue(), log());
        List<String> lines = Files.readAllLines(accessLog);
        for (int i = 0; i < 20; i++) {
            String path = "\"path\":\"/line-" + i + "\"";
            assertTrue(lines.stream().anyMatch(line -> line.contains(path)), path + " missing in\n" + String.join("\n", lines));
        }
    }

    @Test
    void postDrainOnTheAdminListenerDrainsAndExitsLikeSigterm() throws Exception {
        start("drain: {delay: 0s, timeout: 5s}");
        HttpResponse<String> drain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort + "/drain")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, drain.statusCode(), drain.body());
        assertTrue(proxy.waitFor(15, TimeUnit.SECONDS), "nothing in flight: the drain is over at once");
        assertEquals(0, proxy.exitValue(), log());
        assertTrue(log().contains("drain started by POST /drain"), log());
    }

    @Test
    void aDrainConfigWithAnUnknownKeyIsALocatedError() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yaml"), """
                upstreams: {main: {endpoints: ["127.0.0.1:8008"]}}
                drain: {delay: 5s, timout: 55s}
                """);
        Process check = new ProcessBuilder(java(), "-jar", JAR.toString(), "--check", "--config", config.toString())
                .redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, check.exitValue(), output);
        assertTrue(output.contains("drain.timout"), output);
    }

    /** The real process's log follows a reload's format at once: the reload's own announcement included. */
    @Test
    void aReloadThatSwitchesTheLogToJsonAnnouncesItselfInJson() throws Exception {
        start("drain: {delay: 0s, timeout: 5s}");
        Path config = dir.resolve("switchboard.yaml");
        Files.writeString(config, Files.readString(config) + "logging: {format: json}\n");
        awaitTrue(() -> logContains("generation 2 in force"), "the reload is applied");
        String announcement = log().lines().filter(line -> line.contains("generation 2 in force")).findFirst().orElseThrow();
        assertTrue(announcement.startsWith("{\"time\":"), announcement);
    }

    /** A fleet's logrotate sends SIGUSR1 to every pod: without an access-log file it must not end the process. */
    @Test
    void sigusr1WithoutAnAccessLogFileLeavesTheProcessServing() throws Exception {
        start("drain: {delay: 0s, timeout: 5s}");
        Process kill = new ProcessBuilder("kill", "-USR1", Long.toString(proxy.pid())).start();
        assertEquals(0, kill.waitFor());
        Thread.sleep(500); // lets a default signal action end the process, were it still installed; not a timing assertion
        assertTrue(proxy.isAlive(), "SIGUSR1 ended the process: " + log());
        assertEquals(200, adminStatus("/ready"));
    }

    // ---- the process and its surroundings ----

    private void start(String drain) throws Exception {
        start(drain, "accessLog: {enabled: false}");
    }

    private void start(String drain, String accessLog) throws Exception {
        assertTrue(Files.isRegularFile(JAR), "the runnable jar is built first (mvn package): " + JAR.toAbsolutePath());
        upstream = new TinyUpstream((request, out, in) -> {
            if (request.target().startsWith("/slow")) {
                try {
                    releaseSlow.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = ("served " + request.target()).getBytes(StandardCharsets.UTF_8);
            out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n"));
            out.write(body);
            out.flush();
            return true;
        });
        port = ProxyUnderTest.freePort();
        adminPort = ProxyUnderTest.freePort();
        Path config = Files.writeString(dir.resolve("switchboard.yaml"), """
                listeners: [{name: client, address: "127.0.0.1:%d"}]
                admin: {address: "127.0.0.1:%d"}
                %s
                upstreams: {main: {endpoints: ["%s"]}}
                routes: [{path: {prefix: "/"}, upstream: main}]
                %s
                """.formatted(port, adminPort, accessLog, upstream.endpoint(), drain));
        proxy = new ProcessBuilder(java(), "-jar", JAR.toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("proxy.log").toFile()).start();
        awaitTrue(() -> adminStatus("/ready") == 200, "the proxy is ready");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: matrix.example.org\r\n\r\n";
    }

    private boolean refused() {
        try (RawClient ignored = new RawClient(address())) {
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }

    private int adminStatus(String path) {
        try {
            return admin(path).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private String adminBody(String path) throws IOException, InterruptedException {
        return admin(path).body();
    }

    private HttpResponse<String> admin(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("proxy.log"));
    }

    private boolean logContains(String text) {
        try {
            return log().contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private void awaitTrue(BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertFalse(System.nanoTime() > deadline, "timed out waiting for: " + what + "\n" + log());
            assertTrue(proxy.isAlive() || what.contains("exit"), "the proxy died waiting for " + what + "\n" + log());
            Thread.sleep(20);
        }
    }
}
