/**
 * WebSocket on the wire, as far as a proxy that relays a tunnel needs it: where one frame, and
 * one message, ends and the next begins ({@link org.switchboard.proxy.codec.websocket.FrameBoundaries}),
 * so that a frame of the proxy's own (the Close of a drain) can be put between two messages.
 * Payloads are counted, never read or unmasked. Pure, as the HTTP/1 codec: Netty's buffers and
 * the JDK only.
 */
package org.switchboard.proxy.codec.websocket;
