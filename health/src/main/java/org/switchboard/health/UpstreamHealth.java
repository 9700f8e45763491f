package org.switchboard.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.switchboard.config.Durations;
import org.switchboard.config.EndpointSpec;
import org.switchboard.config.HealthCheckSpec;
import org.switchboard.config.OutlierDetectionSpec;
import org.switchboard.config.UpstreamSpec;

/**
 * The health of one upstream's endpoints, by endpoint id: the health checker's verdicts, outlier
 * ejection within {@code maxEjectionPercent}, and every transition reported once to a listener.
 *
 * <p>The methods that take a result return whether the endpoint's availability changed: that is
 * when the caller rebuilds its routing snapshot (never per request). An ejection ends with the
 * passing of time rather than an event, so the caller also calls {@link #refresh()} at
 * {@link #nextReturnNanos()}.
 *
 * <p>Not thread-safe: one owner (one event loop) feeds it results and reads it.
 */
public final class UpstreamHealth {
    private final String upstream;
    private final Map<String, EndpointHealth> endpoints = new LinkedHashMap<>();
    private final int maxEjectionPercent;
    private final LongSupplier ticker;
    private final Consumer<Transition> listener;

    public UpstreamHealth(String upstream, List<String> endpointIds, HealthCheckSpec healthCheck,
                          OutlierDetectionSpec outlierDetection, LongSupplier ticker, Consumer<Transition> listener) {
        this.upstream = upstream;
        this.maxEjectionPercent = outlierDetection.maxEjectionPercent();
        this.ticker = ticker;
        this.listener = listener;
        for (String id : endpointIds) {
            ActiveHealth active = new ActiveHealth(upstream, id, healthCheck.healthyThreshold(),
                    healthCheck.unhealthyThreshold(), ticker);
            OutlierDetector outliers = new OutlierDetector(outlierDetection, ticker, this::mayEjectOneMore);
            if (endpoints.putIfAbsent(id, new EndpointHealth(active, outliers)) != null) {
                throw new IllegalArgumentException("endpoint " + id + " listed twice in " + upstream);
            }
        }
    }

    public static UpstreamHealth of(UpstreamSpec spec, LongSupplier ticker, Consumer<Transition> listener) {
        List<String> ids = spec.endpoints().stream().map(EndpointSpec::id).toList();
        return new UpstreamHealth(spec.name(), ids, spec.healthCheck(), spec.outlierDetection(), ticker, listener);
    }

    /**
     * Takes over the state of every endpoint whose id is also in {@code previous} (health is never
     * reset by a reload); endpoints new to the config stay UNKNOWN. Call before publishing this.
     */
    public UpstreamHealth carryOver(UpstreamHealth previous) {
        for (Map.Entry<String, EndpointHealth> entry : endpoints.entrySet()) {
            EndpointHealth before = previous.endpoints.get(entry.getKey());
            if (before != null) {
                entry.getValue().carryOver(before);
            }
        }
        return this;
    }

    public String upstream() {
        return upstream;
    }

    public Set<String> endpointIds() {
        return Collections.unmodifiableSet(endpoints.keySet());
    }

    // Each result first reports an ejection of its endpoint that ran out, so transitions stay in
    // order. Results for an id not in this upstream are dropped: a probe or request begun before
    // a reload that removed its endpoint may finish after it.

    public boolean onCheckSuccess(String endpoint) {
        EndpointHealth e = endpoints.get(endpoint);
        if (e == null) {
            return false;
        }
        boolean returned = returnIfDue(endpoint, e);
        boolean before = e.available();
        report(whileEjected(e, e.active.onSuccess()));
        return returned || before != e.available();
    }

    public boolean onCheckFailure(String endpoint, String reason) {
        EndpointHealth e = endpoints.get(endpoint);
        if (e == null) {
            return false;
        }
        boolean returned = returnIfDue(endpoint, e);
        boolean before = e.available();
        e.lastFailure = reason;
        report(whileEjected(e, e.active.onFailure(reason)));
        return returned || before != e.available();
    }

    public boolean onRequestSuccess(String endpoint) {
        EndpointHealth e = endpoints.get(endpoint);
        if (e == null) {
            return false;
        }
        boolean returned = returnIfDue(endpoint, e);
        e.outliers.onSuccess();
        return returned;
    }

    /** A request {@code endpoint} failed (a refused connect, a reset, a 500...). */
    public boolean onRequestFailure(String endpoint, String reason) {
        EndpointHealth e = endpoints.get(endpoint);
        if (e == null) {
            return false;
        }
        boolean returned = returnIfDue(endpoint, e);
        boolean before = e.available();
        e.lastFailure = reason;
        if (e.outliers.onFailure(reason)) {
            long now = ticker.getAsLong();
            Duration time = Duration.ofNanos(e.outliers.ejectedUntilNanos() - now);
            report(new Transition(upstream, endpoint, e.active.state(), HealthState.EJECTED,
                    "failed " + e.outliers.failuresToEject() + " requests in a row, last: " + reason
                            + "; ejected for " + Durations.format(time), now));
        }
        return returned || before != e.available();
    }

    /** Gets new requests: not UNHEALTHY and not ejected. */
    public boolean available(String endpoint) {
        return require(endpoint).available();
    }

    /**
     * No endpoint is available: the "panic" signal. The caller then balances over the whole
     * upstream, since refusing everyone is worse than trying endpoints that may be down.
     */
    public boolean allUnavailable() {
        for (EndpointHealth e : endpoints.values()) {
            if (e.available()) {
                return false;
            }
        }
        return !endpoints.isEmpty();
    }

    /** Reports the ejections that have run out; true if any did (availability changed). */
    public boolean refresh() {
        boolean changed = false;
        for (String id : endpoints.keySet()) {
            changed |= returnIfDue(id, endpoints.get(id));
        }
        return changed;
    }

    /** When the next ejection runs out (a ticker reading, maybe already past), or empty if none is ejected. */
    public OptionalLong nextReturnNanos() {
        OptionalLong next = OptionalLong.empty();
        for (EndpointHealth e : endpoints.values()) {
            Long until = e.outliers.ejectedUntilNanos();
            if (e.outliers.returnDue()) {
                return OptionalLong.of(ticker.getAsLong());
            }
            if (until != null && (next.isEmpty() || until - next.getAsLong() < 0)) {
                next = OptionalLong.of(until);
            }
        }
        return next;
    }

    public HealthView view(String endpoint) {
        EndpointHealth e = require(endpoint);
        return new HealthView(upstream, endpoint, e.active.state(), e.outliers.ejectedUntilNanos(), e.lastFailure,
                e.active.consecutiveFailures(), e.outliers.consecutiveFailures(), e.outliers.ejectionCount(),
                e.available());
    }

    /** One view per endpoint, in config order. */
    public List<HealthView> views() {
        List<HealthView> views = new ArrayList<>(endpoints.size());
        for (String id : endpoints.keySet()) {
            views.add(view(id));
        }
        return views;
    }

    /** {@code maxEjectionPercent} of the endpoints, rounded down: 50% of 4 is 2, of 1 is none. */
    private boolean mayEjectOneMore() {
        int ejected = 0;
        for (EndpointHealth e : endpoints.values()) {
            if (e.outliers.isEjected()) {
                ejected++;
            }
        }
        return (ejected + 1) * 100L <= (long) endpoints.size() * maxEjectionPercent;
    }

    /** Reports the end of the endpoint's ejection if it ran out; true if that made it available. */
    private boolean returnIfDue(String endpoint, EndpointHealth e) {
        if (!e.outliers.returnIfDue()) {
            return false;
        }
        report(new Transition(upstream, endpoint, HealthState.EJECTED, e.active.state(), "ejection time over",
                ticker.getAsLong()));
        return e.active.state() != HealthState.UNHEALTHY;
    }

    private EndpointHealth require(String endpoint) {
        EndpointHealth e = endpoints.get(endpoint);
        if (e == null) {
            throw new IllegalArgumentException("no endpoint " + endpoint + " in upstream " + upstream);
        }
        return e;
    }

    /**
     * An active check's transition during an ejection says so: health and ejection are two state
     * machines, and {@code HEALTHY -> UNHEALTHY} right after {@code HEALTHY -> EJECTED} reads as if
     * the ejection had ended.
     */
    private static Transition whileEjected(EndpointHealth e, Transition transition) {
        if (transition == null || !e.outliers.isEjected()) {
            return transition;
        }
        return new Transition(transition.upstream(), transition.endpoint(), transition.from(), transition.to(),
                transition.reason() + "; still ejected", transition.atNanos());
    }

    private void report(Transition transition) {
        if (transition != null) {
            listener.accept(transition);
        }
    }

    /** One endpoint's two state machines and the reason of its last failure of either kind. */
    private static final class EndpointHealth {
        final ActiveHealth active;
        final OutlierDetector outliers;
        String lastFailure;

        EndpointHealth(ActiveHealth active, OutlierDetector outliers) {
            this.active = active;
            this.outliers = outliers;
        }

        boolean available() {
            return active.state() != HealthState.UNHEALTHY && !outliers.isEjected();
        }

        void carryOver(EndpointHealth previous) {
            active.carryOver(previous.active);
            outliers.carryOver(previous.outliers);
            lastFailure = previous.lastFailure;
        }
    }
}
