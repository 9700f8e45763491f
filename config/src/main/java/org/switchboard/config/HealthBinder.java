package org.switchboard.config;

import java.time.Duration;

/**
 * Binds {@code healthCheck} and {@code outlierDetection}, part of {@link SpecBinder}: once at the
 * top level over the built-in defaults, then in each upstream over the top-level result, so an
 * upstream may write any subset of keys. Same null-on-error rule as the other binders.
 */
final class HealthBinder {
    private static final String PATH_EXPECTED = "expected a path starting with /, without spaces";

    private HealthBinder() {
    }

    /**
     * @param base the values of keys not written in {@code node}; null if the section it comes
     *             from is broken (reported there already), then the built-in defaults fill in and
     *             checks that would compare against the broken base are skipped
     */
    static HealthCheckSpec healthCheck(Node node, HealthCheckSpec base) {
        if (node.isAbsent()) {
            return base;
        }
        if (!node.expectMap("path", "interval", "timeout", "healthyThreshold", "unhealthyThreshold")) {
            return null;
        }
        HealthCheckSpec d = base == null ? HealthCheckSpec.DEFAULTS : base;
        String path = path(node.field("path"), d.path());
        Node intervalNode = node.field("interval");
        Node timeoutNode = node.field("timeout");
        Duration interval = intervalNode.durationOr(d.interval());
        Duration timeout = timeoutNode.durationOr(d.timeout());
        Integer healthy = node.field("healthyThreshold").integerOr(1, 100, d.healthyThreshold());
        Integer unhealthy = node.field("unhealthyThreshold").integerOr(1, 100, d.unhealthyThreshold());
        // Compared whenever both times are valid, so one round of edits sees this beside the other errors.
        boolean comparable = base != null || (!intervalNode.isAbsent() && !timeoutNode.isAbsent());
        if (comparable && interval != null && timeout != null && timeout.compareTo(interval) >= 0) {
            // Blame the key written here: the other one may come from the top-level default.
            if (timeoutNode.isAbsent()) {
                intervalNode.fail("expected a duration longer than timeout, " + Durations.format(timeout));
            } else {
                timeoutNode.fail("expected a duration shorter than interval, " + Durations.format(interval));
            }
            return null;
        }
        if (path == null || interval == null || timeout == null || healthy == null || unhealthy == null) {
            return null;
        }
        return new HealthCheckSpec(path, interval, timeout, healthy, unhealthy);
    }

    /** As {@link #healthCheck}, for outlier ejection. */
    static OutlierDetectionSpec outlierDetection(Node node, OutlierDetectionSpec base) {
        if (node.isAbsent()) {
            return base;
        }
        if (!node.expectMap("consecutiveFailures", "baseEjectionTime", "maxEjectionTime", "maxEjectionPercent")) {
            return null;
        }
        OutlierDetectionSpec d = base == null ? OutlierDetectionSpec.DEFAULTS : base;
        Integer failures = node.field("consecutiveFailures").integerOr(1, 1000, d.consecutiveFailures());
        Node baseNode = node.field("baseEjectionTime");
        Node maxNode = node.field("maxEjectionTime");
        Duration baseTime = baseNode.durationOr(d.baseEjectionTime());
        Duration maxTime = maxNode.durationOr(d.maxEjectionTime());
        Integer percent = node.field("maxEjectionPercent").integerOr(0, 100, d.maxEjectionPercent());
        // Compared whenever both times are valid, so one round of edits sees this beside the other errors.
        boolean comparable = base != null || (!baseNode.isAbsent() && !maxNode.isAbsent());
        if (comparable && baseTime != null && maxTime != null && maxTime.compareTo(baseTime) < 0) {
            if (maxNode.isAbsent()) {
                baseNode.fail("expected a duration not longer than maxEjectionTime, " + Durations.format(maxTime));
            } else {
                maxNode.fail("expected a duration not shorter than baseEjectionTime, " + Durations.format(baseTime));
            }
            return null;
        }
        if (failures == null || baseTime == null || maxTime == null || percent == null) {
            return null;
        }
        return new OutlierDetectionSpec(failures, baseTime, maxTime, percent);
    }

    /** The path goes into a request line as written, so it must be a plain origin-form path. */
    private static String path(Node node, String ifAbsent) {
        if (node.isAbsent()) {
            return ifAbsent;
        }
        String path = node.string(PATH_EXPECTED);
        if (path == null) {
            return null;
        }
        boolean plain = path.startsWith("/") && path.chars().allMatch(c -> c > ' ' && c < 0x7f);
        if (!plain) {
            node.fail(PATH_EXPECTED);
            return null;
        }
        return path;
    }
}
