package org.switchboard.config;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reload trigger against real directories: plain rewrites, ConfigMap symlink swaps, the polling backstop. */
class ConfigWatcherTest {

    private static final Duration NEVER = Duration.ofHours(1);
    /** Generous: an expected callback normally arrives a second after the last write (the debounce). */
    private static final long ARRIVES_MS = 5_000;
    /** Long enough for the debounce and a read to have happened if a callback were coming. */
    private static final long SILENT_MS = 1_500;

    @TempDir
    Path tmp;

    private final BlockingQueue<String> changes = new LinkedBlockingQueue<>();

    @Test
    void rewriteCallsBackOnceWithTheNewContentAndAnIdenticalRewriteIsSilent() throws Exception {
        Path file = Files.writeString(tmp.resolve("switchboard.yaml"), "version: 1\n");
        try (ConfigWatcher watcher = new ConfigWatcher(file, NEVER, changes::add)) {
            watcher.start();

            Files.writeString(file, "version: 1\n");
            assertNull(nothing(), "the content in force at start() is not a change");

            Files.writeString(file, "version: 2\n");
            assertEquals("version: 2\n", next());
            assertNull(nothing(), "one rewrite, one callback");

            Files.writeString(file, "version: 2\n");
            assertNull(nothing(), "same bytes, same hash");
        }
    }

    /** An editor or script that writes in place in pieces, pausing between them, is read once it is done. */
    @Test
    void aFileWrittenInPiecesWithPausesIsReadOnceWhole() throws Exception {
        Path file = Files.writeString(tmp.resolve("switchboard.yaml"), "version: 1\n");
        try (ConfigWatcher watcher = new ConfigWatcher(file, NEVER, changes::add)) {
            watcher.start();

            Files.writeString(file, "routes:\n  - a\n"); // valid YAML by itself, missing its last route
            Thread.sleep(300);
            Files.writeString(file, "  - b\n", StandardOpenOption.APPEND);
            assertEquals("routes:\n  - a\n  - b\n", next(), "never the first piece alone");
            assertNull(nothing());
        }
    }

    @Test
    void configMapSymlinkSwapDeliversTheNewContentOnce() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("config"));
        Path oldData = Files.createDirectory(dir.resolve("..2026_a"));
        Files.writeString(oldData.resolve("switchboard.yaml"), "version: 1\n");
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..2026_a"));
        Path file = Files.createSymbolicLink(dir.resolve("switchboard.yaml"), Path.of("..data/switchboard.yaml"));

        try (ConfigWatcher watcher = new ConfigWatcher(file, NEVER, changes::add)) {
            watcher.start();

            // What the kubelet does: write a new timestamped dir, swap ..data atomically, drop the old dir.
            Path newData = Files.createDirectory(dir.resolve("..2026_b"));
            Files.writeString(newData.resolve("switchboard.yaml"), "version: 2\n");
            Path tmpLink = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..2026_b"));
            Files.move(tmpLink, dir.resolve("..data"), ATOMIC_MOVE, REPLACE_EXISTING);
            Files.delete(oldData.resolve("switchboard.yaml"));
            Files.delete(oldData);

            assertEquals("version: 2\n", next());
            assertNull(nothing(), "one swap, one callback");
        }
    }

    @Test
    void aFileWrittenBesideTheConfigDoesNotWakeTheWatcher() throws Exception {
        Path file = Files.writeString(tmp.resolve("switchboard.yaml"), "version: 1\n");
        try (ConfigWatcher watcher = new ConfigWatcher(file, NEVER, changes::add)) {
            watcher.start();

            Path log = tmp.resolve("access.log");
            for (int i = 0; i < 20; i++) {
                Files.writeString(log, "{\"status\":200}\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            assertNull(nothing());
            assertEquals(0, watcher.checks(), "an access log flushed beside the config is not a reason to read it");

            Files.writeString(file, "version: 2\n");
            assertEquals("version: 2\n", next());
            assertEquals(1, watcher.checks());
        }
    }

    @Test
    void aRelativeSymlinkToAFileBesideFollowsThatFile() throws Exception {
        Files.writeString(tmp.resolve("real.yaml"), "version: 1\n");
        Path file = Files.createSymbolicLink(tmp.resolve("switchboard.yaml"), Path.of("real.yaml"));
        try (ConfigWatcher watcher = new ConfigWatcher(file, NEVER, changes::add)) {
            watcher.start();

            Files.writeString(tmp.resolve("real.yaml"), "version: 2\n");
            assertEquals("version: 2\n", next());
        }
    }

    @Test
    void checkNowSeesAChangeTheWatchServiceCannot() throws Exception {
        Path file = symlinkToFileOutsideTheWatchedDirectory("version: 1\n");
        try (ConfigWatcher watcher = new ConfigWatcher(file, NEVER, changes::add)) {
            watcher.start();

            Files.writeString(tmp.resolve("elsewhere/real.yaml"), "version: 2\n");
            assertNull(nothing(), "precondition: no event reaches the watched directory");

            watcher.checkNow();
            assertEquals("version: 2\n", changes.poll());
        }
    }

    @Test
    void pollingAloneDetectsAChange() throws Exception {
        Path file = symlinkToFileOutsideTheWatchedDirectory("version: 1\n");
        try (ConfigWatcher watcher = new ConfigWatcher(file, Duration.ofMillis(50), changes::add)) {
            watcher.start();

            // Atomically: a 50 ms poll could otherwise catch the file truncated but not yet written.
            Path staged = Files.writeString(tmp.resolve("elsewhere/real.yaml.tmp"), "version: 2\n");
            Files.move(staged, tmp.resolve("elsewhere/real.yaml"), ATOMIC_MOVE, REPLACE_EXISTING);
            assertEquals("version: 2\n", next());
            assertNull(nothing());
        }
    }

    @Test
    void aMissingOrNonUtf8FileIsNotAChange() throws Exception {
        Path file = Files.writeString(tmp.resolve("switchboard.yaml"), "version: 1\n");
        try (ConfigWatcher watcher = new ConfigWatcher(file, NEVER, changes::add)) {
            watcher.start();

            Files.delete(file);
            watcher.checkNow();
            Files.writeString(file, "version: 1\n");
            watcher.checkNow();
            assertNull(nothing(), "gone mid-swap and back with the same bytes: the last hash is kept");

            Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28});
            watcher.checkNow();
            assertNull(nothing(), "not UTF-8: the loader would refuse it, so it is not handed over");

            Files.writeString(file, "version: 3\n");
            watcher.checkNow();
            assertEquals("version: 3\n", next());
            assertNull(nothing());
        }
    }

    @Test
    void aThrowingCallbackDoesNotStopTheWatcherAndCloseStopsItPromptly() throws Exception {
        Path file = Files.writeString(tmp.resolve("switchboard.yaml"), "version: 1\n");
        ConfigWatcher watcher = new ConfigWatcher(file, NEVER, content -> {
            changes.add(content);
            if (content.contains("bad")) {
                throw new IllegalStateException("refused: " + content);
            }
        });
        watcher.start();
        assertTrue(watcherThreadAlive(), "a daemon thread named " + ConfigWatcher.THREAD_NAME);

        Files.writeString(file, "version: bad\n");
        assertEquals("version: bad\n", next());
        Files.writeString(file, "version: 3\n");
        assertEquals("version: 3\n", next());

        assertTimeoutPreemptively(Duration.ofSeconds(2), watcher::close);
        assertTrue(!watcherThreadAlive(), "the thread is gone once close() returns");

        Files.writeString(file, "version: 4\n");
        watcher.checkNow();
        assertNull(nothing(), "no callback after close()");
        watcher.close();
        assertThrows(IllegalStateException.class, watcher::start);
    }

    @Test
    void rejectsANonPositivePollIntervalAndASecondStart() throws Exception {
        Path file = Files.writeString(tmp.resolve("switchboard.yaml"), "version: 1\n");
        assertThrows(IllegalArgumentException.class, () -> new ConfigWatcher(file, Duration.ZERO, changes::add));
        try (ConfigWatcher watcher = new ConfigWatcher(file, NEVER, changes::add)) {
            watcher.start();
            assertThrows(IllegalStateException.class, watcher::start);
        }
    }

    /** The config path is a symlink to a file in a directory nobody watches, so only polling sees its edits. */
    private Path symlinkToFileOutsideTheWatchedDirectory(String content) throws IOException {
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Path real = Files.writeString(elsewhere.resolve("real.yaml"), content);
        Path watched = Files.createDirectory(tmp.resolve("watched"));
        return Files.createSymbolicLink(watched.resolve("switchboard.yaml"), real);
    }

    private String next() throws InterruptedException {
        return changes.poll(ARRIVES_MS, TimeUnit.MILLISECONDS);
    }

    private String nothing() throws InterruptedException {
        return changes.poll(SILENT_MS, TimeUnit.MILLISECONDS);
    }

    private static boolean watcherThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals(ConfigWatcher.THREAD_NAME) && t.isAlive() && t.isDaemon());
    }
}
