package org.switchboard.routing;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live state of one endpoint, shared by every event loop: requests in flight and whether it
 * may take new ones (health checking and outlier ejection decide; load balancers only read). It
 * belongs to the endpoint's identity, so a reload that keeps the endpoint keeps its state.
 */
public final class EndpointLoad {
    private final AtomicInteger inFlight = new AtomicInteger();
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
    }

    public void requestEnded() {
        inFlight.decrementAndGet();
    }
}
