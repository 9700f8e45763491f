package org.switchboard.config;

/** How a route matches the raw path (percent-encoded, without the query, case-sensitive). */
public record PathMatchSpec(Kind kind, String value) {
    public enum Kind { PREFIX, REGEX }

    public static PathMatchSpec prefix(String prefix) {
        return new PathMatchSpec(Kind.PREFIX, prefix);
    }

    public static PathMatchSpec regex(String regex) {
        return new PathMatchSpec(Kind.REGEX, regex);
    }
}
