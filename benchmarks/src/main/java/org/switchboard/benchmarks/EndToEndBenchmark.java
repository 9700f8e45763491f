package org.switchboard.benchmarks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.switchboard.config.ConfigLoader;
import org.switchboard.proxy.server.Switchboard;
import org.switchboard.proxy.server.Transport;
import org.switchboard.proxy.demo.DemoWorkers;

/**
 * One request's round trip on a keep-alive connection, through the real proxy (built-in Synapse
 * table, health checks on) to an in-process upstream over loopback, against the same round trip
 * straight to the upstream. The difference is what the proxy adds.
 * Run: java -jar benchmarks/target/benchmarks.jar EndToEnd
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class EndToEndBenchmark {
    private DemoWorkers workers;
    private Switchboard proxy;
    private Connection throughProxy;
    private Connection direct;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        // The JDK's HttpServer (the in-process upstream) writes head and body apart: without
        // TCP_NODELAY every round trip would wait out a delayed ACK (~40 ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        workers = DemoWorkers.start(Map.of("main", 1));
        String upstream = workers.endpointsByUpstream().get("main").get(0).toString();
        proxy = Switchboard.start(ConfigLoader.parse("""
                listeners: [{name: client, address: "127.0.0.1:0"}]
                admin: {address: "127.0.0.1:0"}
                accessLog: {enabled: false}
                runtime: {eventLoopThreads: 1}
                upstreams:
                  main: {endpoints: ["%s"]}
                """.formatted(upstream), "bench.yaml"), Transport.best());
        throughProxy = new Connection(proxy.listenerAddress("client"));
        int port = workers.endpointsByUpstream().get("main").get(0).port();
        direct = new Connection(new InetSocketAddress("127.0.0.1", port));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        throughProxy.close();
        direct.close();
        proxy.close();
        workers.close();
    }

    @Benchmark
    public int throughSwitchboard() throws IOException {
        return throughProxy.get("/_matrix/client/v3/profile/%40alice%3Aexample.org");
    }

    @Benchmark
    public int directToUpstream() throws IOException {
        return direct.get("/_matrix/client/v3/profile/%40alice%3Aexample.org");
    }

    /** A minimal keep-alive HTTP/1.1 client: request out, head and Content-Length body in. */
    static final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(InetSocketAddress address) throws IOException {
            socket = new Socket(address.getAddress(), address.getPort());
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        int get(String target) throws IOException {
            out.write(("GET " + target + " HTTP/1.1\r\nHost: matrix.example.org\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int length = 0;
            StringBuilder line = new StringBuilder();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed");
                }
                if (b == '\n') {
                    String header = line.toString().trim();
                    if (header.isEmpty()) {
                        break;
                    }
                    if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                        length = Integer.parseInt(header.substring(15).trim());
                    }
                    line.setLength(0);
                } else {
                    line.append((char) b);
                }
            }
            in.skipNBytes(length);
            return length;
        }

        void close() throws IOException {
            socket.close();
        }
    }
}
