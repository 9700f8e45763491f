package org.switchboard.routing;

import java.util.List;

/**
 * Which endpoints a pick may return: available ones (not unhealthy, not ejected) unless the
 * whole upstream is down and the caller chose "panic", and never one a retry must avoid.
 */
public final class Eligibility {
    /** The common case, allocation-free: any available endpoint. */
    public static final Eligibility HEALTHY = new Eligibility(List.of(), false);

    private final List<Endpoint> avoid;
    private final boolean ignoreHealth;

    private Eligibility(List<Endpoint> avoid, boolean ignoreHealth) {
        this.avoid = avoid;
        this.ignoreHealth = ignoreHealth;
    }

    /** Available endpoints other than those already tried. */
    public static Eligibility healthyExcept(List<Endpoint> avoid) {
        return avoid.isEmpty() ? HEALTHY : new Eligibility(avoid, false);
    }

    /** Panic: every endpoint but those already tried, healthy or not. */
    public static Eligibility anyExcept(List<Endpoint> avoid) {
        return new Eligibility(avoid, true);
    }

    public boolean accepts(Endpoint endpoint) {
        return (ignoreHealth || endpoint.load().available()) && (avoid.isEmpty() || !avoid.contains(endpoint));
    }
}
