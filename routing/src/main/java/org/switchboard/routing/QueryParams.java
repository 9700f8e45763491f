package org.switchboard.routing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Reads parameters of a raw query string without building a map. */
public final class QueryParams {
    private QueryParams() {
    }

    /** The raw (still encoded) value of the first {@code name=...}, or null. */
    public static String rawValue(String query, String name) {
        int start = 0;
        while (start <= query.length()) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = query.length();
            }
            if (query.startsWith(name, start) && start + name.length() < end + 1) {
                int afterName = start + name.length();
                if (afterName == end) {
                    return "";
                }
                if (query.charAt(afterName) == '=') {
                    return query.substring(afterName + 1, end);
                }
            }
            start = end + 1;
        }
        return null;
    }

    public static boolean has(String query, String name) {
        return query != null && rawValue(query, name) != null;
    }

    /**
     * The percent-decoded value of {@code name}, or null. {@code +} stays a plus: access tokens
     * contain {@code +} and {@code /} and clients do not always escape them.
     */
    public static String decodedValue(String query, String name) {
        String raw = rawValue(query, name);
        if (raw == null || raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length() && Hashing.hex(raw.charAt(i + 1)) >= 0 && Hashing.hex(raw.charAt(i + 2)) >= 0) {
                bytes.write(Hashing.hex(raw.charAt(i + 1)) << 4 | Hashing.hex(raw.charAt(i + 2)));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
