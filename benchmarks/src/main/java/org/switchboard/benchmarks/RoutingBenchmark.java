package org.switchboard.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.switchboard.config.ConfigException;
import org.switchboard.config.ConfigLoader;
import org.switchboard.config.HostPort;
import org.switchboard.routing.Endpoint;
import org.switchboard.routing.HashKeys;
import org.switchboard.routing.LeastRequestLoadBalancer;
import org.switchboard.routing.RequestView;
import org.switchboard.routing.RingHashLoadBalancer;
import org.switchboard.routing.Route;
import org.switchboard.routing.RoutingSnapshot;

/**
 * The routing decision per request: route match over the full built-in Synapse table plus the
 * endpoint pick, over a mix of Matrix requests shaped like real client traffic (sync dominates).
 * Goal: under 300 ns per decision. Run: java -jar benchmarks/target/benchmarks.jar Routing
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class RoutingBenchmark {
    private RoutingSnapshot snapshot;
    private Request[] mix;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws ConfigException {
        snapshot = RoutingSnapshot.compile(ConfigLoader.parse("""
                listeners: [{name: client, address: "0.0.0.0:8080"}]
                upstreams:
                  main: {endpoints: ["10.0.0.1:8008"]}
                  synchrotron: {endpoints: ["10.0.1.1:8083", "10.0.1.2:8083", "10.0.1.3:8083", "10.0.1.4:8083"]}
                  generic: {endpoints: ["10.0.2.1:8081", "10.0.2.2:8081", "10.0.2.3:8081", "10.0.2.4:8081"]}
                  media: {endpoints: ["10.0.3.1:8085", "10.0.3.2:8085"]}
                  federation_reader: {endpoints: ["10.0.4.1:8084"]}
                  typing: {endpoints: ["10.0.5.1:8086"]}
                  to_device: {endpoints: ["10.0.5.2:8086"]}
                  receipts: {endpoints: ["10.0.5.3:8086"]}
                """, "bench.yaml"));
        String token = "Bearer syt_YWxpY2U_abcdefghijklmnopqrst_0a1b2c";
        mix = new Request[] {
                new Request("GET", "/_matrix/client/v3/sync", "since=s72594_4483_1934&timeout=30000", token),
                new Request("GET", "/_matrix/client/v3/sync", "since=s72594_4483_1935&timeout=30000", token),
                new Request("GET", "/_matrix/client/v3/sync", "since=s72594_4483_1936&timeout=30000", token),
                new Request("POST", "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync", "pos=12", token),
                new Request("PUT", "/_matrix/client/v3/rooms/%21abc%3Aexample.org/send/m.room.message/m1700000000", null, token),
                new Request("GET", "/_matrix/client/v3/rooms/%21abc%3Aexample.org/messages", "dir=b&limit=20", token),
                new Request("PUT", "/_matrix/client/v3/rooms/%21abc%3Aexample.org/typing/%40alice%3Aexample.org", null, token),
                new Request("POST", "/_matrix/client/v3/rooms/%21abc%3Aexample.org/receipt/m.read/%24ev", null, token),
                new Request("GET", "/_matrix/client/v1/media/thumbnail/example.org/abc", "width=96&height=96", token),
                new Request("GET", "/_matrix/media/v3/download/example.org/abcdef", null, null),
                new Request("PUT", "/_matrix/federation/v1/send/1700000000123", null, null),
                new Request("GET", "/_matrix/client/v3/profile/%40bob%3Aexample.org", null, token),
                new Request("PUT", "/_matrix/client/v3/sendToDevice/m.room.encrypted/txn1", null, token),
                new Request("GET", "/_synapse/admin/v1/users/%40bob%3Aexample.org", null, token),
                new Request("GET", "/_matrix/client/versions", null, null),
                new Request("GET", "/_matrix/client/v3/pushrules/", null, token),
        };
    }

    @Benchmark
    public Endpoint routingDecision() {
        Request request = mix[next++ & (mix.length - 1)];
        Route route = snapshot.route(request);
        return route.pick(request);
    }

    /** The same mix on the whole stack's layout: the table on its host, beside Element's, Synapse Admin's and a wildcard. */
    @State(Scope.Thread)
    public static class Hosts {
        RoutingSnapshot snapshot;

        @Setup(Level.Trial)
        public void setUp() throws ConfigException {
            snapshot = RoutingSnapshot.compile(ConfigLoader.parse("""
                    listeners: [{name: client, address: "0.0.0.0:8080"}]
                    upstreams:
                      main: {endpoints: ["10.0.0.1:8008"]}
                      synchrotron: {endpoints: ["10.0.1.1:8083", "10.0.1.2:8083", "10.0.1.3:8083", "10.0.1.4:8083"]}
                      generic: {endpoints: ["10.0.2.1:8081", "10.0.2.2:8081", "10.0.2.3:8081", "10.0.2.4:8081"]}
                      media: {endpoints: ["10.0.3.1:8085", "10.0.3.2:8085"]}
                      federation_reader: {endpoints: ["10.0.4.1:8084"]}
                      typing: {endpoints: ["10.0.5.1:8086"]}
                      to_device: {endpoints: ["10.0.5.2:8086"]}
                      receipts: {endpoints: ["10.0.5.3:8086"]}
                      element-web: {endpoints: ["10.0.6.1:8080"]}
                      synapse-admin: {endpoints: ["10.0.6.2:8080"]}
                    routes:
                      - {host: element.example.org, path: {prefix: /}, upstream: element-web}
                      - {host: admin.example.org, path: {prefix: /}, upstream: synapse-admin}
                      - {host: "*.tenants.example.org", path: {prefix: /}, upstream: element-web}
                      - {preset: synapse, host: matrix.example.org}
                    """, "bench.yaml"));
        }
    }

    @Benchmark
    public Endpoint routingDecisionByHost(Hosts hosts) {
        Request request = mix[next++ & (mix.length - 1)];
        Route route = hosts.snapshot.route(request);
        return route.pick(request);
    }

    /** The pick alone, on rings of 8 and 64 endpoints. */
    @State(Scope.Thread)
    public static class Rings {
        @Param({"8", "64"})
        int endpoints;
        RingHashLoadBalancer ring;
        LeastRequestLoadBalancer leastRequest;
        Request request = new Request("GET", "/_matrix/client/v3/sync", "since=s1", "Bearer syt_YWxpY2U_abcdefghijklmnopqrst_0a1b2c");

        @Setup(Level.Trial)
        public void setUp() {
            List<Endpoint> list = new ArrayList<>();
            for (int i = 0; i < endpoints; i++) {
                list.add(Endpoint.of("synchrotron", "synapse-sync-" + i + ":8083",
                        HostPort.of("10.0.1." + i, 8083)));
            }
            ring = RingHashLoadBalancer.of(list);
            leastRequest = LeastRequestLoadBalancer.of(list);
        }
    }

    @Benchmark
    public Endpoint ringHashPick(Rings rings) {
        return rings.ring.pick(rings.request, HashKeys.USER);
    }

    @Benchmark
    public Endpoint leastRequestPick(Rings rings) {
        return rings.leastRequest.pick(rings.request, HashKeys.USER);
    }

    @Benchmark
    public long userKeyFromSytToken(Rings rings) {
        return HashKeys.USER.hash(rings.request);
    }

    record Request(String method, String path, String query, String authorization) implements RequestView {
        @Override
        public String host() {
            return "matrix.example.org";
        }

        @Override
        public String header(String name) {
            return "Authorization".equalsIgnoreCase(name) ? authorization : null;
        }

        @Override
        public String clientAddress() {
            return "203.0.113.7";
        }
    }

}
