package org.switchboard.proxy.router;

import org.switchboard.proxy.stats.ProxyMetrics;

/**
 * What exchanges need to fail over and be counted: where to report endpoint outcomes, the retry
 * budget, the metrics.
 */
public record Failover(PassiveHealth health, RetryBudget retries, ProxyMetrics metrics) {
}
