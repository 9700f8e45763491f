package org.switchboard.proxy.router;

import org.switchboard.proxy.health.HealthChecking;
import org.switchboard.proxy.logging.RateLimitedLog;
import org.switchboard.routing.Endpoint;

/**
 * What exchanges tell about the endpoints they used: connect failures, resets, timeouts, invalid
 * answers and the worker's own 500 and 503 count against an endpoint (outlier ejection), anything
 * else for it. Called on event loops;
 * implementations must not block.
 */
public interface PassiveHealth {
    /**
     * Counts against the endpoint, and logs what went wrong with it (rate-limited per endpoint):
     * an invalid response, a reset or a refused connect is the operator's business, while a 500
     * or 503 answer is Synapse's own and already in the access log.
     */
    static PassiveHealth of(HealthChecking checking) {
        RateLimitedLog log =
                RateLimitedLog.every10Seconds(System.getLogger(PassiveHealth.class.getName()));
        return new PassiveHealth() {
            @Override
            public void succeeded(Endpoint endpoint) {
                checking.requestSucceeded(endpoint);
            }

            @Override
            public void failed(Endpoint endpoint, String reason) {
                checking.requestFailed(endpoint, reason);
                if (!reason.startsWith("status ")) {
                    log.log(System.Logger.Level.WARNING, endpoint.upstream() + '/' + endpoint.id(), () -> "upstream "
                            + endpoint.upstream() + " endpoint " + endpoint.id() + " (" + endpoint.address() + "): " + reason);
                }
            }
        };
    }

    PassiveHealth NONE = new PassiveHealth() {
        @Override
        public void succeeded(Endpoint endpoint) {
        }

        @Override
        public void failed(Endpoint endpoint, String reason) {
        }
    };

    void succeeded(Endpoint endpoint);

    void failed(Endpoint endpoint, String reason);
}
