package org.switchboard.routing;

/** Picks an endpoint of one upstream for a request. Built per snapshot, shared by event loops. */
public interface LoadBalancer {

    /**
     * The endpoint to use, or null when the upstream has none.
     *
     * @param hashKey what the request's route hashes on; only hashing balancers use it
     */
    Endpoint pick(RequestView request, HashKeyExtractor hashKey);
}
