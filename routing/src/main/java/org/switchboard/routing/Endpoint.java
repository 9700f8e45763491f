package org.switchboard.routing;

import org.switchboard.config.HostPort;

/**
 * One host:port of an upstream. {@code id} is its identity (the configured string): what
 * load balancers hash and what state is carried over by, never a resolved address.
 */
public record Endpoint(String upstream, String id, HostPort address) {
    @Override
    public String toString() {
        return upstream + "/" + id;
    }
}
