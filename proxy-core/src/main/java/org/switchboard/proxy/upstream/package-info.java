/**
 * Connections to endpoints: the per-event-loop keep-alive pool and the connection handler that
 * hands the bytes it reads to the exchange that owns it. Knows addresses and channels, not
 * requests: it depends on config and metrics only, never on the request journey above it.
 */
package org.switchboard.proxy.upstream;
