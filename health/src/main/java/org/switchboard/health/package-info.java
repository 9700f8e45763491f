/**
 * Active health checking and outlier ejection (issue "Health and failover"): state machines over
 * thresholds with the network probe behind an interface and time behind an injectable ticker.
 * Nothing here is wired yet; the module exists so the dependency direction
 * config &lt;- routing &lt;- health &lt;- proxy-core is enforced by the build from day one.
 */
package org.switchboard.health;
