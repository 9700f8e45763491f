package org.switchboard.proxy.tls;

import java.util.List;

/** Certificates a TLS listener cannot start with: every one, located. */
public final class TlsStartException extends Exception {
    private final List<String> errors;

    public TlsStartException(List<String> errors) {
        super(String.join("; ", errors), null, false, false);
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
