/**
 * HTTP/2 towards clients: the connection (Netty's frame reader and HPACK coder; stream states,
 * flow control, limits and frame writing here), its idle timeout and drain (GOAWAY), and each
 * stream as a {@code DownstreamStream} whose header block becomes an HTTP/1.1 head for the same
 * request journey, so routing, limits, retries, metrics and the access log are those of HTTP/1.
 */
package org.switchboard.proxy.http2;
