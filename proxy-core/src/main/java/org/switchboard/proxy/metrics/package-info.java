/**
 * The Prometheus metrics: meters found once and cached, low-cardinality tags. Depends on the
 * routing model (endpoints, upstreams) for its gauges, never on the data path.
 */
package org.switchboard.proxy.metrics;
