package org.switchboard.proxy.server;

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
import java.util.function.Consumer;
import org.switchboard.config.ConfigException;
import org.switchboard.config.ConfigLoader;
import org.switchboard.config.FileChecks;
import org.switchboard.config.ConfigWatcher;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.proxy.admin.AdminApi;
import org.switchboard.proxy.http.ProxySnapshot;
import org.switchboard.proxy.logging.Json;

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
    /** The last reload's outcome, whichever it was: a good reload replaces a refusal's errors. */
    private volatile Outcome last;

    /**
     * One reload's outcome.
     *
     * @param errors empty when it was applied
     * @param generation the generation in force after it
     */
    public record Outcome(Instant at, String trigger, long generation, List<String> errors) {
        public boolean applied() {
            return errors.isEmpty();
        }

        String json() {
            StringBuilder json = new StringBuilder("{\"at\":").append(Json.quote(at.toString()))
                    .append(",\"trigger\":").append(Json.quote(trigger))
                    .append(",\"result\":").append(applied() ? "\"ok\"" : "\"refused\"")
                    .append(",\"generation\":").append(generation).append(",\"errors\":[");
            for (int i = 0; i < errors.size(); i++) {
                json.append(i == 0 ? "" : ",").append(Json.quote(errors.get(i)));
            }
            return json.append("]}").toString();
        }
    }

    /**
     * Told about each config just before the proxy applies it, and about the one in force again if
     * applying it fails: the command line installs the log format, so that what applying logs
     * (the new generation's summary) is written in the new format.
     */
    private final Consumer<SwitchboardSpec> beforeApply;

    public Reloader(Path configFile, Switchboard switchboard) {
        this(configFile, switchboard, spec -> { });
    }

    Reloader(Path configFile, Switchboard switchboard, Consumer<SwitchboardSpec> beforeApply) {
        this.configFile = configFile;
        this.switchboard = switchboard;
        this.beforeApply = beforeApply;
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
        return enable(switchboard, configFile, pollInterval, sighup, spec -> { });
    }

    public static AutoCloseable enable(Switchboard switchboard, Path configFile, Duration pollInterval, boolean sighup,
                                Consumer<SwitchboardSpec> beforeApply) throws IOException {
        Reloader reloader = new Reloader(configFile, switchboard, beforeApply);
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
            // The files a start opens are checked as at start, in the same list as the document's errors.
            SwitchboardSpec spec = content == null ? ConfigLoader.load(configFile, FileChecks.FILES)
                    : ConfigLoader.parse(content, configFile.toString(), FileChecks.FILES);
            SwitchboardSpec inForce = switchboard.snapshot().spec();
            beforeApply.accept(spec);
            ProxySnapshot next;
            try {
                next = switchboard.apply(spec);
            } catch (RuntimeException e) {
                beforeApply.accept(inForce);
                throw e;
            }
            succeeded.incrementAndGet();
            okCounter.increment();
            last = new Outcome(Instant.now(), trigger, next.generation(), List.of());
            LOG.log(System.Logger.Level.INFO, "reload (" + trigger + ") of " + configFile + " applied: generation "
                    + next.generation() + " in force");
            Switchboard.logWarnings(spec, next.routing());
            return new AdminApi.Answer(200, "{\"result\":\"ok\",\"generation\":" + next.generation() + "}");
        } catch (ConfigException e) {
            return refused(trigger, e.errors());
        } catch (IllegalArgumentException e) {
            return refused(trigger, List.of(e.getMessage()));
        } catch (RuntimeException e) {
            // A defect, not the config's fault: still said where every trigger reports (the file
            // watcher and SIGHUP ignore the answer), never lost in the future.
            LOG.log(System.Logger.Level.ERROR, "reload (" + trigger + ") failed on an internal error", e);
            return refused(trigger, List.of("internal error: " + e));
        }
    }

    private AdminApi.Answer refused(String trigger, List<String> errors) {
        failed.incrementAndGet();
        refusedCounter.increment();
        last = new Outcome(Instant.now(), trigger, switchboard.snapshot().generation(), List.copyOf(errors));
        LOG.log(System.Logger.Level.WARNING, "reload (" + trigger + ") of " + configFile + " refused, generation "
                + switchboard.snapshot().generation() + " stays in force: " + String.join("; ", errors));
        StringBuilder json = new StringBuilder("{\"result\":\"refused\",\"errors\":[");
        for (int i = 0; i < errors.size(); i++) {
            json.append(i == 0 ? "" : ",").append(Json.quote(errors.get(i)));
        }
        return new AdminApi.Answer(400, json.append("]}").toString());
    }

    /** The last reload's outcome, or null before the first. */
    Outcome last() {
        return last;
    }

    public long succeeded() {
        return succeeded.get();
    }

    public long failed() {
        return failed.get();
    }

    /** {@code "reloads":{...},"lastReload":{...}} for /status and /config. */
    String statusJsonFields() {
        Outcome outcome = last;
        return "\"reloads\":{\"ok\":" + succeeded.get() + ",\"refused\":" + failed.get() + "},\"lastReload\":"
                + (outcome == null ? "null" : outcome.json());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
