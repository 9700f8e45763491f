package org.switchboard.routing;

import java.util.List;
import java.util.regex.Pattern;
import org.switchboard.config.PathMatchSpec;

/** Matches a raw path. Built once per snapshot, never per request. */
public interface PathMatcher {

    boolean matches(String path);

    static PathMatcher of(PathMatchSpec spec) {
        return switch (spec.kind()) {
            case PREFIX -> new Prefix(spec.value());
            case REGEX -> new Regex(spec.value());
        };
    }

    record Prefix(String prefix) implements PathMatcher {
        @Override
        public boolean matches(String path) {
            return path.startsWith(prefix);
        }

        @Override
        public List<String> literalPrefixes() {
            return List.of(prefix);
        }

        @Override
        public String toString() {
            return "prefix " + prefix;
        }
    }

    /** Literal prefixes every matching path starts with; an empty string when unknown. */
    List<String> literalPrefixes();

    /**
     * A regex found anywhere in the path ({@code find}, as Synapse's docs write them: anchors
     * are explicit). The literal prefixes of an anchored regex are checked with
     * {@code startsWith} first, and a regex that is literal throughout never runs at all.
     */
    final class Regex implements PathMatcher {
        private final Pattern pattern;
        private final String[] prefixes;
        private final boolean exact;
        private final boolean wholeLiteral;
        private final String required;
        private final String[] suffixes;
        private final boolean anchored;
        private final int shortestPrefix;
        /** The regex run without java.util.regex when it fits the subset, else null. */
        private final SegmentPattern segments;

        Regex(String regex) {
            this.pattern = Pattern.compile(regex);
            RegexLiterals literals = RegexLiterals.of(regex);
            this.prefixes = literals.prefixes().toArray(new String[0]);
            this.exact = literals.exact();
            this.wholeLiteral = literals.wholeLiteral();
            this.required = literals.required();
            this.suffixes = literals.suffixes().toArray(new String[0]);
            boolean alternatives = RegexLiterals.hasTopLevelAlternation(regex); // ^a|b: either whole regex
            this.anchored = regex.startsWith("^") && !alternatives;
            int shortest = prefixes.length == 0 ? 0 : Integer.MAX_VALUE;
            for (String prefix : prefixes) {
                shortest = Math.min(shortest, prefix.length());
            }
            this.shortestPrefix = shortest;
            this.segments = alternatives ? null : SegmentPattern.compile(regex);
        }

        @Override
        public boolean matches(String path) {
            if (prefixes.length == 0) {
                return mayContain(path) && pattern.matcher(path).find();
            }
            // The cheapest rejections first: most candidates differ in what follows the prefix.
            if (!mayContain(path) || suffixes.length > 0 && !endsWithAny(path, 0)) {
                return false;
            }
            for (String prefix : prefixes) {
                if (exact ? path.equals(prefix) : path.startsWith(prefix)) {
                    if (suffixes.length > 0) {
                        return endsWithAny(path, prefix.length());
                    }
                    return wholeLiteral || runs(path);
                }
            }
            return false;
        }

        /** {@code .*S$} after a prefix of length {@code afterPrefix}: S must fit after it. */
        private boolean endsWithAny(String path, int afterPrefix) {
            for (String suffix : suffixes) {
                if (path.length() - afterPrefix >= suffix.length() && path.endsWith(suffix)) {
                    return true;
                }
            }
            return false;
        }

        private boolean runs(String path) {
            if (segments != null) {
                return segments.matches(path);
            }
            // lookingAt: an anchored regex can only match at 0, find would try every index.
            return anchored ? pattern.matcher(path).lookingAt() : pattern.matcher(path).find();
        }

        private boolean mayContain(String path) {
            // The required literal follows the prefix, so the scan starts after the shortest one.
            return required == null || path.indexOf(required, shortestPrefix) >= 0;
        }

        @Override
        public List<String> literalPrefixes() {
            return prefixes.length == 0 ? List.of("") : List.of(prefixes);
        }

        @Override
        public String toString() {
            return "regex " + pattern.pattern();
        }
    }
}
