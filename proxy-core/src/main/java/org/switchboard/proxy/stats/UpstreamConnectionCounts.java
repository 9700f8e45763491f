package org.switchboard.proxy.stats;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.switchboard.config.HostPort;

/** Open and idle connections per upstream address, across every event loop's pool. */
public final class UpstreamConnectionCounts {
    private final ConcurrentHashMap<HostPort, AtomicInteger> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<HostPort, List<AtomicInteger>> idle = new ConcurrentHashMap<>();

    /**
     * A new idle count of one address for one event loop's pool, which changes it directly twice
     * per request (taken, given back). One per pool, summed when read: a count shared by the
     * loops would move its cache line between cores on every request.
     */
    public AtomicInteger idleCounter(HostPort address) {
        AtomicInteger counter = new AtomicInteger();
        idle.computeIfAbsent(address, key -> new CopyOnWriteArrayList<>()).add(counter);
        return counter;
    }

    /** Idle connections to the address, across every event loop's pool. */
    public int idle(HostPort address) {
        List<AtomicInteger> counters = idle.get(address);
        if (counters == null) {
            return 0;
        }
        int sum = 0;
        for (AtomicInteger counter : counters) {
            sum += counter.get();
        }
        return sum;
    }

    /**
     * The open count of one address, shared by every event loop's pool: a connection counts
     * itself up when connected and down when closed, with no close listener of its own.
     */
    public AtomicInteger openCounter(HostPort address) {
        return open.computeIfAbsent(address, key -> new AtomicInteger());
    }

    public int open(HostPort address) {
        AtomicInteger count = open.get(address);
        return count == null ? 0 : count.get();
    }
}
