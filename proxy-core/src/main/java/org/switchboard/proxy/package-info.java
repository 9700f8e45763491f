/**
 * The proxy: bootstrap and reload ({@code Switchboard}, {@code Reloader}), the compiled snapshot,
 * the client listener ({@code ClientChannelInitializer}, limits, PROXY protocol), the HTTP/1
 * connection ({@code Http1ServerConnection}), the codec-neutral request journey
 * ({@code RequestJourney}, {@code DownstreamStream}, {@code StreamExchange}, {@code RequestRecord})
 * and the access log. Its subpackages are the layers below (codec, upstream, metrics, discovery,
 * health) and the admin and demo beside it; the split of this package along Envoy's layers
 * (listener, http, router, stats, server) is still to come.
 */
package org.switchboard.proxy;
