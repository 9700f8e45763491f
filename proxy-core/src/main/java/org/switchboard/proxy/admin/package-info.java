/**
 * The admin listener: probes, metrics, status page, endpoints, effective config, reload and drain
 * (the last two gated by {@code admin.allow} or a token). Reads the server it reports on.
 */
package org.switchboard.proxy.admin;
