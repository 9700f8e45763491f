package org.switchboard.proxy.tls;

import java.util.List;

/**
 * A certificate pair that cannot be served, located as a config error (never a stack trace):
 * one error, or one per file when both files of the pair are unreadable.
 */
public final class TlsConfigException extends Exception {
    private final List<String> errors;

    public TlsConfigException(String message) {
        this(List.of(message));
    }

    TlsConfigException(List<String> errors) {
        super(String.join("; ", errors), null, false, false);
        this.errors = List.copyOf(errors);
    }

    /** Each error, located. */
    public List<String> errors() {
        return errors;
    }
}
