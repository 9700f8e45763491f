package org.switchboard.proxy.discovery;

import java.util.ArrayList;
import java.util.List;
import org.switchboard.config.EndpointSpec;

/** How an upstream's membership changed, for the log: {@code +sync-3 (10.0.0.7:8083), -sync-1 (...), ~sync-2 ...}. */
final class MembershipChange {
    private MembershipChange() {
    }

    static String describe(List<EndpointSpec> before, List<EndpointSpec> after) {
        List<String> parts = new ArrayList<>();
        for (EndpointSpec endpoint : after) {
            EndpointSpec old = byId(before, endpoint.id());
            if (old == null) {
                parts.add("+" + name(endpoint));
            } else if (!old.equals(endpoint)) {
                parts.add("~" + endpoint.id() + " moved " + old.address() + " -> " + endpoint.address());
            }
        }
        for (EndpointSpec endpoint : before) {
            if (byId(after, endpoint.id()) == null) {
                parts.add("-" + name(endpoint));
            }
        }
        return String.join(", ", parts);
    }

    private static String name(EndpointSpec endpoint) {
        String address = endpoint.address().toString();
        return endpoint.id().equals(address) ? address : endpoint.id() + " (" + address + ")";
    }

    private static EndpointSpec byId(List<EndpointSpec> endpoints, String id) {
        for (EndpointSpec endpoint : endpoints) {
            if (endpoint.id().equals(id)) {
                return endpoint;
            }
        }
        return null;
    }
}
