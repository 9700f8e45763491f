package org.switchboard.proxy;

import org.switchboard.routing.Endpoint;

/**
 * What exchanges tell about the endpoints they used: connect failures, resets and 5xx answers
 * count against an endpoint (outlier ejection), anything else for it. Called on event loops;
 * implementations must not block.
 */
interface PassiveHealth {
    static PassiveHealth of(org.switchboard.proxy.health.HealthChecking checking) {
        return new PassiveHealth() {
            @Override
            public void succeeded(Endpoint endpoint) {
                checking.requestSucceeded(endpoint);
            }

            @Override
            public void failed(Endpoint endpoint, String reason) {
                checking.requestFailed(endpoint, reason);
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
