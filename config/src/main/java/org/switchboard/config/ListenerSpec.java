package org.switchboard.config;

/**
 * A downstream listener: where clients connect.
 *
 * @param proxyProtocol   the peer (a load balancer, which must be a trusted proxy) starts each
 *                        connection with a PROXY protocol v1 or v2 header naming the real client
 * @param tls             TLS termination on this listener, or null for plain HTTP
 * @param redirectToHttps a plain listener answers 308 towards HTTPS, except ACME HTTP-01
 *                        challenges, which are proxied
 * @param redirectPort    the port those redirects name (443 left out): the one clients reach HTTPS
 *                        on, when a load balancer maps it to another; 0 for the first TLS
 *                        listener's own port
 * @param http2           HTTP/2 is served: offered by ALPN on a TLS listener (the default there), by
 *                        prior knowledge (h2c) beside HTTP/1.1 on a plain one (off by default there)
 */
public record ListenerSpec(String name, HostPort address, boolean proxyProtocol, TlsSpec tls, boolean redirectToHttps,
                           int redirectPort, boolean http2) {

    /** Redirects (if any) naming the first TLS listener's own port. */
    public ListenerSpec(String name, HostPort address, boolean proxyProtocol, TlsSpec tls, boolean redirectToHttps,
                        boolean http2) {
        this(name, address, proxyProtocol, tls, redirectToHttps, 0, http2);
    }

    public ListenerSpec(String name, HostPort address, boolean proxyProtocol) {
        this(name, address, proxyProtocol, null, false);
    }

    /** With HTTP/2 as the default has it: on with TLS, off without. */
    public ListenerSpec(String name, HostPort address, boolean proxyProtocol, TlsSpec tls, boolean redirectToHttps) {
        this(name, address, proxyProtocol, tls, redirectToHttps, tls != null);
    }

    public static ListenerSpec of(String name, HostPort address) {
        return new ListenerSpec(name, address, false);
    }

    public boolean isTls() {
        return tls != null;
    }

    public ListenerSpec withTls(TlsSpec tls) {
        return new ListenerSpec(name, address, proxyProtocol, tls, redirectToHttps, redirectPort, http2);
    }
}
