package org.switchboard.health;

/**
 * One change of an endpoint's state, reported once to the upstream's listener (for the log).
 * An ejection reads {@code HEALTHY -> EJECTED}, its end {@code EJECTED -> HEALTHY} (or whatever
 * the health checker says by then).
 *
 * @param atNanos the ticker's reading when it happened
 */
public record Transition(String upstream, String endpoint, HealthState from, HealthState to, String reason,
                         long atNanos) {

    @Override
    public String toString() {
        return upstream + "/" + endpoint + ": " + from + " -> " + to + " (" + reason + ")";
    }
}
