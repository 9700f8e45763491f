package org.switchboard.proxy.tls;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The certificates a listener serves, immutable: what SNI selects among. A reload builds a new
 * set and swaps it in whole; a connection keeps the set its handshake chose from.
 */
public final class CertificateSet {
    private final List<LoadedCertificate> certificates;
    /** Exact names, and wildcard suffixes ({@code .example.com} for {@code *.example.com}): the first certificate wins. */
    private final Map<String, Integer> exact = new HashMap<>();
    private final Map<String, Integer> wildcard = new HashMap<>();

    public CertificateSet(List<LoadedCertificate> certificates) {
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("a TLS listener has at least one certificate");
        }
        this.certificates = List.copyOf(certificates);
        for (int i = 0; i < this.certificates.size(); i++) {
            for (String name : this.certificates.get(i).dnsNames()) {
                if (name.startsWith("*.")) {
                    wildcard.putIfAbsent(name.substring(1), i);
                } else {
                    exact.putIfAbsent(name, i);
                }
            }
        }
    }

    public List<LoadedCertificate> certificates() {
        return certificates;
    }

    public LoadedCertificate get(int index) {
        return certificates.get(index);
    }

    /**
     * The certificate for an SNI name (lower case, as Netty hands it over): an exact name first,
     * then a wildcard over its first label, else the default (the first).
     */
    public int select(String hostname) {
        int found = covering(hostname);
        return found < 0 ? 0 : found;
    }

    /** The certificate whose names cover {@code host} (lower case, no port), or -1. */
    public int covering(String host) {
        if (host == null) {
            return -1;
        }
        Integer index = exact.get(host);
        if (index != null) {
            return index;
        }
        int dot = host.indexOf('.');
        if (dot > 0) {
            index = wildcard.get(host.substring(dot));
            if (index != null) {
                return index;
            }
        }
        return -1;
    }
}
