/**
 * Active health checking and outlier ejection (issue "Health and failover") as pure state
 * machines over an injectable ticker: {@link org.switchboard.health.ActiveHealth} (the health
 * checker's thresholds), {@link org.switchboard.health.OutlierDetector} (passive ejection),
 * {@link org.switchboard.health.UpstreamHealth} (one upstream: the ejection cap, panic, reload
 * carry-over, transitions) and {@link org.switchboard.health.Jitter} (check spacing). No network,
 * no threads: proxy-core runs the probes and feeds the results in. The module sits between
 * routing and proxy-core so the build enforces config &lt;- routing &lt;- health &lt;- proxy-core.
 */
package org.switchboard.health;
