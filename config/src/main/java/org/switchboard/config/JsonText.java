package org.switchboard.config;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** YAML values (maps, lists, strings, numbers, booleans, null) written as compact JSON. */
final class JsonText {
    private JsonText() {
    }

    /** The JSON text of {@code value}, or null when it holds something JSON cannot say (a date, a non-string key). */
    static String of(Object value) {
        StringBuilder out = new StringBuilder();
        return write(value, out) ? out.toString() : null;
    }

    private static boolean write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String text) {
            quote(text, out);
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return false;
            }
            out.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString());
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    return false;
                }
                out.append(first ? "" : ",");
                first = false;
                quote(key, out);
                out.append(':');
                if (!write(entry.getValue(), out)) {
                    return false;
                }
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                if (!write(list.get(i), out)) {
                    return false;
                }
            }
            out.append(']');
        } else {
            return false;
        }
        return true;
    }

    static void quote(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
