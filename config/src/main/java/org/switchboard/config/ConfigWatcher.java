package org.switchboard.config;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchEvent;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Calls {@code onChange} with the config file's new content whenever its bytes change.
 *
 * <p>Watches the file's parent directory, not the file: a Kubernetes ConfigMap volume is updated by
 * atomically swapping a {@code ..data} symlink, so the file path (a symlink through {@code ..data})
 * never sees an event of its own. Only events about the file's own name, {@code ..data}, or the
 * first step of the file's symlink target count (a log file written beside the config must not wake
 * it on every flush); those, a lost-events overflow, and a poll every {@code pollInterval} (watch
 * events get lost) re-read the file through its path and compare a SHA-256 of the bytes with the
 * last one seen. A missing or unreadable file (mid-swap) is not a change.
 *
 * <p>Callbacks run one at a time on a single daemon thread, {@value #THREAD_NAME}; a callback that
 * throws is logged and the content still counts as seen (the reload refused it; it is not retried).
 */
public final class ConfigWatcher implements AutoCloseable {

    static final String THREAD_NAME = "switchboard-config-watcher";

    private static final System.Logger LOG = System.getLogger(ConfigWatcher.class.getName());
    /**
     * Events come in bursts (a swap is several creates, a rename and deletes; a writer that
     * writes in place may pause between pieces): wait for this much quiet. A pause of 200 ms
     * between two writes got a half-written file, valid YAML missing its later routes, applied
     * as a config of its own with a 100 ms wait. A longer pause still can: write atomically.
     */
    private static final long DEBOUNCE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A directory that never goes quiet still gets checked this often. */
    private static final long MAX_DEBOUNCE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long CLOSE_JOIN_MILLIS = 5_000;
    /** The name a ConfigMap volume swaps atomically to publish new content. */
    static final String CONFIG_MAP_DATA = "..data";

    private final Path configFile;
    private final Path directory;
    private final long pollNanos;
    private final Consumer<String> onChange;
    /** Names in {@link #directory} whose events may mean the config changed; set at start(). */
    private volatile Set<Path> relevantNames = Set.of();
    /** How often the file was read to look for a change: tests count wake-ups with it. */
    private final AtomicLong checks = new AtomicLong();

    /** Serialises checks and callbacks. */
    private final Object lock = new Object();
    /** Guards start() against close() without waiting for a callback. */
    private final Object startLock = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile WatchService watchService;
    /** Used by the watcher thread only, once started. */
    private WatchKey watchKey;
    /** Guarded by {@link #startLock}. */
    private Thread thread;
    /** Guarded by {@link #lock}; null until a first successful read. */
    private byte[] lastHash;

    public ConfigWatcher(Path configFile, Duration pollInterval, Consumer<String> onChange) {
        this.configFile = configFile.toAbsolutePath();
        this.directory = Objects.requireNonNull(this.configFile.getParent(), "config file has no parent directory");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval: " + pollInterval + " (expected > 0)");
        }
        this.pollNanos = pollInterval.toNanos();
        this.onChange = Objects.requireNonNull(onChange, "onChange");
    }

    /**
     * Takes the hash of the content in force (no callback for it) and starts watching.
     *
     * @throws IOException if the directory cannot be watched
     */
    public void start() throws IOException {
        synchronized (startLock) {
            if (closed.get() || thread != null) {
                throw new IllegalStateException("ConfigWatcher can be started once, and not after close()");
            }
            byte[] bytes = read();
            synchronized (lock) {
                lastHash = bytes == null ? null : sha256(bytes);
            }
            relevantNames = relevantNames(configFile);
            watchService = directory.getFileSystem().newWatchService();
            watchKey = directory.register(watchService, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE, OVERFLOW);
            thread = new Thread(this::run, THREAD_NAME);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Stops the thread; no callback starts after this returns. Idempotent. */
    @Override
    public void close() {
        // Not under lock: a callback in progress holds it; the bounded join below waits for it instead.
        if (closed.getAndSet(true)) {
            return;
        }
        Thread t;
        synchronized (startLock) {
            t = thread;
        }
        try {
            if (watchService != null) {
                watchService.close();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the watch service of " + directory, e);
        }
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
            try {
                t.join(CLOSE_JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.log(System.Logger.Level.WARNING, THREAD_NAME + " still busy in a callback after close()");
            }
        }
    }

    private void run() {
        try {
            while (!closed.get()) {
                WatchKey key = watchService.poll(pollNanos, TimeUnit.NANOSECONDS);
                boolean relevant;
                if (key != null) {
                    relevant = drain(key);
                    if (relevant) {
                        awaitQuiet();
                    }
                } else {
                    reregisterIfLost();
                    relevant = true; // the polling backstop
                }
                if (relevant) {
                    checkNow();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // close(): nothing to do.
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, THREAD_NAME + " stopped; config changes are no longer seen", t);
        }
    }

    /**
     * Waits until no event that may be about the config file came for {@link #DEBOUNCE_NANOS}, or
     * {@link #MAX_DEBOUNCE_NANOS} after the first: other files' events (a log written beside it)
     * neither extend the wait nor end it early.
     */
    private void awaitQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + MAX_DEBOUNCE_NANOS;
        long quietAt = System.nanoTime() + DEBOUNCE_NANOS;
        long wait;
        while ((wait = Math.min(quietAt, deadline) - System.nanoTime()) > 0) {
            WatchKey key = watchService.poll(wait, TimeUnit.NANOSECONDS);
            if (key != null && drain(key)) {
                quietAt = System.nanoTime() + DEBOUNCE_NANOS;
            }
        }
    }

    /** Whether any event may be about the config file; OVERFLOW (events lost) may be. */
    private boolean drain(WatchKey key) {
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            relevant |= event.kind() == OVERFLOW || relevantNames.contains(event.context());
        }
        key.reset();
        return relevant;
    }

    /**
     * The file's own name, {@code ..data}, and, when the file is a symlink with a relative target,
     * that target's first name ({@code ..data} in a ConfigMap, or the real file beside it).
     */
    static Set<Path> relevantNames(Path configFile) {
        Set<Path> names = new HashSet<>();
        names.add(configFile.getFileName());
        names.add(Path.of(CONFIG_MAP_DATA));
        try {
            if (Files.isSymbolicLink(configFile)) {
                Path target = Files.readSymbolicLink(configFile);
                if (!target.isAbsolute() && target.getNameCount() > 0) {
                    names.add(target.getName(0));
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read the link " + configFile + ": " + e);
        }
        return Set.copyOf(names);
    }

    /** Times the file was read to look for a change, including the polling backstop's. */
    long checks() {
        return checks.get();
    }

    /** If the directory went away and came back, watch it again; until then polling is all there is. */
    private void reregisterIfLost() {
        if (watchKey.isValid()) {
            return;
        }
        try {
            watchKey = directory.register(watchService, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE, OVERFLOW);
            LOG.log(System.Logger.Level.INFO, "watching " + directory + " again");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot watch " + directory + " yet: " + e);
        }
    }

    /** Reads the file and calls back if its content changed. Package-private so tests can poll directly. */
    void checkNow() {
        synchronized (lock) {
            if (closed.get()) {
                return;
            }
            checks.incrementAndGet();
            // The link may have been pointed elsewhere: follow its new target's events from now on.
            relevantNames = relevantNames(configFile);
            byte[] bytes = read();
            if (bytes == null) {
                return;
            }
            byte[] hash = sha256(bytes);
            if (Arrays.equals(hash, lastHash)) {
                return;
            }
            lastHash = hash;
            String content;
            try {
                content = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                LOG.log(System.Logger.Level.WARNING, configFile + ": changed but not UTF-8 (expected a UTF-8 text"
                        + " file); keeping the config in force");
                return;
            }
            if (closed.get()) {
                return;
            }
            try {
                onChange.accept(content);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "config change callback for " + configFile + " failed", t);
            }
        }
    }

    /** The file's bytes through its path (following symlinks), or null if missing or unreadable. */
    private byte[] read() {
        try {
            return Files.readAllBytes(configFile);
        } catch (IOException e) {
            // Mid-swap or briefly unreadable: not a change, look again at the next event or poll.
            LOG.log(System.Logger.Level.DEBUG, "cannot read " + configFile + " yet: " + e);
            return null;
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
