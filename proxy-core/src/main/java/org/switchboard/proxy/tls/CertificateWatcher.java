package org.switchboard.proxy.tls;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that keeps TLS listeners current: reloads their certificates when the files
 * change, and rotates session ticket keys.
 *
 * <p>Watches the directories holding the files, not the files: a Kubernetes Secret volume is
 * updated by renaming a new {@code ..data} symlink over the old one, and {@code tls.crt} is a
 * symlink through {@code ..data}, so the file itself never sees an event
 * (kubernetes/kubernetes#111947). An event on a certificate or key file's name, or on
 * {@code ..data}, triggers a reload once the directory is quiet; a poll every
 * {@code pollInterval} is the backstop for lost events. A reload reads both files of a pair
 * through their paths, so they come from the same {@code ..data} generation.
 */
public final class CertificateWatcher implements AutoCloseable {
    static final String THREAD_NAME = "switchboard-tls";
    private static final System.Logger LOG = System.getLogger(CertificateWatcher.class.getName());
    private static final long DEBOUNCE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_DEBOUNCE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final List<ListenerTls> listeners;
    private final TicketKeys ticketKeys;
    private final long pollNanos;
    private final long rotationNanos;
    /** File names that matter, by directory. */
    private final Map<Path, Set<String>> watched = new HashMap<>();
    /** The watch of each directory; one deleted (and perhaps made again) is watched anew at the next poll. */
    private final Map<Path, WatchKey> keys = new HashMap<>();
    private final WatchService watchService;
    private final Thread thread;
    private volatile boolean closed;

    private CertificateWatcher(List<ListenerTls> listeners, List<Path> files, TicketKeys ticketKeys, Duration pollInterval,
                               Duration ticketKeyRotation) throws IOException {
        this.listeners = List.copyOf(listeners);
        this.ticketKeys = ticketKeys;
        this.pollNanos = pollInterval.toNanos();
        this.rotationNanos = ticketKeyRotation.toNanos();
        for (Path file : files) {
            Path absolute = file.toAbsolutePath();
            Path directory = absolute.getParent();
            Set<String> names = watched.computeIfAbsent(directory, d -> new HashSet<>());
            names.add(absolute.getFileName().toString());
            names.add("..data");
        }
        this.watchService = FileSystems.getDefault().newWatchService();
        for (Path directory : watched.keySet()) {
            keys.put(directory, register(directory));
        }
        this.thread = new Thread(this::run, THREAD_NAME);
        this.thread.setDaemon(true);
    }

    /** Starts watching the files of {@code listeners}; without TLS listeners there is nothing to start. */
    public static CertificateWatcher start(List<ListenerTls> listeners, List<Path> files, TicketKeys ticketKeys,
                                           Duration pollInterval, Duration ticketKeyRotation) throws IOException {
        CertificateWatcher watcher = new CertificateWatcher(listeners, files, ticketKeys, pollInterval, ticketKeyRotation);
        watcher.thread.start();
        return watcher;
    }

    /** Reloads every listener now, on the caller's thread (a config reload, a test). */
    public void reloadNow() {
        for (ListenerTls listener : listeners) {
            listener.reload();
        }
    }

    private void run() {
        long nextRotation = System.nanoTime() + rotationNanos;
        long nextPoll = System.nanoTime() + pollNanos;
        try {
            while (!closed) {
                long now = System.nanoTime();
                WatchKey key = watchService.poll(Math.max(1, Math.min(nextPoll, nextRotation) - now), TimeUnit.NANOSECONDS);
                boolean relevant = key != null && relevant(key);
                if (relevant) {
                    long deadline = System.nanoTime() + MAX_DEBOUNCE_NANOS;
                    while ((key = watchService.poll(DEBOUNCE_NANOS, TimeUnit.NANOSECONDS)) != null
                            && System.nanoTime() < deadline) {
                        relevant(key);
                    }
                    if (key != null) {
                        relevant(key);
                    }
                }
                now = System.nanoTime();
                if (relevant || now - nextPoll >= 0) {
                    watchDirectoriesMadeAgain();
                    reloadNow();
                    nextPoll = System.nanoTime() + pollNanos;
                }
                if (now - nextRotation >= 0) {
                    ticketKeys.rotate();
                    nextRotation = now + rotationNanos;
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // close()
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, THREAD_NAME + " stopped: certificate changes are no longer seen", e);
        }
    }

    private WatchKey register(Path directory) throws IOException {
        return directory.register(watchService, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE, OVERFLOW);
    }

    /** Whether every directory of a watched file has a watch (one deleted has none until it exists again). */
    boolean watchesEveryDirectory() {
        synchronized (keys) {
            return keys.values().stream().allMatch(WatchKey::isValid);
        }
    }

    /** A directory deleted lost its watch; once it exists again, it is watched again. */
    private void watchDirectoriesMadeAgain() {
        synchronized (keys) {
            for (Map.Entry<Path, WatchKey> entry : keys.entrySet()) {
                if (!entry.getValue().isValid() && Files.isDirectory(entry.getKey())) {
                    try {
                        entry.setValue(register(entry.getKey()));
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.DEBUG, "watching " + entry.getKey() + " again: " + e);
                    }
                }
            }
        }
    }

    /** Whether the key's events name a watched file or {@code ..data} (or were lost: OVERFLOW). */
    private boolean relevant(WatchKey key) {
        Set<String> names = watched.getOrDefault((Path) key.watchable(), Set.of());
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == OVERFLOW || (event.context() instanceof Path name && names.contains(name.toString()))) {
                relevant = true;
            }
        }
        // A key that cannot be reset lost its directory: the files are gone, which a reload reports.
        return !key.reset() || relevant;
    }

    @Override
    public void close() {
        closed = true;
        try {
            watchService.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the certificate watch service", e);
        }
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
