/**
 * The codec-neutral request journey: the compiled snapshot it reads, forwarding headers, request
 * gates (HTTPS redirect, misdirected host), routing with the route actions (allow-list, rate
 * limit, fixed answer), and what every client connection carries ({@code DownstreamConnection}).
 * Speaks to the codec through {@code router.DownstreamStream}, never to a Netty pipeline.
 */
package org.switchboard.proxy.http;
