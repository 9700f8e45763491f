package org.switchboard.config;

/**
 * The application log (standard error; the access log is separate): one line per event.
 *
 * @param format {@code text} for people, {@code json} for log shippers
 */
public record LoggingSpec(Format format) {
    public static final LoggingSpec DEFAULTS = new LoggingSpec(Format.TEXT);

    /** How each line is written. */
    public enum Format {
        TEXT, JSON
    }
}
