package org.switchboard.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Durations as written in the config: a positive integer and a unit, {@code 500ms}, {@code 5s},
 * {@code 3m}, {@code 1h}. A bare number is refused because its unit would be a guess.
 */
public final class Durations {
    public static final String EXPECTED = "expected a duration such as 500ms, 5s, 3m";
    /** For a {@code 0s} where nothing can be turned off. */
    public static final String NOT_ZERO = "expected a duration longer than 0, such as 500ms, 5s, 3m";
    /**
     * The longest duration any key takes. Timers count in nanoseconds, whose long overflows after
     * 292 years; a year is far beyond any timeout or interval a proxy needs.
     */
    public static final Duration MAX = Duration.ofDays(365);
    public static final String TOO_LONG = "expected a duration of at most " + format(MAX);

    private Durations() {
    }

    /** @throws IllegalArgumentException with {@link #EXPECTED} as its message */
    public static Duration parse(String text) {
        return parse(text, false);
    }

    /** As {@link #parse(String)}; {@code zeroAllowed}: {@code 0s} means "not at all" (a drain's delay). */
    public static Duration parse(String text, boolean zeroAllowed) {
        if (text == null) {
            throw new IllegalArgumentException(EXPECTED);
        }
        int digits = 0;
        while (digits < text.length() && text.charAt(digits) >= '0' && text.charAt(digits) <= '9') {
            digits++;
        }
        if (digits == 0) {
            throw new IllegalArgumentException(EXPECTED);
        }
        // 18 digits always fit in a long; more is beyond MAX in any unit.
        if (digits > 18) {
            throw new IllegalArgumentException(unit(text.substring(digits)) == null ? EXPECTED : TOO_LONG);
        }
        long amount = Long.parseLong(text, 0, digits, 10);
        ChronoUnit unit = unit(text.substring(digits));
        if (unit == null) {
            throw new IllegalArgumentException(EXPECTED);
        }
        if (amount == 0 && !zeroAllowed) {
            throw new IllegalArgumentException(NOT_ZERO);
        }
        Duration duration;
        try {
            duration = Duration.of(amount, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(TOO_LONG);
        }
        if (duration.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(TOO_LONG);
        }
        return duration;
    }

    /**
     * The duration as it could be written in the config, in the largest unit that keeps it whole
     * ({@code 300s} reads as {@code 5m}); for messages that quote a value inherited from elsewhere.
     */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0 && millis != 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0 && millis != 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0 && millis != 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    private static ChronoUnit unit(String suffix) {
        switch (suffix) {
            case "ms": return ChronoUnit.MILLIS;
            case "s": return ChronoUnit.SECONDS;
            case "m": return ChronoUnit.MINUTES;
            case "h": return ChronoUnit.HOURS;
            default: return null;
        }
    }
}
