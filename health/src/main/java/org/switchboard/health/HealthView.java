package org.switchboard.health;

/**
 * What the admin listener shows for one endpoint: a copy, taken at one moment.
 *
 * @param state                      the health checker's verdict: UNKNOWN, HEALTHY or UNHEALTHY
 * @param ejectedUntilNanos          ticker reading at which the current ejection ends, or null if
 *                                   not ejected (the admin page turns it into wall-clock time)
 * @param lastFailure                the reason of the last failed check or request, or null
 * @param consecutiveCheckFailures   failed checks in a row
 * @param consecutiveRequestFailures failed requests in a row since the last success or ejection
 * @param ejectionCount              ejections so far, after decay (see {@link OutlierDetector})
 * @param available                  gets new requests: not UNHEALTHY and not ejected
 */
public record HealthView(String upstream, String endpoint, HealthState state, Long ejectedUntilNanos,
                         String lastFailure, int consecutiveCheckFailures, int consecutiveRequestFailures,
                         int ejectionCount, boolean available) {
}
