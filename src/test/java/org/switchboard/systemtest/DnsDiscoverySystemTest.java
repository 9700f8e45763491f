package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.switchboard.systemtest.support.MatrixTokens.syt;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.FakeDnsServer;
import org.switchboard.systemtest.support.JsonCheck;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;

/**
 * Upstreams discovered by DNS, against a DNS server on loopback: records added and removed change
 * membership without a reload, a pod that moves to a new address keeps its users, and a failed
 * lookup keeps the last known endpoints.
 */
@ExtendWith(LeakCheck.class)
class DnsDiscoverySystemTest {
    private static final String SERVICE = "_http._tcp.synapse-sync.matrix.svc.cluster.local";
    private static final String GENERIC = "synapse-generic.matrix.svc.cluster.local";
    private static final int USERS = 60;

    @TempDir
    Path dir;
    private FakeDnsServer dns;
    private final List<TinyUpstream> upstreams = new ArrayList<>();
    private ProxyUnderTest proxy;

    @BeforeEach
    void startDns() throws InterruptedException {
        dns = new FakeDnsServer();
    }

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        for (TinyUpstream upstream : upstreams) {
            upstream.close();
        }
        dns.close();
    }

    @Test
    void srvRecordsDriveMembershipAndAMovedPodKeepsItsUsers() throws Exception {
        TinyUpstream main = upstream("main", InetAddress.getLoopbackAddress(), 0);
        List<TinyUpstream> syncs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            TinyUpstream sync = upstream("sync-" + i, InetAddress.getLoopbackAddress(), 0);
            syncs.add(sync);
            dns.setA(pod(i), "127.0.0.1");
        }
        dns.setSrv(SERVICE, List.of(pod(1) + ":" + syncs.get(0).port(), pod(2) + ":" + syncs.get(1).port(),
                pod(3) + ":" + syncs.get(2).port()));
        proxy = ProxyUnderTest.start(dir, """
                discovery:
                  nameservers: ["%s"]
                  queryTimeout: 1s
                upstreams:
                  main:
                    endpoints: ["%s"]
                  synchrotron:
                    dns: {name: "%s", type: SRV, refresh: 1s}
                routes:
                  - preset: synapse
                """.formatted(dns.address(), main.endpoint(), SERVICE));

        await().atMost(Duration.ofSeconds(10)).until(() -> servedBy().values().stream().distinct().count() == 3);
        Map<String, String> before = servedBy();
        assertEquals(before, servedBy(), "each user stays on one synchrotron");

        // A pod leaves: only its users move, to the others.
        dns.setSrv(SERVICE, List.of(pod(1) + ":" + syncs.get(0).port(), pod(2) + ":" + syncs.get(1).port()));
        await().atMost(Duration.ofSeconds(10)).until(() -> !servedBy().containsValue("sync-3"));
        Map<String, String> withoutThird = servedBy();
        before.forEach((user, sync) -> {
            if (!sync.equals("sync-3")) {
                assertEquals(sync, withoutThird.get(user), user + " stayed");
            }
        });
        // It comes back: its users return to it.
        dns.setSrv(SERVICE, List.of(pod(1) + ":" + syncs.get(0).port(), pod(2) + ":" + syncs.get(1).port(),
                pod(3) + ":" + syncs.get(2).port()));
        await().atMost(Duration.ofSeconds(10)).until(() -> servedBy().equals(before));

        // Pod 1 restarts with a new IP (same name, same port): its users follow it there.
        TinyUpstream moved = upstream("sync-1-moved", InetAddress.getByName("127.0.0.2"), syncs.get(0).port());
        dns.setA(pod(1), "127.0.0.2");
        await().atMost(Duration.ofSeconds(10)).until(() -> servedBy().containsValue("sync-1-moved"));
        Map<String, String> after = servedBy();
        before.forEach((user, sync) -> assertEquals(sync.equals("sync-1") ? "sync-1-moved" : sync, after.get(user), user));
        assertTrue(moved.connectionsAccepted() > 0);

        String metrics = proxy.adminGet("/metrics");
        assertTrue(metrics.contains("switchboard_discovery_lookups_total{result=\"changed\",upstream=\"synchrotron\"}"),
                metrics);
        String endpoints = proxy.adminGet("/endpoints");
        assertTrue(endpoints.contains(pod(1)) && endpoints.contains("127.0.0.2:" + syncs.get(0).port()), endpoints);
    }

    @Test
    void aRecordsWithAPortAndAFailedLookupKeepsTheLastKnownEndpoints() throws Exception {
        TinyUpstream main = upstream("main", InetAddress.getLoopbackAddress(), 0);
        TinyUpstream generic = upstream("generic", InetAddress.getLoopbackAddress(), 0);
        dns.setA(GENERIC, "127.0.0.1");
        dns.silent(true);
        proxy = ProxyUnderTest.start(dir, """
                discovery:
                  nameservers: ["%s"]
                  queryTimeout: 500ms
                upstreams:
                  main:
                    endpoints: ["%s"]
                  generic:
                    dns: {name: "%s", type: A, port: %d, refresh: 1s}
                routes:
                  - preset: synapse
                """.formatted(dns.address(), main.endpoint(), GENERIC, generic.port()));
        assertTrue(proxy.adminGet("/ready").contains("starting"), "not ready before the first DNS answer");
        dns.silent(false);
        await().atMost(Duration.ofSeconds(20)).until(() -> proxy.adminGet("/ready").contains("\"ready\""));
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/_matrix/client/v3/profile/@a:x", null).equals("generic"));

        double failedBefore = failedLookups();
        dns.failing(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> failedLookups() > failedBefore);
        for (int i = 0; i < 20; i++) {
            assertEquals("generic", get("/_matrix/client/v3/profile/@a:x", null), "the last known endpoint serves on");
        }
        String status = proxy.adminGet("/status");
        JsonCheck.parse(status);
        assertTrue(status.contains("\"discovery\":[{\"upstream\":\"generic\",\"name\":\"" + GENERIC
                + "\",\"type\":\"A\",\"endpoints\":1,\"lastLookup\":\"failed\""), status);
    }

    @Test
    void aReloadKeepsTheDiscoveredEndpointsWhileTheNewLookupIsPending() throws Exception {
        TinyUpstream main = upstream("main", InetAddress.getLoopbackAddress(), 0);
        TinyUpstream generic = upstream("generic", InetAddress.getLoopbackAddress(), 0);
        dns.setA(GENERIC, "127.0.0.1");
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, wholeConfig(main, generic, "2s"));
        proxy = ProxyUnderTest.startReloadable(file);
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/_matrix/client/v3/profile/@a:x", null).equals("generic"));

        // The upstream's dns: changes, so it is looked up anew; that lookup gets no answer.
        dns.silent(true);
        Files.writeString(file, wholeConfig(main, generic, "3s"));
        assertEquals(200, proxy.postReload());
        for (int i = 0; i < 20; i++) {
            assertEquals("generic", get("/_matrix/client/v3/profile/@a:x", null), "the endpoints found before the reload serve on");
        }
    }

    private String wholeConfig(TinyUpstream main, TinyUpstream generic, String refresh) {
        return """
                listeners: [{name: client, address: "127.0.0.1:0"}]
                admin: {address: "127.0.0.1:0"}
                runtime: {eventLoopThreads: 2}
                accessLog: {enabled: false}
                discovery: {nameservers: ["%s"], queryTimeout: 500ms}
                upstreams:
                  main: {endpoints: ["%s"]}
                  generic:
                    dns: {name: "%s", type: A, port: %d, refresh: %s}
                """.formatted(dns.address(), main.endpoint(), GENERIC, generic.port(), refresh);
    }

    private double failedLookups() throws Exception {
        String name = "switchboard_discovery_lookups_total{result=\"failed\",upstream=\"generic\"} ";
        return proxy.adminGet("/metrics").lines().filter(line -> line.startsWith(name))
                .mapToDouble(line -> Double.parseDouble(line.substring(name.length()))).sum();
    }

    private static String pod(int i) {
        return "synapse-sync-" + i + ".synapse-sync.matrix.svc.cluster.local";
    }

    /** Which synchrotron serves each of the test's users. */
    private Map<String, String> servedBy() throws IOException {
        Map<String, String> served = new LinkedHashMap<>();
        for (int i = 0; i < USERS; i++) {
            served.put("user" + i, get("/_matrix/client/v3/sync?since=s1", "Bearer " + syt("user" + i, "RANDOMxxxxxxxxxxxxxx")));
        }
        return served;
    }

    private String get(String target, String authorization) throws IOException {
        try (RawClient client = new RawClient(proxy.address())) {
            String auth = authorization == null ? "" : "Authorization: " + authorization + "\r\n";
            RawClient.Response response = client.send("GET " + target + " HTTP/1.1\r\nHost: matrix.example.org\r\n" + auth + "\r\n")
                    .readResponse();
            return response.status() == 200 ? response.body() : response.status() + " " + response.body();
        }
    }

    private TinyUpstream upstream(String name, InetAddress address, int port) throws IOException {
        TinyUpstream upstream = new TinyUpstream(TinyUpstream.answering(name), false, address, port);
        upstreams.add(upstream);
        return upstream;
    }
}
