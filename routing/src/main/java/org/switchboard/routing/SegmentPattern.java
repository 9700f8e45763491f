package org.switchboard.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * A matcher for the path regexes route tables are made of, without java.util.regex: anchored
 * sequences of literals, literal alternations {@code (r0|v3)}, {@code .*}, one path segment
 * {@code [^/]*} or {@code [^/]+}, and a final {@code $}. Matching walks the path with
 * {@code startsWith}/{@code indexOf}, which is several times faster than the backtracking regex
 * engine on {@code .*}. Anything outside that subset compiles to null and the regex is used.
 * Semantics are those of {@code Matcher.lookingAt()} on the anchored regex.
 */
final class SegmentPattern {
    private static final String META = "\\[](){}.*+?^$|";

    private sealed interface Token permits Literal, Alternatives, AnyRun, Segment, End {
    }

    private record Literal(String text) implements Token {
    }

    private record Alternatives(String[] texts) implements Token {
    }

    private record AnyRun() implements Token {
    }

    /** {@code [^/]*} (min 0) or {@code [^/]+} (min 1). */
    private record Segment(int min) implements Token {
    }

    private record End() implements Token {
    }

    private final Token[] tokens;

    private SegmentPattern(List<Token> tokens) {
        this.tokens = tokens.toArray(new Token[0]);
    }

    /** The pattern for an anchored regex inside the subset, else null. */
    static SegmentPattern compile(String regex) {
        if (!regex.startsWith("^")) {
            return null;
        }
        List<Token> tokens = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 1;
        while (i < regex.length()) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length() && !Character.isLetterOrDigit(regex.charAt(i + 1))) {
                if (quantified(regex, i + 2)) {
                    return null;
                }
                literal.append(regex.charAt(i + 1));
                i += 2;
                continue;
            }
            if (META.indexOf(c) < 0) {
                if (quantified(regex, i + 1)) {
                    return null;
                }
                literal.append(c);
                i++;
                continue;
            }
            flush(literal, tokens);
            if (c == '$' && i == regex.length() - 1) {
                tokens.add(new End());
                i++;
            } else if (regex.startsWith(".*", i) && !quantified(regex, i + 2)) {
                tokens.add(new AnyRun());
                i += 2;
            } else if (regex.startsWith("[^/]*", i) || regex.startsWith("[^/]+", i)) {
                if (quantified(regex, i + 5)) {
                    return null;
                }
                tokens.add(new Segment(regex.charAt(i + 4) == '+' ? 1 : 0));
                i += 5;
            } else if (c == '(') {
                int close = regex.indexOf(')', i);
                List<String> alternatives = close < 0 ? null : RegexLiterals.alternatives(regex.substring(i + 1, close));
                if (alternatives == null || quantified(regex, close + 1)) {
                    return null;
                }
                tokens.add(new Alternatives(alternatives.toArray(new String[0])));
                i = close + 1;
            } else {
                return null;
            }
        }
        flush(literal, tokens);
        return new SegmentPattern(tokens);
    }

    private static void flush(StringBuilder literal, List<Token> tokens) {
        if (literal.length() > 0) {
            tokens.add(new Literal(literal.toString()));
            literal.setLength(0);
        }
    }

    private static boolean quantified(String regex, int at) {
        return at < regex.length() && "?*+{".indexOf(regex.charAt(at)) >= 0;
    }

    boolean matches(String path) {
        return matchFrom(path, 0, 0);
    }

    private boolean matchFrom(String path, int pos, int index) {
        while (index < tokens.length) {
            Token token = tokens[index];
            if (token instanceof Literal literal) {
                if (!path.startsWith(literal.text(), pos)) {
                    return false;
                }
                pos += literal.text().length();
                index++;
            } else if (token instanceof Alternatives alternatives) {
                for (String text : alternatives.texts()) {
                    if (path.startsWith(text, pos) && matchFrom(path, pos + text.length(), index + 1)) {
                        return true;
                    }
                }
                return false;
            } else if (token instanceof End) {
                return pos == path.length();
            } else if (token instanceof AnyRun) {
                return anyRunThen(path, pos, index + 1);
            } else {
                int segmentEnd = path.indexOf('/', pos);
                if (segmentEnd < 0) {
                    segmentEnd = path.length();
                }
                // Greedy like the regex, giving back one character at a time.
                for (int end = segmentEnd; end >= pos + ((Segment) token).min(); end--) {
                    if (matchFrom(path, end, index + 1)) {
                        return true;
                    }
                }
                return false;
            }
        }
        return true;
    }

    /** {@code .*} followed by the tokens from {@code next}: try each place they could start. */
    private boolean anyRunThen(String path, int pos, int next) {
        if (next == tokens.length) {
            return true;
        }
        // Like the regex's '.', the run stops at line terminators (never in a sane path).
        int limit = pos;
        while (limit < path.length() && !isLineTerminator(path.charAt(limit))) {
            limit++;
        }
        if (tokens[next] instanceof Literal literal) {
            for (int at = path.indexOf(literal.text(), pos); at >= 0 && at <= limit; at = path.indexOf(literal.text(), at + 1)) {
                if (matchFrom(path, at, next)) {
                    return true;
                }
            }
            return false;
        }
        for (int at = limit; at >= pos; at--) {
            if (matchFrom(path, at, next)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLineTerminator(char c) {
        return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }
}
