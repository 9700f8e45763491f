package org.switchboard.proxy;

import org.switchboard.proxy.metrics.ProxyMetrics;

/**
 * What exchanges need to fail over and be counted: where to report endpoint outcomes, the retry
 * budget, the metrics.
 */
record Failover(PassiveHealth health, RetryBudget retries, ProxyMetrics metrics) {
}
