package org.switchboard.systemtest.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Synapse 1.67 split into workers on loopback (../shared/synapse-rig: PostgreSQL, Redis,
 * main, a generic worker, two synchrotrons, a media worker, a stream writer, an event persister)
 * with the Switchboard jar in front of it, started from the rig's preset-only config. The rig's
 * setup.sh must have run (the synapse-rig Maven profile's CI script does). Each Synapse process
 * logs every request with its User-Agent, so a test can tell which process served a request.
 */
public final class SynapseRig implements AutoCloseable {
    /** The Synapse processes that take HTTP requests, as named by the rig (their log files). */
    public static final List<String> PROCESSES =
            List.of("main", "generic1", "synchrotron1", "synchrotron2", "media1", "writer1", "persister1");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    private final Path rig;
    private final Path run;
    private final Map<String, String> environment;
    private final int proxyPort;
    private final int adminPort;
    private Process proxy;

    private SynapseRig(Path rig, Path run, Map<String, String> environment, int proxyPort, int adminPort) {
        this.rig = rig;
        this.run = run;
        this.environment = environment;
        this.proxyPort = proxyPort;
        this.adminPort = adminPort;
    }

    /**
     * Starts the Synapse processes with start.sh, then the jar with the rig's preset-only config
     * plus {@code extraConfig} (top-level YAML), and waits until the proxy is ready.
     *
     * @param portBase the rig's SYNRIG_PORT_BASE; its ports are this plus fixed offsets
     */
    public static SynapseRig start(Path jar, int portBase, String extraConfig) throws Exception {
        Path repository = Path.of("..", "..").toAbsolutePath().normalize();
        Path rig = Path.of(System.getProperty("synapse.rig", repository.resolve("../shared/synapse-rig").toString()))
                .toAbsolutePath().normalize();
        if (!Files.isExecutable(rig.resolve("start.sh"))) {
            throw new IllegalStateException("no Synapse rig at " + rig + " (set -Dsynapse.rig)");
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar + ": build it with mvn package first");
        }
        // PostgreSQL runs as its own user, so the run directory and its parent must be open to it.
        Path run = Files.createTempDirectory("switchboard-synapse-rig-");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("SYNRIG_RUN", run.toString());
        environment.put("SYNRIG_FRESH", "1");
        environment.put("SYNRIG_PORT_BASE", Integer.toString(portBase));
        int proxyPort = portBase + 448;
        int adminPort = portBase + 901;
        environment.put("PROXY_PORT", Integer.toString(proxyPort));
        environment.put("PROXY_ADMIN_PORT", Integer.toString(adminPort));
        SynapseRig started = new SynapseRig(rig, run, environment, proxyPort, adminPort);
        try {
            started.script("start.sh", START_TIMEOUT);
            started.startProxy(jar, extraConfig);
        } catch (Exception | Error e) {
            started.close(false);
            throw e;
        }
        return started;
    }

    private void startProxy(Path jar, String extraConfig) throws Exception {
        Path presetOnly = run.resolve("etc/switchboard-preset-only.yaml");
        Path config = run.resolve("etc/switchboard-under-test.yaml");
        Files.writeString(config, Files.readString(presetOnly) + "\n# Added by the system test\n" + extraConfig
                + "accessLog: {path: \"" + run.resolve("logs/switchboard-access.log") + "\"}\n"
                + "drain: {delay: 0s, timeout: 5s}\n");
        String java = ProcessHandle.current().info().command().orElse("java");
        proxy = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toAbsolutePath().toString(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(run.resolve("logs/switchboard.log").toFile())
                .start();
        HttpClient client = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (true) {
            if (!proxy.isAlive()) {
                throw new IllegalStateException("Switchboard exited (" + proxy.exitValue() + "):\n" + proxyLog());
            }
            try {
                if (client.send(HttpRequest.newBuilder(adminUri("/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Switchboard not ready after 90 s:\n" + proxyLog());
            }
            Thread.sleep(200);
        }
    }

    /** Runs one of the rig's scripts with the rig's environment; its output goes to the run directory's logs. */
    private void script(String name, Duration timeout) throws IOException, InterruptedException {
        Path output = run.resolve("rig-" + name + ".out");
        ProcessBuilder builder = new ProcessBuilder(rig.resolve(name).toString())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroy();
            throw new IllegalStateException(name + " did not finish in " + timeout + ":\n" + Files.readString(output));
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(name + " failed (" + process.exitValue() + "):\n" + Files.readString(output));
        }
    }

    public URI uri(String rawTarget) {
        return URI.create("http://127.0.0.1:" + proxyPort + rawTarget);
    }

    public URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + adminPort + path);
    }

    public Path jarLog() {
        return run.resolve("logs/switchboard.log");
    }

    public Path runDirectory() {
        return run;
    }

    /** The config the proxy runs with. */
    public Path config() {
        return run.resolve("etc/switchboard-under-test.yaml");
    }

    public String proxyLog() throws IOException {
        Path log = jarLog();
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The processes whose request log has a line with {@code "<userAgent>"}. */
    public List<String> processesThatLogged(String userAgent) throws IOException {
        String quoted = "\"" + userAgent + "\"";
        List<String> found = new ArrayList<>();
        for (String process : PROCESSES) {
            Path log = run.resolve("logs/" + process + ".log");
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(quoted)) {
                found.add(process);
            }
        }
        return found;
    }

    /** Stops everything; the logs are kept in {@code logsTarget} first. */
    public void close(Path logsTarget) {
        stopProxy();
        copyLogs(logsTarget);
        close(true);
    }

    @Override
    public void close() {
        close(true);
    }

    /** Copies every process's log (Synapse's, the proxy's, its access log) to {@code target}, for a look after a failure. */
    public void copyLogs(Path target) {
        try (var logs = Files.list(run.resolve("logs"))) {
            Files.createDirectories(target);
            for (Path log : logs.toList()) {
                Files.copy(log, target.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("copying the Synapse rig's logs to " + target + ": " + e.getMessage());
        }
    }

    /** Stops the proxy and what start.sh started; the run directory is removed only when {@code wipe}. */
    public void close(boolean wipe) {
        stopProxy();
        try {
            if (wipe) {
                environment.put("SYNRIG_WIPE", "1");
            }
            script("stop.sh", Duration.ofMinutes(2));
        } catch (IOException | RuntimeException e) {
            System.err.println("stopping the Synapse rig in " + run + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM (a drain without delay), then SIGKILL if it is still there after 15 s. */
    private void stopProxy() {
        if (proxy != null && proxy.isAlive()) {
            proxy.destroy();
            try {
                if (!proxy.waitFor(15, TimeUnit.SECONDS)) {
                    proxy.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
