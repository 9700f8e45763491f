/**
 * Switchboard, an HTTP reverse proxy for Synapse split into workers. This package holds only the
 * entry point ({@code Main}); the layers are its subpackages, outermost first:
 * {@code server} (start, reload), {@code listener} (accepting client connections: limits, PROXY
 * protocol, TLS, drain), {@code http1} and {@code http2} (the client connections, one per protocol), {@code http} (the
 * codec-neutral request journey), {@code router} (the exchange with an upstream, retries, local
 * answers), {@code upstream} (pooled connections to endpoints), with {@code codec.http1} (the wire
 * format), {@code stats} (metrics, access log), {@code tls} and {@code net} (socket-level steps)
 * below them all, and {@code admin}, {@code health}, {@code discovery}, {@code logging} and
 * {@code demo} beside. A package may use the ones below it, never those above:
 * {@code ArchitectureTest} keeps that.
 */
package org.switchboard.proxy;
