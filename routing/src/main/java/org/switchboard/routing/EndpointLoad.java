package org.switchboard.routing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live state of one endpoint, shared by every event loop: requests in flight and whether it
 * may take new ones (health checking and outlier ejection decide; load balancers only read). It
 * belongs to the endpoint's identity, so a reload that keeps the endpoint keeps its state.
 */
public final class EndpointLoad {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private volatile boolean available = true;

    public boolean available() {
        return available;
    }

    public void setAvailable(boolean available) {
        this.available = available;
    }

    public int inFlight() {
        return inFlight.get();
    }

    public void requestStarted() {
        inFlight.incrementAndGet();
        requests.increment();
    }

    /** Requests sent to the endpoint so far (retries count once per attempt). */
    public long requests() {
        return requests.sum();
    }

    public void requestEnded() {
        inFlight.decrementAndGet();
    }
}
