/**
 * The HTTP/1 server connection: reading request heads with the strict codec, keep-alive,
 * pipelining, discarding unread bodies, half-close, the 1.0 downgrade, WebSocket tunnels, and the
 * per-connection timers. It is one {@code DownstreamStream} at a time for the request journey;
 * HTTP/2 streams are another.
 */
package org.switchboard.proxy.http1;
