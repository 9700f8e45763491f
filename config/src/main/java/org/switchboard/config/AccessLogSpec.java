package org.switchboard.config;

/**
 * One JSON line per request, written off the event loops.
 *
 * @param enabled on by default
 * @param path    a file to append to, or null for standard output (what Kubernetes collects)
 * @param sample  the share of requests logged, 0.0-1.0 (1.0: all)
 */
public record AccessLogSpec(boolean enabled, String path, double sample) {
    public static final AccessLogSpec DEFAULTS = new AccessLogSpec(true, null, 1.0);
}
