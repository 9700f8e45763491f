package org.switchboard.proxy.logging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Logs events that can repeat at traffic speed (invalid upstream responses, limits hit, refused
 * admin actions) at most once per interval and kind, saying how many were left out meanwhile:
 * enough to see that something happens, where and how often, without a flood. Keys must be
 * low-cardinality (a kind and an endpoint, never a client address).
 */
public final class RateLimitedLog {
    /** Per key: when the current interval started and how many were left out in it. */
    private static final class Window {
        long startedNanos;
        long suppressed;

        Window(long startedNanos) {
            this.startedNanos = startedNanos;
        }
    }

    private final System.Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    public RateLimitedLog(System.Logger log, long interval, TimeUnit unit, LongSupplier nanoTime) {
        this.log = log;
        this.intervalNanos = unit.toNanos(interval);
        this.nanoTime = nanoTime;
    }

    public static RateLimitedLog every10Seconds(System.Logger log) {
        return new RateLimitedLog(log, 10, TimeUnit.SECONDS, System::nanoTime);
    }

    /**
     * Logs {@code message} unless a line for {@code key} (named in the count of lines left out, so
     * readable: an endpoint, a kind) went out less than an interval ago; the
     * message is only built when it is logged.
     *
     * @return whether a line was written
     */
    public boolean log(System.Logger.Level level, String key, Supplier<String> message) {
        long now = nanoTime.getAsLong();
        long leftOut;
        Window window = windows.get(key);
        if (window == null) {
            window = windows.computeIfAbsent(key, k -> new Window(now - intervalNanos));
        }
        synchronized (window) {
            if (now - window.startedNanos < intervalNanos) {
                window.suppressed++;
                return false;
            }
            leftOut = window.suppressed;
            window.startedNanos = now;
            window.suppressed = 0;
        }
        String line = message.get();
        log.log(level, leftOut == 0 ? line : line + " (and " + leftOut + " more left out since the last line for " + key + ")");
        return true;
    }
}
