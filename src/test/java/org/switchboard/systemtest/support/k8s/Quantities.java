package org.switchboard.systemtest.support.k8s;

import java.math.BigDecimal;
import java.util.Map;

/** Kubernetes resource quantities ({@code 512Mi}, {@code 1Ti}, {@code 500m}, {@code 2}) as numbers. */
public final class Quantities {
    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("Ki", BigDecimal.valueOf(1L << 10)), Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
            Map.entry("Gi", BigDecimal.valueOf(1L << 30)), Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
            Map.entry("k", BigDecimal.valueOf(1_000L)), Map.entry("M", BigDecimal.valueOf(1_000_000L)),
            Map.entry("G", BigDecimal.valueOf(1_000_000_000L)), Map.entry("T", BigDecimal.valueOf(1_000_000_000_000L)),
            Map.entry("m", new BigDecimal("0.001")));

    private Quantities() {
    }

    /** The quantity as a number of bytes (or cores), rounded down; fails on what is not a quantity. */
    public static long bytes(String quantity) {
        return value(quantity).longValue();
    }

    /** Millicores of a CPU quantity. */
    public static long millis(String quantity) {
        return value(quantity).multiply(BigDecimal.valueOf(1000)).longValue();
    }

    static BigDecimal value(String quantity) {
        String q = quantity.trim();
        for (Map.Entry<String, BigDecimal> suffix : SUFFIXES.entrySet()) {
            if (suffix.getKey().length() == 2 && q.endsWith(suffix.getKey())) {
                return new BigDecimal(q.substring(0, q.length() - 2)).multiply(suffix.getValue());
            }
        }
        for (Map.Entry<String, BigDecimal> suffix : SUFFIXES.entrySet()) {
            if (suffix.getKey().length() == 1 && q.endsWith(suffix.getKey())) {
                return new BigDecimal(q.substring(0, q.length() - 1)).multiply(suffix.getValue());
            }
        }
        if (q.isEmpty()) {
            throw new IllegalArgumentException("empty quantity");
        }
        return new BigDecimal(q);
    }
}
