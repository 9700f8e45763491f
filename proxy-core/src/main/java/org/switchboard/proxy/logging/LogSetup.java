package org.switchboard.proxy.logging;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.switchboard.config.LoggingSpec;

/**
 * Points the root java.util.logging logger (where {@link System.Logger} and Netty log) at one
 * standard-error handler with a {@link LineFormatter}. Called by the command line at start and
 * after each reload (the format may change); embedding code and tests keep their own logging.
 */
public final class LogSetup {
    private LogSetup() {
    }

    public static synchronized void install(LoggingSpec spec) {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler handler = new ConsoleHandler(); // System.err as it is now, flushed per record
        handler.setFormatter(spec.format() == LoggingSpec.Format.JSON ? LineFormatter.json() : LineFormatter.text());
        root.addHandler(handler);
    }
}
