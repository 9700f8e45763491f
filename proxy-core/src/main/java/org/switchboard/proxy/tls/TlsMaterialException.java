package org.switchboard.proxy.tls;

/** A certificate or key that cannot be used; the message says why, for a located config error. */
public final class TlsMaterialException extends Exception {
    public TlsMaterialException(String message) {
        super(message, null, false, false);
    }
}
