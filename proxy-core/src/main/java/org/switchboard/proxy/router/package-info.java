/**
 * The exchange with an upstream for one request: picking endpoints, retries under a budget,
 * replaying small bodies, passive health, relaying the response to a {@code DownstreamStream},
 * and the local answers ({@code MatrixErrors}) the proxy gives instead. Owns the interface the
 * codecs implement, so it depends on none of them.
 */
package org.switchboard.proxy.router;
