package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.switchboard.config.HostPort;

class EndpointTest {
    private static final HostPort ADDRESS = HostPort.of("10.0.2.10", 8083);

    /** Metrics are keyed by it: every component counts, the live load by identity. */
    @Test
    void equalWhenEveryComponentIsAndTheLoadIsTheSameObject() {
        EndpointLoad load = new EndpointLoad();
        Endpoint endpoint = new Endpoint("generic", "g1", ADDRESS, 1, load);
        Endpoint same = new Endpoint(new String("generic"), new String("g1"), HostPort.of("10.0.2.10", 8083), 1, load);
        assertEquals(endpoint, same);
        assertEquals(endpoint.hashCode(), same.hashCode());

        assertNotEquals(endpoint, new Endpoint("generic", "g1", ADDRESS, 1, new EndpointLoad()));
        assertNotEquals(endpoint, new Endpoint("media", "g1", ADDRESS, 1, load));
        assertNotEquals(endpoint, new Endpoint("generic", "g2", ADDRESS, 1, load));
        assertNotEquals(endpoint, new Endpoint("generic", "g1", HostPort.of("10.0.2.11", 8083), 1, load));
        assertNotEquals(endpoint, new Endpoint("generic", "g1", ADDRESS, 2, load));
        assertNotEquals(endpoint, null);
    }
}
