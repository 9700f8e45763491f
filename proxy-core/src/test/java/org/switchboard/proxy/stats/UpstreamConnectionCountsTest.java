package org.switchboard.proxy.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.switchboard.config.HostPort;

class UpstreamConnectionCountsTest {

    /** Each event loop's pool counts its own idle connections; the metrics read their sum. */
    @Test
    void idleIsTheSumOfEveryPoolsCount() {
        UpstreamConnectionCounts counts = new UpstreamConnectionCounts();
        HostPort address = HostPort.of("10.0.2.10", 8083);
        AtomicInteger firstLoop = counts.idleCounter(address);
        AtomicInteger secondLoop = counts.idleCounter(HostPort.of("10.0.2.10", 8083));
        AtomicInteger otherAddress = counts.idleCounter(HostPort.of("10.0.2.11", 8083));
        firstLoop.addAndGet(3);
        secondLoop.addAndGet(2);
        otherAddress.addAndGet(7);
        assertEquals(5, counts.idle(address));
        firstLoop.decrementAndGet();
        assertEquals(4, counts.idle(address));
        assertEquals(7, counts.idle(HostPort.of("10.0.2.11", 8083)));
        assertEquals(0, counts.idle(HostPort.of("10.0.2.12", 8083)));
    }
}
