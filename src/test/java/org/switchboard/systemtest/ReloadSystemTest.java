package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.JsonCheck;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;

/** Hot reload: without dropping a request, from a ConfigMap-style symlink swap or POST /reload. */
@ExtendWith(LeakCheck.class)
class ReloadSystemTest {
    private static final HttpClient ADMIN = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    private final List<TinyUpstream> upstreams = new ArrayList<>();
    private ProxyUnderTest proxy;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        for (TinyUpstream upstream : upstreams) {
            upstream.close();
        }
    }

    @Test
    void fiftyReloadsUnderLoadFailNoRequest() throws Exception {
        TinyUpstream a = upstream("a");
        TinyUpstream b = upstream("b");
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, config(a));
        proxy = ProxyUnderTest.startReloadable(file);
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger succeeded = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        List<Future<?>> loops = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            loops.add(clients.submit(() -> {
                try (RawClient client = new RawClient(proxy.address())) {
                    while (running.get()) {
                        RawClient.Response response = client.send("GET /_matrix/client/v3/profile/x HTTP/1.1\r\nHost: a\r\n\r\n")
                                .readResponse();
                        if (response.status() == 200) {
                            succeeded.incrementAndGet();
                        } else {
                            failures.add(response.status() + " " + response.body());
                        }
                    }
                }
                return null;
            }));
        }
        for (int i = 0; i < 50; i++) {
            Files.writeString(file, config(i % 2 == 0 ? b : a));
            assertEquals(200, postReload().statusCode());
        }
        running.set(false);
        for (Future<?> loop : loops) {
            loop.get(10, TimeUnit.SECONDS);
        }
        clients.shutdownNow();
        assertEquals(List.of(), List.copyOf(failures));
        // Traffic flowed through the reloads; how much is the machine's business, not this test's.
        assertTrue(succeeded.get() >= 3, "requests kept flowing: " + succeeded.get());
        assertTrue(proxy.generation() >= 51, "generation " + proxy.generation());
    }

    @Test
    void aConfigMapSymlinkSwapTakesEffect() throws Exception {
        TinyUpstream a = upstream("a");
        TinyUpstream b = upstream("b");
        // The kubelet's layout: file -> ..data/file, ..data -> ..<timestamp>/
        Path first = Files.createDirectory(dir.resolve("..2026_11_22_a"));
        Files.writeString(first.resolve("switchboard.yaml"), config(a));
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Path file = Files.createSymbolicLink(dir.resolve("switchboard.yaml"), Path.of("..data", "switchboard.yaml"));
        proxy = ProxyUnderTest.startReloadable(file);
        assertEquals("a", get());

        Path second = Files.createDirectory(dir.resolve("..2026_11_22_b"));
        Files.writeString(second.resolve("switchboard.yaml"), config(b));
        Path swap = Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
        Files.move(swap, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        await().atMost(Duration.ofSeconds(2)).until(() -> get().equals("b"));
    }

    @Test
    void anInvalidUpdateIsRefusedAndTheOldConfigServesOn() throws Exception {
        TinyUpstream a = upstream("a");
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, config(a));
        proxy = ProxyUnderTest.startReloadable(file);
        long generation = proxy.generation();

        HttpResponse<String> refused = refuse(file, config(a).replace("endpoints:", "endpoints: [\"10.0.0.1:99999\"]\n    endpointz:"), 1);
        assertTrue(refused.body().contains("upstreams.main.endpoints[0]: \\\"10.0.0.1:99999\\\""), refused.body());
        // Too long for the timers, which count in nanoseconds: a located refusal, not a broken proxy.
        refused = refuse(file, config(a) + "timeouts: {upstreamResponse: 9999999999s}\n", 2);
        assertTrue(refused.body().contains("timeouts.upstreamResponse: \\\"9999999999s\\\" (expected a duration of at most 8760h)"),
                refused.body());
        refuse(file, "listeners: [oops\n", 3);

        assertEquals(generation, proxy.generation());
        assertEquals("a", get());
        String status = proxy.adminGet("/config");
        assertTrue(status.startsWith("{\"generation\":" + generation + ",\"reloads\":{\"ok\":0,\"refused\":6},"
                + "\"lastReload\":{\"at\":\""), status);
        assertTrue(status.contains("\"trigger\":\"POST /reload\",\"result\":\"refused\",\"generation\":" + generation
                + ",\"errors\":[\"" + file + ": line 2, column 1: "), status);
    }

    /**
     * Swaps {@code content} in, waits for the watcher's own refusal of it (the {@code nth} content
     * refused), then asks POST /reload as well, so the POST is the last trigger; its answer.
     */
    private HttpResponse<String> refuse(Path file, String content, int nth) throws Exception {
        swapIn(file, content);
        await().atMost(Duration.ofSeconds(5)).until(() -> reloads().get("refused").equals(2 * nth - 1));
        HttpResponse<String> refused = postReload();
        assertEquals(400, refused.statusCode(), refused.body());
        return refused;
    }

    /**
     * The status page and /config show the last reload, with its time: a good one replaces a
     * refusal. Each file is swapped in whole (as a ConfigMap is) and the watcher's own reload of it
     * awaited first, so that POST /reload is the last trigger each time.
     */
    @Test
    void aGoodReloadAfterARefusedOneNoLongerShowsTheRefusal() throws Exception {
        TinyUpstream a = upstream("a");
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, config(a));
        proxy = ProxyUnderTest.startReloadable(file);
        swapIn(file, "listeners: [oops\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> reloads().equals(Map.of("ok", 0, "refused", 1)));
        assertEquals(400, postReload().statusCode());
        String refusedPage = proxy.adminGet("/");
        assertTrue(refusedPage.matches("(?s).*last reload refused at 20\\d\\d-[-0-9T:.]+Z \\(POST /reload\\): .*"), refusedPage);

        swapIn(file, config(a));
        await().atMost(Duration.ofSeconds(5)).until(() -> reloads().equals(Map.of("ok", 1, "refused", 2)));
        assertEquals(200, postReload().statusCode());

        String page = proxy.adminGet("/");
        assertTrue(!page.contains("refused"), page);
        assertTrue(page.matches("(?s).*Config generation <b>3</b> &middot; last reload applied at 20\\d\\d-[-0-9T:.]+Z"
                + " \\(POST /reload\\).*"), page);
        Map<?, ?> config = yaml(proxy.adminGet("/config"));
        assertEquals(Map.of("ok", 2, "refused", 2), config.get("reloads"));
        Map<?, ?> last = (Map<?, ?>) config.get("lastReload");
        assertEquals("ok", last.get("result"));
        assertEquals(List.of(), last.get("errors"));
        assertTrue(((Map<?, ?>) yaml(proxy.adminGet("/status")).get("lastReload")).get("result").equals("ok"));
    }

    /** GET /config is the effective config in force: defaults filled in, in the config's own spelling. */
    @Test
    void configShowsTheEffectiveConfigInForceWithItsGeneration() throws Exception {
        TinyUpstream a = upstream("a");
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, config(a) + "timeouts: {upstreamResponse: 45s}\nclientHalfClose: wait\n");
        proxy = ProxyUnderTest.startReloadable(file);

        String body = proxy.adminGet("/config");
        JsonCheck.parse(body);
        Map<?, ?> answer = yaml(body);
        assertEquals(1, answer.get("generation"));
        Map<?, ?> config = (Map<?, ?>) answer.get("config");
        Map<?, ?> timeouts = (Map<?, ?>) config.get("timeouts");
        assertEquals("45s", timeouts.get("upstreamResponse"));
        assertEquals("5s", timeouts.get("connect"), "a default, filled in");
        assertEquals("wait", config.get("clientHalfClose"));
        Map<?, ?> main = (Map<?, ?>) ((Map<?, ?>) config.get("upstreams")).get("main");
        assertEquals(List.of(Map.of("id", a.endpoint(), "address", a.endpoint(), "weight", 1)), main.get("endpoints"));
        assertEquals(List.of("127.0.0.1/32", "::1/128"), ((Map<?, ?>) config.get("admin")).get("allow"));
    }

    /** An access log written beside the config (a common layout) is no config change. */
    @Test
    void aLogWrittenBesideTheConfigCountsNoReload() throws Exception {
        TinyUpstream a = upstream("a");
        Path file = dir.resolve("switchboard.yaml");
        Path accessLog = dir.resolve("access.log");
        Files.writeString(file, config(a).replace("runtime:", "accessLog: {path: \"" + accessLog + "\"}\nruntime:"));
        proxy = ProxyUnderTest.startReloadable(file);
        for (int i = 0; i < 20; i++) {
            assertEquals("a", get());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(accessLog) && Files.readAllLines(accessLog).size() == 20);

        // A real change now: the only reload counted must be this one.
        Files.writeString(file, Files.readString(file) + "clientHalfClose: wait\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.generation() == 2);
        assertEquals(Map.of("ok", 1, "refused", 0), yaml(proxy.adminGet("/config")).get("reloads"));
    }

    private Map<?, ?> reloads() throws Exception {
        return (Map<?, ?>) yaml(proxy.adminGet("/config")).get("reloads");
    }

    /** Writes beside the file and renames over it: the watcher never reads a half-written file. */
    private static void swapIn(Path file, String content) throws IOException {
        Path next = Files.writeString(file.resolveSibling(".next-config"), content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Map<?, ?> yaml(String json) {
        return (Map<?, ?>) new org.yaml.snakeyaml.Yaml().load(json);
    }

    @Test
    void aLongPollStartedBeforeAReloadThatRemovesItsEndpointStillCompletes() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        TinyUpstream held = new TinyUpstream((request, out, in) -> {
            try {
                answer.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return TinyUpstream.answering("held").respond(request, out, in);
        });
        upstreams.add(held);
        TinyUpstream b = upstream("b");
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, config(held));
        proxy = ProxyUnderTest.startReloadable(file);
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("GET /_matrix/client/v3/sync?since=s1&timeout=30000 HTTP/1.1\r\nHost: a\r\n\r\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> !held.received().isEmpty());
            Files.writeString(file, config(b));
            assertEquals(200, postReload().statusCode());
            assertEquals("b", get());
            answer.countDown();
            RawClient.Response response = client.readResponse();
            assertEquals(200, response.status());
            assertEquals("held", response.body());
        }
    }

    @Test
    void aListenerChangeIsRefusedWithARestartMessage() throws Exception {
        TinyUpstream a = upstream("a");
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, config(a));
        proxy = ProxyUnderTest.startReloadable(file);
        Files.writeString(file, config(a).replace("name: client", "name: clients"));
        HttpResponse<String> refused = postReload();
        assertEquals(400, refused.statusCode());
        assertTrue(refused.body().contains("listeners[0].name changed: that takes a restart, not a reload"), refused.body());
    }

    private TinyUpstream upstream(String name) throws IOException {
        TinyUpstream upstream = new TinyUpstream(TinyUpstream.answering(name));
        upstreams.add(upstream);
        return upstream;
    }

    @Test
    void requestsAreCountedUnderTheUpstreamThatServedThemAfterAReload() throws Exception {
        TinyUpstream a = upstream("a");
        TinyUpstream b = upstream("b");
        Path file = dir.resolve("switchboard.yaml");
        String routed = config(a) + """
                  other:
                    endpoints: ["%s"]
                routes:
                  - path: { prefix: "/_matrix/" }
                    upstream: %s
                  - path: { prefix: "/other/" }
                    upstream: other
                """;
        Files.writeString(file, routed.formatted(b.endpoint(), "main"));
        proxy = ProxyUnderTest.startReloadable(file);
        assertEquals("a", get());
        Files.writeString(file, routed.formatted(b.endpoint(), "other"));
        assertEquals(200, postReload().statusCode());
        assertEquals("b", get());
        String metrics = proxy.adminGet("/metrics");
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("switchboard_requests_total{") && l.contains("upstream=\"other\"")
                && l.endsWith(" 1.0")), "the second request is counted under the upstream that served it:\n" + metrics);
    }

    @Test
    void theSeriesOfAnUpstreamAReloadRemovedGoWithIt() throws Exception {
        TinyUpstream a = upstream("a");
        TinyUpstream b = upstream("b");
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, config(a) + """
                  other:
                    endpoints: ["%s"]
                    healthCheck: { interval: 300ms, timeout: 200ms }
                routes:
                  - path: { prefix: "/_matrix/" }
                    upstream: other
                """.formatted(b.endpoint()));
        proxy = ProxyUnderTest.startReloadable(file);
        assertEquals("b", get());
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.adminGet("/metrics").contains("switchboard_health_checks_total{result=\"healthy\",upstream=\"other\"}"));
        assertTrue(proxy.adminGet("/metrics").contains("route=\"routes[0]\",status_class=\"2xx\",upstream=\"other\""));
        Files.writeString(file, config(a) + """
                routes:
                  - path: { prefix: "/x/" }
                    upstream: main
                  - path: { prefix: "/_matrix/" }
                    upstream: main
                """);
        assertEquals(200, postReload().statusCode());
        assertEquals("a", get());
        String metrics = proxy.adminGet("/metrics");
        assertTrue(metrics.lines().noneMatch(line -> line.contains("upstream=\"other\"")), "no series of the removed upstream:\n" + metrics);
        assertTrue(metrics.lines().anyMatch(line -> line.startsWith("switchboard_requests_total{")
                && line.contains("route=\"routes[1]\"") && line.contains("upstream=\"main\"") && line.endsWith(" 1.0")), metrics);
    }

    private String config(TinyUpstream main) {
        return """
                listeners:
                  - name: client
                    address: "127.0.0.1:0"
                admin:
                  address: "127.0.0.1:0"
                runtime:
                  eventLoopThreads: 2
                upstreams:
                  main:
                    endpoints: ["%s"]
                """.formatted(main.endpoint());
    }

    private String get() throws IOException {
        try (RawClient client = new RawClient(proxy.address())) {
            return client.send("GET /_matrix/client/v3/profile/x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().body();
        }
    }

    private HttpResponse<String> postReload() throws Exception {
        return ADMIN.send(HttpRequest.newBuilder(proxy.adminUri("/reload")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
