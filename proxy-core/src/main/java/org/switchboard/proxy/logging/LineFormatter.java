package org.switchboard.proxy.logging;

import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One line per record, whatever the message or exception holds, so a log shipper, {@code grep} and
 * {@code kubectl logs} see one event per line (java.util.logging's default takes two lines, in
 * local time). Text: {@code 2026-12-01T23:30:00.123Z INFO Switchboard: message}. JSON: an object
 * with time, level, logger, message and exception.
 */
public final class LineFormatter extends Formatter {
    /** Enough of a stack to find the place; the rest of it is one search away. */
    private static final int MAX_FRAMES = 8;

    private final boolean json;

    private LineFormatter(boolean json) {
        this.json = json;
    }

    public static LineFormatter text() {
        return new LineFormatter(false);
    }

    public static LineFormatter json() {
        return new LineFormatter(true);
    }

    @Override
    public String format(LogRecord record) {
        String time = Instant.ofEpochMilli(record.getMillis()).toString();
        String message = formatMessage(record);
        String exception = record.getThrown() == null ? null : describe(record.getThrown());
        if (json) {
            StringBuilder line = new StringBuilder(128).append("{\"time\":").append(Json.quote(time))
                    .append(",\"level\":").append(Json.quote(record.getLevel().getName()))
                    .append(",\"logger\":").append(Json.quote(String.valueOf(record.getLoggerName())))
                    .append(",\"message\":").append(Json.quote(message));
            if (exception != null) {
                line.append(",\"exception\":").append(Json.quote(exception));
            }
            return line.append("}\n").toString();
        }
        StringBuilder line = new StringBuilder(128).append(time).append(' ').append(record.getLevel().getName())
                .append(' ').append(simpleName(record.getLoggerName())).append(": ").append(oneLine(message));
        if (exception != null) {
            line.append(" [").append(oneLine(exception)).append(']');
        }
        return line.append('\n').toString();
    }

    private static String describe(Throwable thrown) {
        StringBuilder text = new StringBuilder(thrown.toString());
        StackTraceElement[] frames = thrown.getStackTrace();
        for (int i = 0; i < Math.min(frames.length, MAX_FRAMES); i++) {
            text.append(i == 0 ? " at " : " <- ").append(frames[i]);
        }
        if (thrown.getCause() != null && thrown.getCause() != thrown) {
            text.append(" caused by ").append(thrown.getCause());
        }
        return text.toString();
    }

    private static String simpleName(String loggerName) {
        if (loggerName == null) {
            return "-";
        }
        int dot = loggerName.lastIndexOf('.');
        return dot < 0 ? loggerName : loggerName.substring(dot + 1);
    }

    /** Line breaks and other controls as visible escapes: a message never starts a second line. */
    static String oneLine(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t') {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                out.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

}
