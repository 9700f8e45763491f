package org.switchboard.routing;

/**
 * A 64-bit hash that is the same in every JVM, replica and restart (FNV-1a folded through
 * MurmurHash3's finaliser for avalanche): ring positions and request keys must agree across
 * proxies, so nothing here may depend on identity hash codes or random seeds.
 */
public final class Hashing {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Hashing() {
    }

    public static long hash(CharSequence text) {
        return hash(text, 0, text.length());
    }

    /** Hashes {@code text[from, to)} without copying it. */
    public static long hash(CharSequence text, int from, int to) {
        long h = FNV_OFFSET;
        for (int i = from; i < to; i++) {
            h = (h ^ text.charAt(i)) * FNV_PRIME;
        }
        return mix(h);
    }

    /**
     * Hashes {@code text[from, to)} as if percent-decoded ({@code %21} counts as {@code !}), so
     * a room id written either way lands on the same endpoint.
     */
    public static long hashPercentDecoded(CharSequence text, int from, int to) {
        long h = FNV_OFFSET;
        for (int i = from; i < to; i++) {
            int c = text.charAt(i);
            if (c == '%' && i + 2 < to && hex(text.charAt(i + 1)) >= 0 && hex(text.charAt(i + 2)) >= 0) {
                c = hex(text.charAt(i + 1)) << 4 | hex(text.charAt(i + 2));
                i += 2;
            }
            h = (h ^ c) * FNV_PRIME;
        }
        return mix(h);
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** MurmurHash3's fmix64. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93fe53a87e3L;
        h ^= h >>> 33;
        return h;
    }
}
