package org.switchboard.routing;

import org.switchboard.config.HostPort;

/**
 * One host:port of an upstream. {@code id} is its identity (the configured string or an explicit
 * id): what load balancers hash and what state is carried over by, never a resolved address.
 */
public record Endpoint(String upstream, String id, HostPort address, int weight, EndpointLoad load) {

    public static Endpoint of(String upstream, String id, HostPort address) {
        return new Endpoint(upstream, id, address, 1, new EndpointLoad());
    }

    @Override
    public String toString() {
        return upstream + "/" + id;
    }
}
