package org.switchboard.proxy.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.switchboard.config.LoggingSpec;

/** One event, one line: whatever the message or exception holds, in text and in JSON. */
class LineFormatterTest {
    private static final String MULTI_LINE = "reload refused:\n  upstreams.main: missing\r\n  routes[0]: \"x\"";

    @Test
    void textIsOneLineInUtcWithTheLoggersSimpleName() {
        String line = LineFormatter.text().format(record(MULTI_LINE, null));

        assertEquals("2026-12-01T23:30:00.123Z WARNING Reloader: reload refused:\\n  upstreams.main: missing\\r\\n"
                + "  routes[0]: \"x\"\n", line);
    }

    @Test
    void jsonIsOneObjectPerLineWithTheExceptionInside() {
        String line = LineFormatter.json().format(record(MULTI_LINE, new IOException("boom\nagain")));

        assertEquals(1, line.split("\n", -1).length - 1, line);
        assertTrue(line.startsWith("{\"time\":\"2026-12-01T23:30:00.123Z\",\"level\":\"WARNING\","
                + "\"logger\":\"org.switchboard.proxy.server.Reloader\",\"message\":\"reload refused:\\n  upstreams.main: missing\\r\\n"
                + "  routes[0]: \\\"x\\\"\",\"exception\":\"java.io.IOException: boom\\nagain at "), line);
        assertTrue(line.endsWith("\"}\n"), line);
    }

    @Test
    void anExceptionStaysOnTheEventsLine() {
        Exception cause = new IllegalStateException("inner");
        String line = LineFormatter.text().format(record("closing", new RuntimeException("outer", cause)));

        assertEquals(1, line.split("\n", -1).length - 1, line);
        assertTrue(line.contains("closing [java.lang.RuntimeException: outer at "), line);
        assertTrue(line.contains(" caused by java.lang.IllegalStateException: inner]"), line);
    }

    @Test
    void logSetupSendsSystemLoggerEventsAsJsonLinesToStandardError() {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            LogSetup.install(new LoggingSpec(LoggingSpec.Format.JSON));
            System.getLogger("org.switchboard.test").log(System.Logger.Level.INFO, "two\nlines");
        } finally {
            System.setErr(saved);
            LogSetup.install(LoggingSpec.DEFAULTS);
        }

        // Other writers to standard error (a fuzzing agent's notes) may be there too: only ours count.
        String[] lines = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains("org.switchboard.test") || line.contains("lines")).toArray(String[]::new);
        assertEquals(1, lines.length, captured.toString(StandardCharsets.UTF_8));
        assertTrue(lines[0].matches("\\{\"time\":\"[^\"]+Z\",\"level\":\"INFO\",\"logger\":\"org.switchboard.test\","
                + "\"message\":\"two\\\\nlines\"}"), lines[0]);
    }

    private static LogRecord record(String message, Throwable thrown) {
        LogRecord record = new LogRecord(Level.WARNING, message);
        record.setLoggerName("org.switchboard.proxy.server.Reloader");
        record.setInstant(Instant.parse("2026-12-01T23:30:00.123Z"));
        record.setThrown(thrown);
        return record;
    }
}
