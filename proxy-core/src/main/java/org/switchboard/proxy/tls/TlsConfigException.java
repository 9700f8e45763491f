package org.switchboard.proxy.tls;

/** A certificate pair that cannot be served, located as a config error (never a stack trace). */
public final class TlsConfigException extends Exception {
    public TlsConfigException(String message) {
        super(message, null, false, false);
    }
}
