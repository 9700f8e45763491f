package org.switchboard.routing;

/** Picks an endpoint of one upstream for a request. Built per snapshot, shared by event loops. */
public interface LoadBalancer {

    /**
     * The endpoint to use, or null when no endpoint is eligible.
     *
     * @param hashKey     what the request's route hashes on; only hashing balancers use it
     * @param eligibility which endpoints may be returned (health, retries)
     */
    Endpoint pick(RequestView request, HashKeyExtractor hashKey, Eligibility eligibility);

    /** Any available endpoint. */
    default Endpoint pick(RequestView request, HashKeyExtractor hashKey) {
        return pick(request, hashKey, Eligibility.HEALTHY);
    }
}
