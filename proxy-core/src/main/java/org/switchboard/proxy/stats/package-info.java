/**
 * What the proxy records: the Prometheus metrics (meters found once and cached, low-cardinality
 * tags), the per-request record filled by each stage and the access log written from it. Depends
 * on the routing model for its gauges, never on the data path above it.
 */
package org.switchboard.proxy.stats;
