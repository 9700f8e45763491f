package org.switchboard.proxy.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** At most one line per kind and interval, and the next one says how many were left out. */
class RateLimitedLogTest {
    private final RecordingLogger logger = new RecordingLogger();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RateLimitedLog log = new RateLimitedLog(logger, 10, TimeUnit.SECONDS, now::get);

    @Test
    void oneLinePerKindAndIntervalThenTheCountOfTheRest() {
        assertTrue(log.log(System.Logger.Level.WARNING, "main/a", () -> "reset by main/a"));
        assertFalse(log.log(System.Logger.Level.WARNING, "main/a", () -> "reset by main/a"));
        assertFalse(log.log(System.Logger.Level.WARNING, "main/a", () -> "reset by main/a"));
        assertTrue(log.log(System.Logger.Level.WARNING, "main/b", () -> "reset by main/b"), "another kind has its own interval");

        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertTrue(log.log(System.Logger.Level.WARNING, "main/a", () -> "reset by main/a"));

        assertEquals(List.of("reset by main/a", "reset by main/b",
                "reset by main/a (and 2 more left out since the last line for main/a)"), logger.lines);
    }

    @Test
    void aSuppressedLineIsNeverBuilt() {
        log.log(System.Logger.Level.INFO, "k", () -> "first");
        log.log(System.Logger.Level.INFO, "k", () -> {
            throw new AssertionError("built although not logged");
        });
        assertEquals(List.of("first"), logger.lines);
    }

    /** Keeps what would have been logged. */
    static final class RecordingLogger implements System.Logger {
        final List<String> lines = new ArrayList<>();

        @Override
        public String getName() {
            return "recording";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(format);
        }
    }
}
