package org.switchboard.config;

import java.nio.file.Path;
import java.util.List;

/**
 * TLS termination on a listener.
 *
 * @param certificates chosen by SNI among their own SAN names; the first is the default, for
 *                     clients that send no SNI or a name no certificate covers
 * @param minVersion   {@value #TLS_1_2} or {@value #TLS_1_3}
 */
public record TlsSpec(List<CertificateSpec> certificates, String minVersion) {
    public static final String TLS_1_2 = "TLSv1.2";
    public static final String TLS_1_3 = "TLSv1.3";

    public TlsSpec {
        certificates = List.copyOf(certificates);
    }

    public static TlsSpec of(CertificateSpec... certificates) {
        return new TlsSpec(List.of(certificates), TLS_1_2);
    }

    /** A PEM certificate chain (leaf first) and its PEM private key (PKCS#1, PKCS#8 or SEC1). */
    public record CertificateSpec(Path cert, Path key) {
        public static CertificateSpec of(Path cert, Path key) {
            return new CertificateSpec(cert, key);
        }
    }
}
