package org.switchboard.proxy.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import org.switchboard.config.TlsSpec;

/**
 * How every server {@link SslContext} of the proxy is made: one provider (BoringSSL through
 * netty-tcnative, the JDK's as the fallback), Mozilla's "intermediate" ciphers, TLS 1.2 or 1.3 at
 * least, the ALPN protocols offered, and session tickets with keys from {@link TicketKeys}.
 * Contexts are never changed in place (but for ticket keys): a new certificate is a new context.
 */
public final class TlsContexts {
    /**
     * The protocols offered by ALPN, in the server's order of preference: HTTP/2 first where the
     * listener serves it. The connection's handler installs the pipeline of whichever is chosen.
     */
    public static final List<String> ALPN_PROTOCOLS = List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);
    private static final List<String> ALPN_HTTP1_ONLY = List.of(ApplicationProtocolNames.HTTP_1_1);

    /**
     * Mozilla "intermediate" (ssl-config-generator guidelines 5.7): the TLS 1.3 AEADs and ECDHE
     * with AES-GCM or ChaCha20-Poly1305 for TLS 1.2; no DHE (BoringSSL has none), no CBC, no
     * static RSA (Netty's own default list has both).
     */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private static final ApplicationProtocolConfig ALPN = alpn(ALPN_PROTOCOLS);
    private static final ApplicationProtocolConfig ALPN_HTTP1 = alpn(ALPN_HTTP1_ONLY);

    private static ApplicationProtocolConfig alpn(List<String> protocols) {
        return new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                // What both providers support: a client offering none of ours gets no ALPN answer,
                // and a client that ignores ours is still served HTTP/1.1.
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                protocols);
    }

    private final SslProvider provider;
    private final TicketKeys ticketKeys;

    private TlsContexts(SslProvider provider, TicketKeys ticketKeys) {
        this.provider = provider;
        this.ticketKeys = ticketKeys;
    }

    /**
     * BoringSSL when netty-tcnative loads on this platform, else the JDK's provider;
     * {@code -Dswitchboard.tls.provider=jdk} chooses the JDK's anyway.
     */
    public static TlsContexts best(TicketKeys ticketKeys) {
        boolean jdk = "jdk".equals(System.getProperty("switchboard.tls.provider")) || !OpenSsl.isAvailable();
        return new TlsContexts(jdk ? SslProvider.JDK : SslProvider.OPENSSL, ticketKeys);
    }

    public static TlsContexts jdk(TicketKeys ticketKeys) {
        return new TlsContexts(SslProvider.JDK, ticketKeys);
    }

    /** For the start line: {@code BoringSSL (netty-tcnative)} or {@code JDK}, and why. */
    public String describe() {
        if (provider == SslProvider.OPENSSL) {
            return OpenSsl.versionString() + " (netty-tcnative)";
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return "JDK" + (cause == null ? " (-Dswitchboard.tls.provider=jdk)" : " (netty-tcnative unavailable: " + cause.getMessage() + ")");
    }

    public boolean isOpenSsl() {
        return provider == SslProvider.OPENSSL;
    }

    SslContext build(PrivateKey key, List<X509Certificate> chain, String minVersion, boolean http2) throws SSLException {
        String[] protocols = TlsSpec.TLS_1_3.equals(minVersion)
                ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"};
        SslContext context = SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
                .sslProvider(provider)
                .protocols(protocols)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(http2 ? ALPN : ALPN_HTTP1)
                .build();
        ticketKeys.install(context);
        return context;
    }
}
