package org.switchboard.proxy.stats;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.switchboard.config.HostPort;

/** Open connections per upstream address, across every event loop's pool. */
public final class UpstreamConnectionCounts {
    private final ConcurrentHashMap<HostPort, AtomicInteger> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<HostPort, AtomicInteger> idle = new ConcurrentHashMap<>();

    /**
     * The idle count of one address, shared by every event loop's pool: a pool looks it up once
     * per address and changes it directly, not through this map per request.
     */
    public AtomicInteger idleCounter(HostPort address) {
        return idle.computeIfAbsent(address, key -> new AtomicInteger());
    }

    public int idle(HostPort address) {
        AtomicInteger count = idle.get(address);
        return count == null ? 0 : count.get();
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
