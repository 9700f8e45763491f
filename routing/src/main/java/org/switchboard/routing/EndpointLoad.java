package org.switchboard.routing;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live counters of one endpoint, shared by every event loop. It belongs to the endpoint's
 * identity, so a reload that keeps the endpoint keeps its counters.
 */
public final class EndpointLoad {
    private final AtomicInteger inFlight = new AtomicInteger();

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
