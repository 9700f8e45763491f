package org.switchboard.health;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.switchboard.config.SynapseVersion;
import org.switchboard.routing.FollowedSynapse;

/**
 * What the Synapse processes say about their release ({@code GET /_matrix/federation/v1/version}),
 * asked on their endpoints' health passes (each one until an endpoint named its release, then
 * every {@value #ASK_EVERY_NTH_PASS}th, and the first after a failed check: Synapse logs every
 * request, and a release changes only with a restart): the built-in table follows the oldest release
 * among the latest answers, so during a rolling upgrade routes move to the workers only once
 * every process that answers runs a release that has them. main always answers (its listener has
 * the federation resource); a worker whose listener has none answers 404 and is not asked again.
 * A process that stops answering keeps its last answer until its endpoint leaves the config.
 * Thread-safe (probes end on several event loops); nothing here is on a request's path.
 */
public final class SynapseVersions {
    /** How one endpoint last answered. */
    private record Answer(String upstream, String address, SynapseVersion version, boolean silent, String failure) {
    }

    /** Once an endpoint named its release, it is asked again at every this many passed checks (20 s by default). */
    static final int ASK_EVERY_NTH_PASS = 10;

    private final Map<String, Answer> byEndpoint = new LinkedHashMap<>();
    /** Passed checks since the last question, per endpoint that named its release. */
    private final Map<String, Integer> passesSinceAsked = new HashMap<>();
    /** The endpoints that must have answered (or failed) once before the release counts as looked for: main's. */
    private List<String> required = List.of();

    /** Keeps what the given endpoints said and forgets the rest; {@code required}: main's endpoints. */
    public synchronized void retain(Set<String> endpoints, List<String> required) {
        byEndpoint.keySet().retainAll(endpoints);
        passesSinceAsked.keySet().retainAll(endpoints);
        this.required = List.copyOf(required);
    }

    /** A check of the endpoint failed (a restart, perhaps onto another release): the next pass asks. */
    public synchronized void checkFailed(String endpoint) {
        if (byEndpoint.containsKey(endpoint)) {
            passesSinceAsked.put(endpoint, ASK_EVERY_NTH_PASS - 1);
        }
    }

    /**
     * Whether to ask this endpoint at this passed check: not when it said it has no federation
     * resource (404) or is no Synapse; at every pass until it names its release (or while its
     * answers fail), then at every {@value #ASK_EVERY_NTH_PASS}th.
     */
    public synchronized boolean shouldAsk(String endpoint) {
        Answer answer = byEndpoint.get(endpoint);
        if (answer == null || answer.version() == null || answer.failure() != null) {
            return answer == null || !answer.silent();
        }
        int passes = passesSinceAsked.merge(endpoint, 1, Integer::sum);
        if (passes < ASK_EVERY_NTH_PASS) {
            return false;
        }
        passesSinceAsked.remove(endpoint);
        return true;
    }

    /**
     * An answer from {@code endpoint} (an upstream's endpoint id, unique across upstreams as
     * {@code upstream/id}). Returns whether the release followed changed.
     *
     * @param status the HTTP status, or 0 when there was no answer ({@code failure} says why)
     */
    public synchronized boolean answered(String endpoint, String upstream, String address, int status, String body,
                                         String failure) {
        SynapseVersion before = oldest();
        Answer previous = byEndpoint.get(endpoint);
        Answer answer;
        if (status == 200) {
            SynapseVersion version = FederationVersion.synapseRelease(body);
            answer = version != null ? new Answer(upstream, address, version, false, null)
                    : new Answer(upstream, address, null, true, "answers no Synapse release");
        } else if (status == 404) {
            answer = new Answer(upstream, address, null, true, "no federation resource (404)");
        } else {
            String why = status == 0 ? failure : "status " + status;
            // A process that answered before and is down now still runs what it said, until it says otherwise.
            answer = previous != null && previous.version() != null
                    ? new Answer(upstream, address, previous.version(), false, why)
                    : new Answer(upstream, address, null, false, why);
        }
        byEndpoint.put(endpoint, answer);
        return !Objects.equals(before, oldest());
    }

    /** Whether every required endpoint has answered or failed at least once. */
    public synchronized boolean settled() {
        return byEndpoint.keySet().containsAll(required);
    }

    /** The release to follow: the oldest any endpoint reported, and who; else unknown and why. */
    public synchronized FollowedSynapse followed() {
        SynapseVersion oldest = oldest();
        if (oldest != null) {
            int reporting = 0;
            String who = null;
            for (Answer answer : byEndpoint.values()) {
                if (answer.version() != null) {
                    reporting++;
                    if (who == null && answer.version().equals(oldest)) {
                        who = answer.upstream() + " " + answer.address();
                    }
                }
            }
            return new FollowedSynapse(oldest, "reported by " + who
                    + (reporting > 1 ? ", the oldest of " + reporting + " processes" : ""));
        }
        for (String endpoint : required) {
            Answer answer = byEndpoint.get(endpoint);
            if (answer != null) {
                return FollowedSynapse.unknown(answer.upstream() + " " + answer.address() + ": " + answer.failure());
            }
        }
        return FollowedSynapse.unknown(required.isEmpty() ? "no main endpoint to ask" : "not answered yet");
    }

    private SynapseVersion oldest() {
        SynapseVersion oldest = null;
        for (Answer answer : byEndpoint.values()) {
            if (answer.version() != null && (oldest == null || answer.version().isOlderThan(oldest))) {
                oldest = answer.version();
            }
        }
        return oldest;
    }
}
