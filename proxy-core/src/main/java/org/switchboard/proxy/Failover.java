package org.switchboard.proxy;

/** What exchanges need to fail over: where to report endpoint outcomes, and the retry budget. */
record Failover(PassiveHealth health, RetryBudget retries) {
}
