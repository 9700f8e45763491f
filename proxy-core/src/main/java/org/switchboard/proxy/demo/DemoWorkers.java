package org.switchboard.proxy.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.switchboard.config.HostPort;
import org.switchboard.proxy.logging.Json;

/**
 * Fake Synapse processes on loopback for {@code --demo}: each answers every request with JSON
 * naming itself, so a newcomer sees where the proxy sent what. Not part of the proxy's path.
 */
public final class DemoWorkers implements AutoCloseable {
    private final Map<String, List<HostPort>> endpointsByUpstream = new LinkedHashMap<>();
    private final List<HttpServer> servers = new ArrayList<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(4, runnable -> {
        Thread thread = new Thread(runnable, "demo-worker");
        thread.setDaemon(true);
        return thread;
    });

    /** Starts {@code count} workers for each upstream name, on ephemeral loopback ports. */
    public static DemoWorkers start(Map<String, Integer> countsByUpstream) throws IOException {
        DemoWorkers workers = new DemoWorkers();
        try {
            for (Map.Entry<String, Integer> entry : countsByUpstream.entrySet()) {
                for (int i = 1; i <= entry.getValue(); i++) {
                    workers.startWorker(entry.getKey(), entry.getKey() + "-" + i);
                }
            }
        } catch (IOException e) {
            workers.close();
            throw e;
        }
        return workers;
    }

    private void startWorker(String upstream, String workerName) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.createContext("/", exchange -> answer(exchange, workerName));
        server.setExecutor(executor);
        server.start();
        servers.add(server);
        endpointsByUpstream.computeIfAbsent(upstream, name -> new ArrayList<>())
                .add(HostPort.of("127.0.0.1", server.getAddress().getPort()));
    }

    private static void answer(HttpExchange exchange, String workerName) throws IOException {
        long bodyBytes;
        try (InputStream body = exchange.getRequestBody()) {
            bodyBytes = body.transferTo(OutputStream.nullOutputStream());
        }
        String forwardedFor = exchange.getRequestHeaders().getFirst("X-Forwarded-For");
        String json = "{\"worker\":\"" + workerName + "\",\"method\":\"" + exchange.getRequestMethod()
                + "\",\"target\":" + Json.quote(exchange.getRequestURI().getRawPath()) + ",\"bodyBytes\":" + bodyBytes
                + (forwardedFor == null ? "" : ",\"xForwardedFor\":" + Json.quote(forwardedFor)) + "}\n";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(200, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    public Map<String, List<HostPort>> endpointsByUpstream() {
        return endpointsByUpstream;
    }

    @Override
    public void close() {
        servers.forEach(server -> server.stop(0));
        executor.shutdownNow();
    }
}
