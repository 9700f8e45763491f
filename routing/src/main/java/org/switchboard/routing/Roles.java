package org.switchboard.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.switchboard.config.LoadBalancerKind;
import org.switchboard.config.PresetSpec;
import org.switchboard.config.SwitchboardSpec;

/**
 * Which upstream serves each role of the Synapse table. A role is served by the upstream of its
 * name unless {@code roles:} points it elsewhere; a role with no upstream falls back: initial
 * syncs to the synchrotrons, federation reads to the generic workers (any generic worker serves
 * them), then everything to main (a stream writer's requests must reach the writer or, when
 * there is none, main, never a generic worker; SSO logins one process, so main). Only roles
 * main can serve fall back to it when their endpoints are all down: a stream writer's and
 * media's (once they have upstreams of their own) do not.
 */
final class Roles {
    private final Map<String, String> configured;
    private final Set<String> upstreamNames;

    Roles(SwitchboardSpec spec) {
        this.configured = spec.roles();
        this.upstreamNames = spec.upstreams().keySet();
    }

    /** The upstream named for the role itself (by name or by {@code roles:}), or null. */
    String ownUpstream(String role) {
        String name = configured.getOrDefault(role, role);
        return upstreamNames.contains(name) ? name : null;
    }

    boolean hasOwnUpstream(String role) {
        return ownUpstream(role) != null;
    }

    /** The upstream serving a role after fallback. Validation guarantees main exists. */
    String resolve(String role) {
        for (String candidate : fallbackChain(role)) {
            String upstream = ownUpstream(candidate);
            if (upstream != null) {
                return upstream;
            }
        }
        throw new IllegalStateException("no upstream for role " + role + " and none for main");
    }

    /** The distinct upstreams serving a role, in fallback order (the first is {@link #resolve}'s). */
    List<String> resolveChain(String role) {
        List<String> chain = new ArrayList<>();
        for (String candidate : fallbackChain(role)) {
            String upstream = ownUpstream(candidate);
            if (upstream != null && !chain.contains(upstream)) {
                chain.add(upstream);
            }
        }
        if (chain.isEmpty()) {
            throw new IllegalStateException("no upstream for role " + role + " and none for main");
        }
        return chain;
    }

    private List<String> fallbackChain(String role) {
        return switch (role) {
            case "initial_synchrotron" -> List.of("initial_synchrotron", "synchrotron", "main");
            // An operator who maps federation_reader chose where federation goes: no generic detour.
            case "federation_reader" -> configured.containsKey(role) ? List.of(role, "main")
                    : List.of("federation_reader", "generic", "main");
            case "main" -> List.of("main");
            // Once a writer exists only it serves its stream (main answers 500, and a retried
            // to-device message would reach two processes): its endpoints down is a 503 or 502.
            case "typing", "to_device", "account_data", "receipts", "presence", "push_rules" ->
                    hasOwnUpstream(role) ? List.of(role) : List.of("main");
            // Beside a media worker main runs with enable_media_repo: false (Synapse's workers
            // docs), so it answers media requests 404, which a client takes for missing media:
            // its endpoints down is a 503, which a client retries.
            case "media" -> hasOwnUpstream(role) ? List.of(role) : List.of("main");
            default -> List.of(role, "main");
        };
    }

    /**
     * Synapse's advice per role: user stickiness for sync, least busy for stateless workers,
     * turns for everything else. An upstream serving no role takes turns.
     */
    LoadBalancerKind defaultLoadBalancer(String upstreamName) {
        for (String role : PresetSpec.SYNAPSE_ROLES) {
            if (upstreamName.equals(ownUpstream(role))) {
                switch (role) {
                    case "synchrotron", "initial_synchrotron":
                        return LoadBalancerKind.RING_HASH;
                    case "generic", "media", "federation_reader":
                        return LoadBalancerKind.LEAST_REQUEST;
                    default:
                        break;
                }
            }
        }
        return LoadBalancerKind.ROUND_ROBIN;
    }
}
