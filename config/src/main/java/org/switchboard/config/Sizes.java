package org.switchboard.config;

/** Byte sizes as written in config: {@code 512}, {@code 64KiB}, {@code 100MB}, {@code 1GiB}. */
public final class Sizes {
    public static final String EXPECTED = "expected a size such as 8KiB, 100MB or 1GiB";

    private Sizes() {
    }

    public static long parse(String text) {
        int digits = 0;
        while (digits < text.length() && Character.isDigit(text.charAt(digits))) {
            digits++;
        }
        if (digits == 0 || digits > 15) {
            throw new IllegalArgumentException(EXPECTED);
        }
        long number = Long.parseLong(text.substring(0, digits));
        long unit = switch (text.substring(digits)) {
            case "", "B" -> 1;
            case "KB" -> 1_000;
            case "KiB" -> 1L << 10;
            case "MB" -> 1_000_000;
            case "MiB" -> 1L << 20;
            case "GB" -> 1_000_000_000;
            case "GiB" -> 1L << 30;
            default -> throw new IllegalArgumentException(EXPECTED);
        };
        return Math.multiplyExact(number, unit);
    }
}
