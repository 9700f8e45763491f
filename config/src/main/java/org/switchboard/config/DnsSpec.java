package org.switchboard.config;

import java.time.Duration;

/**
 * Where an upstream takes its endpoints from DNS instead of a literal list:
 * {@code dns: {name: "_http._tcp.synapse-sync.matrix.svc.cluster.local", type: SRV, refresh: 10s}}.
 *
 * @param port    the port of every endpoint for A/AAAA records; 0 for SRV (records carry ports)
 * @param refresh how often the name is looked up again
 */
public record DnsSpec(String name, Type type, int port, Duration refresh) {
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(10);

    /** The record types an upstream can be discovered by. */
    public enum Type {
        /** Each record names a pod (its target) and a port; the target is the endpoint's identity. */
        SRV,
        /** IPv4 addresses; the address is the identity. */
        A,
        /** IPv6 addresses; the address is the identity. */
        AAAA
    }
}
