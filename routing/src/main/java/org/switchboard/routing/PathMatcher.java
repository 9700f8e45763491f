package org.switchboard.routing;

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
        public String toString() {
            return "prefix " + prefix;
        }
    }

    /**
     * A regex found anywhere in the path ({@code find}, as Synapse's docs write them: anchors
     * are explicit). When the regex is anchored and starts with a literal run, that run is
     * checked with {@code startsWith} first, which rejects most paths without running the regex.
     */
    final class Regex implements PathMatcher {
        private final Pattern pattern;
        private final String literalPrefix;

        Regex(String regex) {
            this.pattern = Pattern.compile(regex);
            this.literalPrefix = anchoredLiteralPrefix(regex);
        }

        @Override
        public boolean matches(String path) {
            return path.startsWith(literalPrefix) && pattern.matcher(path).find();
        }

        /** The literal characters after a leading {@code ^}, up to the first metacharacter. */
        static String anchoredLiteralPrefix(String regex) {
            if (!regex.startsWith("^")) {
                return "";
            }
            StringBuilder literal = new StringBuilder();
            for (int i = 1; i < regex.length(); i++) {
                char c = regex.charAt(i);
                if ("\\[](){}.*+?^$|".indexOf(c) >= 0) {
                    // A quantifier applies to the character before it, so that one is not literal.
                    if ((c == '*' || c == '?' || c == '{') && literal.length() > 0) {
                        literal.setLength(literal.length() - 1);
                    }
                    break;
                }
                literal.append(c);
            }
            return literal.toString();
        }

        @Override
        public String toString() {
            return "regex " + pattern.pattern();
        }
    }
}
