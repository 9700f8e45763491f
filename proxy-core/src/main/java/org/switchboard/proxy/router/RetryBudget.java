package org.switchboard.proxy.router;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Bounds retries under overload (Envoy's retry budget): retries in progress may be at most a
 * share of the requests in flight, with a small floor so a quiet proxy can still retry. When
 * every endpoint is failing, retries stop adding load instead of multiplying it.
 */
public final class RetryBudget {
    private static final double SHARE_OF_IN_FLIGHT = 0.2;
    private static final int MIN_CONCURRENT = 3;

    private final AtomicInteger active = new AtomicInteger();
    private final IntSupplier inFlight;

    public RetryBudget(IntSupplier inFlight) {
        this.inFlight = inFlight;
    }

    /** Takes a retry from the budget; give it back with {@link #release()} when that attempt ends. */
    boolean tryAcquire() {
        int limit = Math.max(MIN_CONCURRENT, (int) (inFlight.getAsInt() * SHARE_OF_IN_FLIGHT));
        while (true) {
            int current = active.get();
            if (current >= limit) {
                return false;
            }
            if (active.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    void release() {
        active.decrementAndGet();
    }
}
