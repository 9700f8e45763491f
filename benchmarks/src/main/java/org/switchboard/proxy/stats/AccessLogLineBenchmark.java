package org.switchboard.proxy.stats;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One access-log line rendered into a chunk, as an event loop does it at the end of each request:
 * 64 connections' records (each its own client address String) taking turns, three Matrix paths,
 * the names of the built-in route table. In this package because the renderer is the stats
 * package's own (the benchmark is the one caller outside it).
 * Run: java -jar benchmarks/target/benchmarks.jar AccessLogLine -prof gc
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class AccessLogLineBenchmark {
    private static final String[] PATHS = {
        "/_matrix/client/v3/sync",
        "/_matrix/client/v3/rooms/!cURbafjkfsMDVwdRDQ:example.org/messages",
        "/_matrix/client/v3/rooms/!cURbafjkfsMDVwdRDQ:example.org/send/m.room.message/m1733300000.42",
    };
    private static final String[] ROUTES = {"synapse/sync", "synapse/client_reader", "synapse/event_send"};
    private static final String[] UPSTREAMS = {"synchrotron", "generic", "main"};
    private static final String[] ENDPOINTS = {"10.42.1.17:8083", "10.42.2.9:8081", "10.42.0.5:8008"};

    private final AccessLogLine line = new AccessLogLine();
    private final byte[] chunk = new byte[256 * 1024];
    private RequestRecord[] records;
    private int next;
    private int at;

    @Setup
    public void setUp() {
        records = new RequestRecord[64];
        for (int i = 0; i < records.length; i++) {
            RequestRecord r = new RequestRecord();
            r.start(0, "10.0." + (i / 8) + "." + (i % 8 + 1));
            int kind = i % PATHS.length;
            r.method = kind == 2 ? "PUT" : "GET";
            r.path = PATHS[kind];
            r.route = ROUTES[kind];
            r.upstream = UPSTREAMS[kind];
            r.endpoint = ENDPOINTS[kind];
            r.status = 200;
            r.bytesIn = kind == 2 ? 58 : 0;
            r.bytesOut = 1_234;
            r.upstreamNanos = 2_345_678;
            r.newRequestId();
            records[i] = r;
        }
    }

    @Benchmark
    public int renderLine() {
        RequestRecord r = records[next];
        next = (next + 1) & (records.length - 1);
        if (chunk.length - at < AccessLogLine.MAX_LINE) {
            at = 0; // as a full chunk is handed to the writer
        }
        at = line.render(r, 1_764_624_059_559L + next, 3_456_789L, chunk, at);
        return at;
    }
}
