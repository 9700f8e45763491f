package org.switchboard.config;

import java.util.Locale;

/**
 * What a client's half-close (it shut down its sending side) means while its request is running.
 * {@code abandon} (the default, as nginx does): the client gave up, for instance on a long poll,
 * so the upstream is released at once. {@code wait} (as HAProxy does): some clients send a whole
 * request, then shut down writing and still read the answer; the response is delivered, then the
 * connection closes.
 */
public enum ClientHalfClose {
    ABANDON, WAIT;

    /** The config spelling: {@code abandon}, {@code wait}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
