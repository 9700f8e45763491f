package org.switchboard.routing;

import java.util.Objects;
import org.switchboard.config.HostPort;

/**
 * One host:port of an upstream. {@code id} is its identity (the configured string or an explicit
 * id): what load balancers hash and what state is carried over by, never a resolved address.
 */
public record Endpoint(String upstream, String id, HostPort address, int weight, EndpointLoad load) {

    public static Endpoint of(String upstream, String id, HostPort address) {
        return new Endpoint(upstream, id, address, 1, new EndpointLoad());
    }

    /*
     * Written out for the same reason as HostPort's: the per-endpoint first-byte timer is looked up
     * by endpoint once per response. The same components compared as the record's own; the load is
     * compared by identity, as EndpointLoad does not override equals.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof Endpoint that && weight == that.weight && load == that.load
                && Objects.equals(upstream, that.upstream) && Objects.equals(id, that.id)
                && Objects.equals(address, that.address);
    }

    @Override
    public int hashCode() {
        int hash = Objects.hashCode(upstream);
        hash = 31 * hash + Objects.hashCode(id);
        hash = 31 * hash + Objects.hashCode(address);
        hash = 31 * hash + weight;
        return 31 * hash + System.identityHashCode(load);
    }

    @Override
    public String toString() {
        return upstream + "/" + id;
    }
}
