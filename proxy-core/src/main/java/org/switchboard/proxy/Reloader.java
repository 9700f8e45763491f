package org.switchboard.proxy;

import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.switchboard.config.ConfigException;
import org.switchboard.config.ConfigLoader;
import org.switchboard.config.ConfigWatcher;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.proxy.admin.AdminApi;

/**
 * Hot reload of the config file, whatever the trigger (a file change, SIGHUP, POST /reload):
 * load and validate on a thread of its own, then {@link Switchboard#apply}. An invalid config is
 * refused whole, with every error logged and kept for the admin listener; the old one serves on.
 */
public final class Reloader implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Reloader.class.getName());

    private final Path configFile;
    private final Switchboard switchboard;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "switchboard-reload");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Counter okCounter;
    private final Counter refusedCounter;
    private volatile String lastError;
    private volatile Instant lastErrorAt;

    public Reloader(Path configFile, Switchboard switchboard) {
        this.configFile = configFile;
        this.switchboard = switchboard;
        this.okCounter = Counter.builder("switchboard_config_reloads").description("Config reloads by result")
                .tag("result", "ok").register(switchboard.metrics().registry());
        this.refusedCounter = Counter.builder("switchboard_config_reloads").description("Config reloads by result")
                .tag("result", "refused").register(switchboard.metrics().registry());
    }

    /**
     * Turns reloading on for a running proxy: a change of the file (watched through its
     * directory, as a ConfigMap's {@code ..data} symlink swap needs, with polling as a backstop),
     * SIGHUP if asked for, and POST /reload. Closing the result stops the watching.
     */
    public static AutoCloseable enable(Switchboard switchboard, Path configFile, Duration pollInterval, boolean sighup)
            throws IOException {
        Reloader reloader = new Reloader(configFile, switchboard);
        switchboard.setReloader(reloader);
        ConfigWatcher watcher = new ConfigWatcher(configFile, pollInterval,
                content -> reloader.reload("file change", content));
        watcher.start();
        if (sighup) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reloader.reload("SIGHUP"));
            } catch (IllegalArgumentException unsupported) {
                // No SIGHUP on this platform: the file watcher and POST /reload remain.
            }
        }
        return () -> {
            watcher.close();
            reloader.close();
        };
    }

    /** Reloads from the file; {@code trigger} names what asked, for the log. */
    public CompletableFuture<AdminApi.Answer> reload(String trigger) {
        return CompletableFuture.supplyAsync(() -> reloadNow(trigger, null), executor);
    }

    /** Reloads from content a watcher already read (so a second swap in between is not mixed in). */
    public CompletableFuture<AdminApi.Answer> reload(String trigger, String content) {
        return CompletableFuture.supplyAsync(() -> reloadNow(trigger, content), executor);
    }

    private AdminApi.Answer reloadNow(String trigger, String content) {
        try {
            SwitchboardSpec spec = content == null ? ConfigLoader.load(configFile)
                    : ConfigLoader.parse(content, configFile.toString());
            ProxySnapshot next = switchboard.apply(spec);
            succeeded.incrementAndGet();
            okCounter.increment();
            LOG.log(System.Logger.Level.INFO, "reload (" + trigger + ") of " + configFile + ": generation " + next.generation());
            return new AdminApi.Answer(200, "{\"result\":\"ok\",\"generation\":" + next.generation() + "}");
        } catch (ConfigException e) {
            return refused(trigger, e.errors());
        } catch (IllegalArgumentException e) {
            return refused(trigger, List.of(e.getMessage()));
        }
    }

    private AdminApi.Answer refused(String trigger, List<String> errors) {
        failed.incrementAndGet();
        refusedCounter.increment();
        lastError = String.join("; ", errors);
        lastErrorAt = Instant.now();
        LOG.log(System.Logger.Level.WARNING, "reload (" + trigger + ") of " + configFile
                + " refused; the config in force stays:\n  " + String.join("\n  ", errors));
        StringBuilder json = new StringBuilder("{\"result\":\"refused\",\"errors\":[");
        for (int i = 0; i < errors.size(); i++) {
            json.append(i == 0 ? "" : ",").append(Json.quote(errors.get(i)));
        }
        return new AdminApi.Answer(400, json.append("]}").toString());
    }

    String lastError() {
        return lastError;
    }

    public long succeeded() {
        return succeeded.get();
    }

    public long failed() {
        return failed.get();
    }

    /** {@code "reloads":{...},"lastError":...} for the admin listener's /config. */
    String statusJsonFields() {
        return "\"reloads\":{\"ok\":" + succeeded.get() + ",\"refused\":" + failed.get() + "},\"lastError\":"
                + (lastError == null ? "null" : Json.quote(lastError))
                + ",\"lastErrorAt\":" + (lastErrorAt == null ? "null" : Json.quote(lastErrorAt.toString()));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
