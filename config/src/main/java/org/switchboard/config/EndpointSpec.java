package org.switchboard.config;

/**
 * One {@code host:port} of an upstream. {@code id} is the endpoint's identity (its configured
 * string unless given explicitly): what load balancers hash and what carries state across
 * reloads, never a resolved IP or a list position. {@code weight} scales its share of requests.
 */
public record EndpointSpec(String id, HostPort address, int weight) {
    public static final int MAX_WEIGHT = 1000;

    public static EndpointSpec of(HostPort address) {
        return new EndpointSpec(address.toString(), address, 1);
    }

    public EndpointSpec withWeight(int newWeight) {
        return new EndpointSpec(id, address, newWeight);
    }
}
