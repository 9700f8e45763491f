package org.switchboard.health;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A ticker that moves only when told. Starts at an arbitrary reading, as System.nanoTime() does. */
final class FakeTicker implements LongSupplier {
    private long nanos;

    FakeTicker() {
        this(-7_777_000_000_000L);
    }

    FakeTicker(long start) {
        this.nanos = start;
    }

    void advance(Duration duration) {
        nanos += duration.toNanos();
    }

    @Override
    public long getAsLong() {
        return nanos;
    }
}
