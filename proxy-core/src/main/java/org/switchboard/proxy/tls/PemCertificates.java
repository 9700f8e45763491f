package org.switchboard.proxy.tls;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Reads a PEM certificate chain as cert-manager writes {@code tls.crt}: the leaf first, then intermediates. */
final class PemCertificates {
    private PemCertificates() {
    }

    static List<X509Certificate> read(String pem) throws TlsMaterialException {
        List<X509Certificate> chain = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("every JDK has X.509", e);
        }
        for (Pem.Block block : Pem.blocks(pem)) {
            if (!block.label().equals("CERTIFICATE")) {
                continue;
            }
            try {
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
            } catch (CertificateException e) {
                throw new TlsMaterialException("certificate " + (chain.size() + 1) + " of the chain is broken (" + e.getMessage() + ")");
            }
        }
        if (chain.isEmpty()) {
            throw new TlsMaterialException("not a PEM certificate (expected BEGIN CERTIFICATE)");
        }
        return chain;
    }
}
