package org.switchboard.config;

import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One value of the loaded YAML tree together with where it sits ({@code routes[2].path}).
 * Every accessor reports a mismatch to the shared {@link Errors} and returns null instead of
 * throwing, so binding carries on and reports the rest of the file as well.
 */
final class Node {
    private static final Object ABSENT = new Object();
    private static final int MAX_QUOTED = 80;
    private static final String HOST_PORT_OR_ZERO = "expected host:port, port 0-65535";

    private final String location;
    private final Object value;
    private final boolean root;
    private final Errors errors;

    private Node(String location, Object value, boolean root, Errors errors) {
        this.location = location;
        this.value = value;
        this.root = root;
        this.errors = errors;
    }

    /** The document itself: errors about it name the source; its keys are located bare. */
    static Node root(Object document, String sourceName, Errors errors) {
        return new Node(sourceName, document, true, errors);
    }

    String location() {
        return location;
    }

    boolean isAbsent() {
        return value == ABSENT;
    }

    /** Reports {@code <location>: <this value> (<expected>)}. */
    void fail(String expected) {
        errors.add(location, describe(value), expected);
    }

    void fail(String found, String expected) {
        errors.add(location, found, expected);
    }

    /**
     * True if this is a map; keys outside {@code keys} are reported but do not make it false,
     * so the known keys are still checked.
     */
    boolean expectMap(String... keys) {
        String expected = "expected one of: " + String.join(", ", keys);
        if (!(value instanceof Map)) {
            fail("expected a map with keys: " + String.join(", ", keys));
            return false;
        }
        for (Object key : ((Map<?, ?>) value).keySet()) {
            if (!Arrays.asList(keys).contains(key)) {
                errors.add(childLocation(String.valueOf(key)), "unknown key", expected);
            }
        }
        return true;
    }

    /** The value under {@code key} of a map checked with {@link #expectMap}; absent if missing. */
    Node field(String key) {
        Map<?, ?> map = (Map<?, ?>) value;
        Object child = map.containsKey(key) ? map.get(key) : ABSENT;
        return new Node(childLocation(key), child, false, errors);
    }

    /** A map with names of our choosing as keys, in file order; null if not a map. */
    Map<String, Node> entries(String expected) {
        if (!(value instanceof Map)) {
            fail(expected);
            return null;
        }
        Map<String, Node> entries = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
            String key = String.valueOf(entry.getKey());
            if (!(entry.getKey() instanceof String)) {
                errors.add(childLocation(key), describe(entry.getKey()) + " as a key", "expected a string key");
                continue;
            }
            entries.put(key, new Node(childLocation(key), entry.getValue(), false, errors));
        }
        return entries;
    }

    /** The elements, located as {@code [i]}; null if not a list. */
    List<Node> list(String expected) {
        if (!(value instanceof List)) {
            fail(expected);
            return null;
        }
        List<?> items = (List<?>) value;
        List<Node> nodes = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            nodes.add(new Node(location + "[" + i + "]", items.get(i), false, errors));
        }
        return nodes;
    }

    String string(String expected) {
        if (value instanceof String) {
            return (String) value;
        }
        fail(expected);
        return null;
    }

    /** A file path: text that is not blank and that the file system can name (no NUL, say). */
    String path(String expected) {
        String text = string(expected);
        if (text == null) {
            return null;
        }
        try {
            if (!text.isBlank()) {
                Path.of(text);
                return text;
            }
        } catch (InvalidPathException e) {
            // reported below
        }
        fail(expected);
        return null;
    }

    Integer integer(int min, int max) {
        String expected = "expected an integer " + min + "-" + max;
        // SnakeYAML picks Integer, Long or BigInteger by magnitude; all are integers to a user.
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            BigInteger n = new BigInteger(value.toString());
            if (n.compareTo(BigInteger.valueOf(min)) >= 0 && n.compareTo(BigInteger.valueOf(max)) <= 0) {
                return n.intValue();
            }
        }
        fail(expected);
        return null;
    }

    /** A number (integer or decimal) within [min, max]. */
    Double number(double min, double max) {
        if (value instanceof Number n && !(value instanceof Float)) {
            double d = n.doubleValue();
            if (d >= min && d <= max) {
                return d;
            }
        }
        fail("expected a number " + min + "-" + max);
        return null;
    }

    Boolean bool() {
        if (value instanceof Boolean b) {
            return b;
        }
        fail("expected true or false");
        return null;
    }

    boolean isBoolean() {
        return value instanceof Boolean;
    }

    boolean isNumber() {
        return value instanceof Number;
    }

    boolean isMap() {
        return value instanceof Map;
    }

    /** This value as compact JSON text; null (reported) when JSON cannot say it. */
    String json(String expected) {
        String json = isAbsent() ? null : JsonText.of(value);
        if (json == null) {
            fail(expected);
        }
        return json;
    }

    /** A list of addresses or ranges ({@code 10.0.0.0/8}); null (reported) on any error. */
    List<Cidr> cidrs() {
        List<Node> items = list("expected a list of IP addresses or ranges such as 10.0.0.0/8");
        if (items == null) {
            return null;
        }
        List<Cidr> cidrs = new ArrayList<>();
        boolean ok = true;
        for (Node item : items) {
            String text = item.string(Cidr.EXPECTED);
            if (text == null) {
                ok = false;
                continue;
            }
            try {
                cidrs.add(Cidr.parse(text));
            } catch (IllegalArgumentException e) {
                item.fail(e.getMessage());
                ok = false;
            }
        }
        return ok ? cidrs : null;
    }

    Integer integerOr(int min, int max, int ifAbsent) {
        return isAbsent() ? Integer.valueOf(ifAbsent) : integer(min, max);
    }

    Duration duration() {
        return duration(false);
    }

    /** A duration that may be {@code 0s} (for what can be turned off). */
    Duration durationZeroAllowed() {
        return isAbsent() ? null : duration(true);
    }

    private Duration duration(boolean zeroAllowed) {
        String text = string(Durations.EXPECTED);
        if (text == null) {
            return null;
        }
        try {
            return Durations.parse(text, zeroAllowed);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return null;
        }
    }

    Long size(long min, long max) {
        if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= min
                && ((Number) value).longValue() <= max) {
            return ((Number) value).longValue(); // a plain number of bytes
        }
        if (value instanceof Integer || value instanceof Long) {
            fail(Sizes.EXPECTED + ", " + min + " to " + max + " bytes");
            return null;
        }
        String text = string(Sizes.EXPECTED);
        if (text == null) {
            return null;
        }
        try {
            long bytes = Sizes.parse(text);
            if (bytes >= min && bytes <= max) {
                return bytes;
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            // reported below
        }
        fail(Sizes.EXPECTED + ", " + min + " to " + max + " bytes");
        return null;
    }

    Long sizeOr(long min, long max, long ifAbsent) {
        return isAbsent() ? Long.valueOf(ifAbsent) : size(min, max);
    }

    Duration durationOr(Duration ifAbsent) {
        return isAbsent() ? ifAbsent : duration();
    }

    HostPort hostPort(boolean allowPortZero) {
        // One form per field: HostPort.parse names the 1-65535 form for any malformed text.
        String expected = allowPortZero ? HOST_PORT_OR_ZERO : HostPort.EXPECTED;
        String text = string(expected);
        if (text == null) {
            return null;
        }
        try {
            return HostPort.parse(text, allowPortZero);
        } catch (IllegalArgumentException e) {
            fail(expected);
            return null;
        }
    }

    private String childLocation(String key) {
        return root ? key : location + "." + key;
    }

    /** How a found value reads in a message: strings quoted (and cut short), containers by kind. */
    static String describe(Object value) {
        if (value == ABSENT) {
            return "missing";
        }
        if (value == null) {
            return "no value";
        }
        if (value instanceof String) {
            return quote((String) value);
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof Map) {
            return "a map";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof Set) {
            return "a set";
        }
        if (value instanceof Date) {
            return "a timestamp";
        }
        if (value instanceof byte[]) {
            return "binary data";
        }
        return "a value of type " + value.getClass().getSimpleName();
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        int end = Math.min(text.length(), MAX_QUOTED);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append(text.length() > MAX_QUOTED ? "...\"" : "\"").toString();
    }
}
