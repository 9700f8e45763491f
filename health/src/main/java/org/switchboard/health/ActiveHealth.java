package org.switchboard.health;

import java.util.function.LongSupplier;

/**
 * The health checker's state machine for one endpoint: {@code healthyThreshold} passed checks in
 * a row make it HEALTHY, {@code unhealthyThreshold} failed checks in a row make it UNHEALTHY.
 * It starts UNKNOWN, which counts as healthy; leaving UNKNOWN takes a full threshold either way,
 * so one lost probe after a restart does not take an endpoint out. Not thread-safe: one owner.
 */
public final class ActiveHealth {
    private final String upstream;
    private final String endpoint;
    private final int healthyThreshold;
    private final int unhealthyThreshold;
    private final LongSupplier ticker;
    private HealthState state = HealthState.UNKNOWN;
    private int consecutiveSuccesses;
    private int consecutiveFailures;
    private String lastFailure;

    public ActiveHealth(String upstream, String endpoint, int healthyThreshold, int unhealthyThreshold,
                        LongSupplier ticker) {
        if (healthyThreshold < 1 || unhealthyThreshold < 1) {
            throw new IllegalArgumentException("thresholds start at 1");
        }
        this.upstream = upstream;
        this.endpoint = endpoint;
        this.healthyThreshold = healthyThreshold;
        this.unhealthyThreshold = unhealthyThreshold;
        this.ticker = ticker;
    }

    /** A passed check; the transition it caused, or null. */
    public Transition onSuccess() {
        consecutiveFailures = 0;
        consecutiveSuccesses = increment(consecutiveSuccesses);
        if (state == HealthState.HEALTHY || consecutiveSuccesses < healthyThreshold) {
            return null;
        }
        return moveTo(HealthState.HEALTHY, "passed " + consecutiveSuccesses + " checks in a row");
    }

    /** A failed check (refused, timed out, not 2xx); the transition it caused, or null. */
    public Transition onFailure(String reason) {
        consecutiveSuccesses = 0;
        consecutiveFailures = increment(consecutiveFailures);
        lastFailure = reason;
        if (state == HealthState.UNHEALTHY || consecutiveFailures < unhealthyThreshold) {
            return null;
        }
        return moveTo(HealthState.UNHEALTHY, "failed " + consecutiveFailures + " checks in a row, last: " + reason);
    }

    public HealthState state() {
        return state;
    }

    /** The reason of the last failed check, or null if none failed yet. */
    public String lastFailure() {
        return lastFailure;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** Takes over the state of the same endpoint in the config before a reload. */
    void carryOver(ActiveHealth previous) {
        state = previous.state;
        consecutiveSuccesses = previous.consecutiveSuccesses;
        consecutiveFailures = previous.consecutiveFailures;
        lastFailure = previous.lastFailure;
    }

    private Transition moveTo(HealthState to, String reason) {
        Transition transition = new Transition(upstream, endpoint, state, to, reason, ticker.getAsLong());
        state = to;
        return transition;
    }

    /** Counts saturate: an endpoint down for years must not wrap around to "fewer than threshold". */
    private static int increment(int count) {
        return count == Integer.MAX_VALUE ? count : count + 1;
    }
}
