package org.switchboard.config;

/**
 * One {@code host:port} of an upstream. {@code id} is the endpoint's identity (its configured
 * string): what load balancers hash and what carries state across reloads, never a resolved IP
 * or a list position.
 */
public record EndpointSpec(String id, HostPort address) {
    public static EndpointSpec of(HostPort address) {
        return new EndpointSpec(address.toString(), address);
    }
}
