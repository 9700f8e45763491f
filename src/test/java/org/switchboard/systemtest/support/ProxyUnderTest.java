package org.switchboard.systemtest.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.switchboard.config.ConfigLoader;
import org.switchboard.proxy.server.Reloader;
import org.switchboard.proxy.server.Switchboard;
import org.switchboard.proxy.server.Transport;

/**
 * The real proxy, started from a real config file in a temp dir, with its listener and admin
 * listener on ephemeral loopback ports.
 */
public final class ProxyUnderTest implements AutoCloseable {
    private final Switchboard switchboard;
    private AutoCloseable reloading;

    private ProxyUnderTest(Switchboard switchboard) {
        this.switchboard = switchboard;
    }

    /** Starts from {@code file} (which may be a symlink, as in a ConfigMap) with reloading on. */
    public static ProxyUnderTest startReloadable(Path file) throws Exception {
        ProxyUnderTest proxy = new ProxyUnderTest(Switchboard.start(ConfigLoader.load(file), Transport.best()));
        proxy.reloading = Reloader.enable(proxy.switchboard, file, Duration.ofSeconds(1), false);
        return proxy;
    }

    /** GET on the admin listener; the body. */
    public String adminGet(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(adminUri(path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** POST /reload on the admin listener; the status. */
    public int postReload() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(adminUri("/reload"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** A loopback port nothing listens on (a dead endpoint). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Starts the graceful drain, as SIGTERM does in the real process; the future completes when it is done. */
    public CompletableFuture<Void> drain() {
        return switchboard.drain("test");
    }

    /**
     * Waits (10 s at most) until {@code /ready} says yes: with {@code synapse.version: auto} (the
     * default) the proxy is ready once main has told its release, or failed to.
     */
    public void awaitReady() {
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> adminGet("/ready").contains("\"ready\""));
    }

    /** The config generation in force. */
    public long generation() {
        return switchboard.snapshot().generation();
    }

    /**
     * Starts with {@code upstreamsAndRoutes} (YAML for upstreams, routes, timeouts...) below a
     * listener named {@code client} and an admin listener, both on port 0.
     */
    public static ProxyUnderTest start(Path dir, String upstreamsAndRoutes) throws Exception {
        return start(dir, "", upstreamsAndRoutes);
    }

    /** As {@link #start(Path, String)}, the {@code client} listener with {@code listenerOptions} ({@code "http2: true"}). */
    public static ProxyUnderTest start(Path dir, String listenerOptions, String upstreamsAndRoutes) throws Exception {
        String yaml = """
                listeners:
                  - name: client
                    address: "127.0.0.1:0"
                    %s
                admin:
                  address: "127.0.0.1:0"
                runtime:
                  eventLoopThreads: 2
                """.formatted(listenerOptions) + (upstreamsAndRoutes.contains("accessLog:") ? "" : "accessLog: {enabled: false}\n")
                + upstreamsAndRoutes;
        Path file = Files.writeString(dir.resolve("switchboard.yaml"), yaml);
        return new ProxyUnderTest(Switchboard.start(ConfigLoader.load(file), Transport.best()));
    }

    /** As {@link #start(Path, String)}, with every request routed to one upstream endpoint. */
    public static ProxyUnderTest startInFrontOf(Path dir, String endpoint) throws Exception {
        return start(dir, """
                upstreams:
                  main:
                    endpoints: ["%s"]
                routes:
                  - path: { prefix: "/" }
                    upstream: main
                """.formatted(endpoint));
    }

    /** Starts from a whole config file's text (listeners and admin included). */
    public static ProxyUnderTest startWithConfig(Path dir, String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("switchboard.yaml"), yaml);
        return new ProxyUnderTest(Switchboard.start(ConfigLoader.load(file), Transport.best()));
    }

    public InetSocketAddress address(String listener) {
        return switchboard.listenerAddress(listener);
    }

    public InetSocketAddress address() {
        return switchboard.listenerAddress("client");
    }

    public int port() {
        return address().getPort();
    }

    public URI uri(String rawTarget) {
        return URI.create("http://127.0.0.1:" + port() + rawTarget);
    }

    public URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + switchboard.adminAddress().getPort() + path);
    }

    @Override
    public void close() {
        try {
            if (reloading != null) {
                reloading.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("stopping the reload watcher", e);
        } finally {
            switchboard.close();
        }
    }
}
