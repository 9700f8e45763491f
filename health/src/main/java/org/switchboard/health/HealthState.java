package org.switchboard.health;

/**
 * Where an endpoint stands. UNKNOWN, HEALTHY and UNHEALTHY are the health checker's verdicts
 * ({@link ActiveHealth#state()}); EJECTED is outlier ejection's, laid over them for a while, and
 * appears only in a {@link Transition}.
 */
public enum HealthState {
    /** No check result yet: counts as healthy, so a restarted proxy does not black-hole traffic. */
    UNKNOWN,
    HEALTHY,
    UNHEALTHY,
    EJECTED
}
