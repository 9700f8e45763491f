package org.switchboard.health;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.switchboard.config.OutlierDetectionSpec;

/**
 * Outlier ejection for one endpoint, from the results of real requests: {@code consecutiveFailures}
 * failed requests in a row (the proxy decides which count) eject it until now + min(base x
 * ejections, max), if its upstream allows one more ejection ({@code maxEjectionPercent}).
 *
 * <p>The ejection count decays: it falls by one for every {@code baseEjectionTime} the endpoint
 * spends back in service after its last ejection ended. An endpoint that fails again soon after
 * returning is ejected for longer each time; one that has behaved for a while starts over at the
 * base time. It is computed from the ticker when needed, so there is no timer to run.
 *
 * <p>Times are ticker readings ({@link System#nanoTime()} in production) and only ever compared
 * by subtraction, so a ticker that wraps is fine. Not thread-safe: one owner.
 */
public final class OutlierDetector {
    /** Longer durations are clamped here, well clear of overflow in now + time. */
    private static final long MAX_NANOS = Long.MAX_VALUE / 4;

    private final int failuresToEject;
    private final long baseNanos;
    private final long maxNanos;
    /** Beyond this count the ejection time is at its cap anyway. */
    private final int maxCount;
    private final LongSupplier ticker;
    private final BooleanSupplier mayEject;
    private int consecutiveFailures;
    /** As of the end of the last ejection; see {@link #ejectionCount()} for the decayed value. */
    private int ejectionCount;
    /** Set by an ejection, cleared by {@link #returnIfDue()}, so the return is reported once. */
    private boolean ejected;
    private long ejectedUntil;
    private String lastFailure;

    /**
     * @param mayEject asked at the moment of ejecting: the upstream's share of ejected endpoints
     */
    public OutlierDetector(OutlierDetectionSpec spec, LongSupplier ticker, BooleanSupplier mayEject) {
        this.failuresToEject = spec.consecutiveFailures();
        this.baseNanos = Math.max(1, nanos(spec.baseEjectionTime()));
        this.maxNanos = Math.max(1, nanos(spec.maxEjectionTime()));
        this.maxCount = (int) Math.min(Integer.MAX_VALUE, (maxNanos + baseNanos - 1) / baseNanos);
        this.ticker = ticker;
        this.mayEject = mayEject;
    }

    public void onSuccess() {
        consecutiveFailures = 0;
    }

    /**
     * A failed request. Returns true if this failure ejected the endpoint. While ejected,
     * failures (from panic traffic) are not counted and do not extend the ejection. When the
     * upstream refuses an ejection the count stays at the threshold, so the next failure asks again.
     */
    public boolean onFailure(String reason) {
        lastFailure = reason;
        if (isEjected()) {
            return false;
        }
        if (consecutiveFailures < failuresToEject) {
            consecutiveFailures++;
        }
        if (consecutiveFailures < failuresToEject || !mayEject.getAsBoolean()) {
            return false;
        }
        long now = ticker.getAsLong();
        ejectionCount = Math.min(ejectionCount() + 1, maxCount);
        ejectedUntil = now + ejectionNanos(ejectionCount);
        ejected = true;
        consecutiveFailures = 0;
        return true;
    }

    /** Out of service now; false again as soon as the ejection time has passed. */
    public boolean isEjected() {
        return ejected && ticker.getAsLong() - ejectedUntil < 0;
    }

    /** True exactly once per ejection: the first time it is asked after the ejection ran out. */
    public boolean returnIfDue() {
        if (returnDue()) {
            ejected = false;
            return true;
        }
        return false;
    }

    /** An ejection ran out and {@link #returnIfDue()} has not reported it yet. */
    boolean returnDue() {
        return ejected && ticker.getAsLong() - ejectedUntil >= 0;
    }

    /** The ticker reading at which the ejection ends, or null when not ejected now. */
    public Long ejectedUntilNanos() {
        return isEjected() ? Long.valueOf(ejectedUntil) : null;
    }

    /** Ejections so far, less the decay since the last one ended. */
    public int ejectionCount() {
        long since = ticker.getAsLong() - ejectedUntil;
        if (ejectionCount == 0 || since < 0) {
            return ejectionCount;
        }
        return (int) Math.max(0, ejectionCount - since / baseNanos);
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    int failuresToEject() {
        return failuresToEject;
    }

    /** The reason of the last failed request, or null. */
    public String lastFailure() {
        return lastFailure;
    }

    /** How long the {@code count}th ejection in a row lasts. */
    long ejectionNanos(int count) {
        return baseNanos > maxNanos / count ? maxNanos : Math.min(baseNanos * count, maxNanos);
    }

    /** Takes over the state of the same endpoint in the config before a reload. */
    void carryOver(OutlierDetector previous) {
        consecutiveFailures = Math.min(previous.consecutiveFailures, failuresToEject);
        ejectionCount = Math.min(previous.ejectionCount, maxCount);
        ejected = previous.ejected;
        ejectedUntil = previous.ejectedUntil;
        lastFailure = previous.lastFailure;
    }

    private static long nanos(Duration duration) {
        try {
            return Math.min(duration.toNanos(), MAX_NANOS);
        } catch (ArithmeticException e) {
            return MAX_NANOS;
        }
    }
}
