package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.RawH2Client;
import org.switchboard.systemtest.support.TinyUpstream;

/** A dead or sick worker costs users nothing: failover, active checks, long polls answered at once. */
@ExtendWith(LeakCheck.class)
class HealthSystemTest {
    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration TIMEOUT = Duration.ofMillis(100);
    private static final int HEALTHY_THRESHOLD = 2;
    private static final int UNHEALTHY_THRESHOLD = 2;

    @TempDir
    Path dir;
    private final List<Worker> workers = new ArrayList<>();
    private ProxyUnderTest proxy;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        for (Worker worker : workers) {
            worker.upstream.close();
        }
    }

    @Test
    void killingOneOfFourGenericWorkersUnderLoadFailsNoRequest() throws Exception {
        startProxyWith(4);
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger succeeded = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<?>> loops = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            loops.add(clients.submit(() -> {
                // Keep-alive clients, as Element's are: pooled connections to the dead worker must not hurt.
                RawClient client = null;
                while (running.get()) {
                    try {
                        if (client == null) {
                            client = new RawClient(proxy.address());
                        }
                        RawClient.Response response = client.send("GET /_matrix/client/v3/profile/%40u%3Ax HTTP/1.1\r\nHost: a\r\n\r\n")
                                .readResponse();
                        if (response == null || response.status() != 200) {
                            failures.add(response == null ? "closed" : response.status() + " " + response.body());
                            client.close();
                            client = null;
                        } else {
                            succeeded.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failures.add(e.toString());
                        client = null;
                    }
                }
                if (client != null) {
                    client.close();
                }
                return null;
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> succeeded.get() > 200);
        workers.get(1).upstream.close(); // killed: listening socket and every connection gone
        int atKill = succeeded.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> succeeded.get() > atKill + 400);
        running.set(false);
        for (Future<?> loop : loops) {
            loop.get(10, TimeUnit.SECONDS);
        }
        clients.shutdownNow();
        assertEquals(List.of(), List.copyOf(failures));
    }

    @Test
    void aWorkerFailingItsHealthCheckStopsGettingRequestsAndComesBack() throws Exception {
        startProxyWith(2);
        Worker sick = workers.get(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> servedBy(20).contains(sick.name));
        sick.healthy.set(false);
        Duration unhealthyWithin = INTERVAL.multipliedBy(UNHEALTHY_THRESHOLD).plus(TIMEOUT).plus(INTERVAL);
        await().atMost(unhealthyWithin.plusSeconds(3)).until(() -> !servedBy(20).contains(sick.name));
        String endpoints = proxy.adminGet("/endpoints");
        assertTrue(endpoints.contains("\"endpoint\":\"" + sick.upstream.endpoint() + "\",\"address\":\"" + sick.upstream.endpoint()
                + "\",\"available\":false"), endpoints);
        assertTrue(endpoints.contains("\"health\":\"unhealthy\"") && endpoints.contains("status 503"), endpoints);
        sick.healthy.set(true);
        Duration healthyWithin = INTERVAL.multipliedBy(HEALTHY_THRESHOLD).plus(INTERVAL);
        await().atMost(healthyWithin.plusSeconds(3)).until(() -> servedBy(20).contains(sick.name));
    }

    @Test
    void aLongPollHeldOnAWorkerThatDiesIsAnsweredAtOnce() throws Exception {
        TinyUpstream.Hold hold = new TinyUpstream.Hold();
        TinyUpstream synchrotron = new TinyUpstream(withHealth(new AtomicBoolean(true), hold), true);
        workers.add(new Worker("sync", synchrotron, new AtomicBoolean(true)));
        proxy = ProxyUnderTest.start(dir, config("""
                upstreams:
                  main:
                    endpoints: ["%s"]
                """.formatted(synchrotron.endpoint())));
        try (RawClient client = new RawClient(proxy.address())) {
            client.send("GET /_matrix/client/v3/sync?since=s1&timeout=30000 HTTP/1.1\r\nHost: a\r\n\r\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> hold.held() > 0);
            synchrotron.close();
            // readResponse blocks; the socket's own timeout (10 s) bounds a failure to answer.
            RawClient.Response response = client.readResponse();
            assertEquals(502, response.status());
        }
    }

    /**
     * A synchrotron that dies with more long polls held than the retry budget allows (20% of the
     * requests in flight, at least 3): every one moves to the other synchrotron. Leaving an
     * endpoint that is gone is no retry storm; only a request moving again takes from the budget.
     */
    @Test
    void everyLongPollHeldOnADeadWorkerMovesNotOnlyTheRetryBudgetsShare() throws Exception {
        int polls = 8;
        AtomicInteger holder = new AtomicInteger(-1);
        TinyUpstream.Hold hold = new TinyUpstream.Hold();
        // The survivor answers once all have come: an answer would free a retry slot for another.
        CountDownLatch allMoved = new CountDownLatch(polls);
        List<TinyUpstream> synchrotrons = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int self = i;
            // The first to get a /sync holds every one (one user: ring hash sends all to one); the
            // other answers at once. No federation resource (404): only the polls are held.
            TinyUpstream.Behavior answering = TinyUpstream.answering("sync" + i);
            TinyUpstream.Behavior answer = (request, out, in) -> {
                allMoved.countDown();
                try {
                    allMoved.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return answering.respond(request, out, in);
            };
            TinyUpstream synchrotron = new TinyUpstream(withHealth(new AtomicBoolean(true), (request, out, in) ->
                    request.target().startsWith("/_matrix/federation/") ? notFound(out)
                            : holder.compareAndSet(-1, self) || holder.get() == self ? hold.respond(request, out, in)
                            : answer.respond(request, out, in)), true);
            synchrotrons.add(synchrotron);
            workers.add(new Worker("sync" + i, synchrotron, new AtomicBoolean(true)));
        }
        TinyUpstream main = new TinyUpstream(withHealth(new AtomicBoolean(true), TinyUpstream.answering("main")), true);
        workers.add(new Worker("main", main, new AtomicBoolean(true)));
        proxy = ProxyUnderTest.start(dir, config("""
                upstreams:
                  main:
                    endpoints: ["%s"]
                  synchrotron:
                    endpoints: ["%s", "%s"]
                """.formatted(main.endpoint(), synchrotrons.get(0).endpoint(), synchrotrons.get(1).endpoint())));
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < polls; i++) {
                clients.add(new RawClient(proxy.address()).send("GET /_matrix/client/v3/sync?since=s1&timeout=30000 HTTP/1.1\r\n"
                        + "Host: a\r\nAuthorization: Bearer syt_dXNlcg_token_1\r\n\r\n"));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> hold.held() == polls);
            int survivor = 1 - holder.get();
            synchrotrons.get(holder.get()).close();
            for (RawClient client : clients) {
                // readResponse blocks; the socket's own timeout (10 s) bounds a failure to answer.
                RawClient.Response response = client.readResponse();
                assertEquals(200, response.status(), response.body());
                assertEquals("sync" + survivor, response.body());
            }
        } finally {
            for (RawClient client : clients) {
                client.close();
            }
        }
    }

    /**
     * A worker that stops answering (frozen, not dead: its connections stay open) holds a long
     * poll for timeouts.upstreamResponse (3 minutes). Once its checks fail, the poll, a GET not yet
     * answered, goes to another endpoint (here the synchrotron role's fallback, main); a PUT with
     * a transaction id held there stays.
     */
    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"HTTP/1.1", "h2c"})
    void aLongPollHeldOnAWorkerThatFailsItsChecksGoesElsewhere(String protocol) throws Exception {
        TinyUpstream.Hold hold = new TinyUpstream.Hold();
        AtomicBoolean answering = new AtomicBoolean(true);
        // No federation resource (404, asked once): only the requests below are held.
        TinyUpstream synchrotron = new TinyUpstream(withHealth(answering, (request, out, in) ->
                request.target().startsWith("/_matrix/federation/") ? notFound(out) : hold.respond(request, out, in)), true);
        TinyUpstream main = new TinyUpstream(withHealth(new AtomicBoolean(true), TinyUpstream.answering("main")), true);
        workers.add(new Worker("sync", synchrotron, answering));
        workers.add(new Worker("main", main, new AtomicBoolean(true)));
        proxy = ProxyUnderTest.start(dir, "http2: true", config("""
                upstreams:
                  main:
                    endpoints: ["%s"]
                  synchrotron:
                    endpoints: ["%s"]
                  generic:
                    endpoints: ["%s"]
                """.formatted(main.endpoint(), synchrotron.endpoint(), synchrotron.endpoint())));
        String put = "PUT /_matrix/client/v3/rooms/%21r%3Ax/send/m.room.message/txn1 HTTP/1.1\r\nHost: a\r\n"
                + "Content-Length: 2\r\n\r\n{}";
        String sync = "/_matrix/client/v3/sync?since=s1&timeout=30000";
        try (RawClient client = new RawClient(proxy.address()); RawH2Client h2 = new RawH2Client(proxy.address());
                RawClient sender = new RawClient(proxy.address())) {
            if (protocol.equals("h2c")) {
                h2.send(RawH2Client.headers(1, RawH2Client.get(sync), true));
            } else {
                client.send("GET " + sync + " HTTP/1.1\r\nHost: a\r\n\r\n");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> hold.held() == 1);
            sender.send(put);
            await().atMost(Duration.ofSeconds(5)).until(() -> hold.held() == 2);
            answering.set(false);
            // The reads block; the sockets' own timeouts (10 s) bound a failure to move.
            if (protocol.equals("h2c")) {
                assertEquals("200", h2.decode(h2.readUntil(RawH2Client.HEADERS)).status().toString());
                assertEquals("main", h2.readBody());
            } else {
                RawClient.Response response = client.readResponse();
                assertEquals(200, response.status());
                assertEquals("main", response.body());
            }
            // The transaction stays with the frozen worker, which may still finish it: never sent twice.
            Thread.sleep(500);
            assertTrue(main.received().stream().noneMatch(r -> r.method().equals("PUT")), "the PUT was sent again");
        }
    }

    /**
     * Synapse answers 502 when a remote server it asked failed (remote media, a remote profile),
     * and 500 when one request's handling threw (a filter id past a bigint): any client can ask
     * for such things. That must not eject the worker; its 503s (it refuses to serve) do.
     */
    @Test
    void aWorkerRelayingARemoteServersFailureOrOneRequestsExceptionIsNotEjectedButItsRefusalsAre() throws Exception {
        List<String> endpoints = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            TinyUpstream upstream = new TinyUpstream((request, out, in) -> {
                String status = request.target().startsWith("/remote") ? "502 Bad Gateway"
                        : request.target().startsWith("/exception") ? "500 Internal Server Error"
                        : request.target().startsWith("/refusing") ? "503 Service Unavailable" : "200 OK";
                byte[] body = "{\"errcode\":\"M_UNKNOWN\",\"error\":\"Failed to fetch remote media\"}"
                        .getBytes(StandardCharsets.US_ASCII);
                out.write(HttpWire.ascii("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\n\r\n"));
                out.write(body);
                out.flush();
                return true;
            });
            workers.add(new Worker("w" + i, upstream, new AtomicBoolean(true)));
            endpoints.add("\"" + upstream.endpoint() + "\"");
        }
        proxy = ProxyUnderTest.start(dir, """
                upstreams:
                  main:
                    loadBalancer: round_robin
                    healthCheck: { interval: 10m }
                    outlierDetection: { consecutiveFailures: 2 }
                    endpoints: [%s]
                routes:
                  - path: { prefix: "/" }
                    upstream: main
                """.formatted(String.join(", ", endpoints)));
        try (RawClient client = new RawClient(proxy.address())) {
            for (int i = 0; i < 6; i++) {
                assertEquals(502, client.send("GET /remote/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
            }
            for (int i = 0; i < 6; i++) {
                assertEquals(500, client.send("GET /exception/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status());
            }
            for (int i = 0; i < 6; i++) {
                client.send("GET /refusing/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            }
        }
        // Outcomes are counted in order: had the 502s or the 500s counted, they would have
        // ejected an endpoint first (three each, two eject), and its last failure would say so.
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.adminGet("/endpoints").contains("\"available\":false"));
        String endpointsAfter = proxy.adminGet("/endpoints");
        assertTrue(endpointsAfter.contains("\"lastFailure\":\"status 503\"") && !endpointsAfter.contains("status 502")
                && !endpointsAfter.contains("status 500"), endpointsAfter);
    }

    private void startProxyWith(int count) throws Exception {
        List<String> endpoints = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            AtomicBoolean healthy = new AtomicBoolean(true);
            String name = "generic-" + i;
            TinyUpstream upstream = new TinyUpstream(withHealth(healthy, TinyUpstream.answering(name)), true);
            workers.add(new Worker(name, upstream, healthy));
            endpoints.add("\"" + upstream.endpoint() + "\"");
        }
        proxy = ProxyUnderTest.start(dir, config("""
                upstreams:
                  main:
                    endpoints: [%s]
                """.formatted(String.join(", ", endpoints))));
    }

    private static String config(String upstreams) {
        return upstreams + """
                healthCheck:
                  path: /health
                  interval: %dms
                  timeout: %dms
                  healthyThreshold: %d
                  unhealthyThreshold: %d
                """.formatted(INTERVAL.toMillis(), TIMEOUT.toMillis(), HEALTHY_THRESHOLD, UNHEALTHY_THRESHOLD);
    }

    private static boolean notFound(OutputStream out) throws IOException {
        out.write(HttpWire.ascii("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
        out.flush();
        return true;
    }

    /** Answers /health with 200 or 503 as {@code healthy} says, everything else as {@code then}. */
    private static TinyUpstream.Behavior withHealth(AtomicBoolean healthy, TinyUpstream.Behavior then) {
        return (request, out, in) -> {
            if (!request.target().equals("/health")) {
                return then.respond(request, out, in);
            }
            byte[] body = (healthy.get() ? "OK" : "sick").getBytes(StandardCharsets.US_ASCII);
            out.write(HttpWire.ascii((healthy.get() ? "HTTP/1.1 200 OK" : "HTTP/1.1 503 Service Unavailable")
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n"));
            out.write(body);
            out.flush();
            return true;
        };
    }

    private List<String> servedBy(int requests) throws IOException {
        List<String> served = new ArrayList<>();
        try (RawClient client = new RawClient(proxy.address())) {
            for (int i = 0; i < requests; i++) {
                served.add(client.send("GET /_matrix/client/v3/profile/x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().body());
            }
        }
        return served;
    }

    private record Worker(String name, TinyUpstream upstream, AtomicBoolean healthy) {
    }


    /** D14: an active check against a port nothing listens on says so, as the passive path does. */
    @Test
    void aCheckAgainstAClosedPortSaysConnectionRefused() throws Exception {
        proxy = ProxyUnderTest.start(dir, """
                upstreams:
                  main:
                    endpoints: ["127.0.0.1:%d"]
                    healthCheck: { interval: 200ms, timeout: 100ms, unhealthyThreshold: 1 }
                """.formatted(ProxyUnderTest.freePort()));

        await().atMost(Duration.ofSeconds(5)).until(() -> !proxy.adminGet("/status").contains("\"lastFailure\":null"));
        String status = proxy.adminGet("/status");
        assertTrue(status.contains("\"lastFailure\":\"connect: connection refused\""), status);
    }

    /**
     * An answer without Content-Length whose body ends when the upstream closes (what Jetty, and
     * so WireMock, sends for the probe's Connection: close) is an answer: healthy, not
     * "connection closed without an answer".
     */
    @Test
    void aHealthAnswerEndedByTheCloseCountsAsHealthy() throws Exception {
        TinyUpstream closing = new TinyUpstream((request, out, in) -> {
            out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nOK"));
            out.flush();
            return false;
        }, true);
        workers.add(new Worker("closing", closing, new AtomicBoolean(true)));
        proxy = ProxyUnderTest.start(dir, config("""
                upstreams:
                  main:
                    endpoints: ["%s"]
                """.formatted(closing.endpoint())));

        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.adminGet("/endpoints").contains("\"health\":\"healthy\""));
        assertTrue(proxy.adminGet("/status").contains("\"lastFailure\":null"), proxy.adminGet("/status"));
    }
}
