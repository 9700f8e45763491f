/**
 * TLS material and handshakes: PEM certificates and keys in every form cert-manager writes,
 * certificate sets chosen by SNI, reload, session tickets, and the SSL contexts (BoringSSL or the
 * JDK). Knows nothing of HTTP or the request journey.
 */
package org.switchboard.proxy.tls;
