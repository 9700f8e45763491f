package org.switchboard.proxy.stats;

import io.micrometer.core.instrument.Clock;
import java.time.Duration;

/**
 * The metrics' clock: the wall time is read once per {@link #TICK} by whoever calls
 * {@link #tick()}, not on every record. Micrometer's timers read the wall clock twice per
 * record only to know when to rotate windows that last tens of seconds (the window of maxima
 * and the histogram's); with two timers per request that was four of the proxy's five or six
 * clock reads per request (see benchmarks/RESULTS.md). Monotonic time stays exact.
 */
public final class CoarseClock implements Clock {
    /** How stale the wall time may get; far below the shortest window it decides (40 s). */
    public static final Duration TICK = Duration.ofMillis(100);

    private volatile long wallMillis = System.currentTimeMillis();

    /** Reads the wall clock; called every {@link #TICK}. */
    public void tick() {
        wallMillis = System.currentTimeMillis();
    }

    @Override
    public long wallTime() {
        return wallMillis;
    }

    @Override
    public long monotonicTime() {
        return System.nanoTime();
    }
}
