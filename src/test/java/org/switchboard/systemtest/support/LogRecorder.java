package org.switchboard.systemtest.support;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Records the messages of some of the proxy's loggers (the in-process proxy logs through java.util.logging). */
public final class LogRecorder extends Handler implements AutoCloseable {
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final List<Logger> loggers;

    /** Starts recording what the loggers of these names log. */
    public LogRecorder(String... loggerNames) {
        this.loggers = Arrays.stream(loggerNames).map(Logger::getLogger).toList();
        loggers.forEach(logger -> logger.addHandler(this));
    }

    /** The messages so far, oldest first (a live view). */
    public List<String> messages() {
        return messages;
    }

    @Override
    public void publish(LogRecord record) {
        messages.add(record.getMessage());
    }

    @Override
    public void flush() {
    }

    /** Stops recording. */
    @Override
    public void close() {
        loggers.forEach(logger -> logger.removeHandler(this));
    }
}
