package org.switchboard.config;

/**
 * A downstream listener: where clients connect.
 *
 * @param proxyProtocol the peer (a load balancer, which must be a trusted proxy) starts each
 *                      connection with a PROXY protocol v1 or v2 header naming the real client
 */
public record ListenerSpec(String name, HostPort address, boolean proxyProtocol) {
    public static ListenerSpec of(String name, HostPort address) {
        return new ListenerSpec(name, address, false);
    }
}
