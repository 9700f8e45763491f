package org.switchboard.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * What an anchored path regex says literally: the set of literal prefixes every match must start
 * with, expanding plain alternations ({@code ^/_matrix/client/(r0|v3)/sync$} gives
 * {@code /_matrix/client/r0/sync} and {@code /_matrix/client/v3/sync}). When the whole regex is
 * literal, the regex need not run at all: it is an exact match ({@code ...$}) or a prefix match.
 *
 * <p>Only a safe subset is understood; anything else ends the literal part early, which is
 * always correct (shorter prefixes just filter less).
 *
 * @param prefixes  literal prefixes of every match; empty for an unanchored regex
 * @param exact     the regex matches exactly the prefixes (it ended in {@code $})
 * @param wholeLiteral the regex matches exactly the paths starting with a prefix
 * @param suffixes  for {@code ^P.*S$}: the literal endings S (with {@code wholeLiteral}, the regex
 *                  then never runs); empty otherwise
 * @param required  a literal every match contains somewhere ({@code /typing} in
 *                  {@code ^/_matrix/client/v3/rooms/.*}{@code /typing}), or null: a cheap
 *                  {@code indexOf} rejects most paths before the regex runs
 */
record RegexLiterals(List<String> prefixes, boolean exact, boolean wholeLiteral, String required,
                     List<String> suffixes) {
    private static final int MAX_EXPANSIONS = 64;
    private static final String META = "\\[](){}.*+?^$|";

    static RegexLiterals of(String regex) {
        if (hasTopLevelAlternation(regex)) {
            // ^a|b matches paths that start with a or contain b: nothing is known of every match.
            return new RegexLiterals(List.of(), false, false, null, List.of());
        }
        if (!regex.startsWith("^")) {
            return new RegexLiterals(List.of(), false, false, requiredLiteral(regex, 0), List.of());
        }
        Expansion head = expand(regex, 1);
        if (head.endsWithDollar()) {
            return new RegexLiterals(head.literals(), true, true, null, List.of());
        }
        if (head.stop() == regex.length()) {
            return new RegexLiterals(head.literals(), false, true, null, List.of());
        }
        if (regex.startsWith(".*", head.stop()) && head.stop() + 2 < regex.length()) {
            // ^P.*S$ with S literal (or literal alternatives): starts with P, ends with S.
            Expansion tail = expand(regex, head.stop() + 2);
            if (tail.endsWithDollar()) {
                return new RegexLiterals(head.literals(), false, true, null, tail.literals());
            }
        }
        return new RegexLiterals(head.literals(), false, false, requiredLiteral(regex, head.resume()), List.of());
    }

    /**
     * The literal strings a regex spells from {@code start} on, alternations expanded.
     *
     * @param stop           where the literal part ends (a metacharacter, or the end)
     * @param resume         where a scan for required literals may continue
     * @param endsWithDollar the literal part runs up to a final {@code $}
     */
    private record Expansion(List<String> literals, int stop, int resume, boolean endsWithDollar) {
    }

    /** A {@code |} outside every group and character class: the regex is a choice of whole regexes. */
    static boolean hasTopLevelAlternation(String regex) {
        int depth = 0;
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i++;
            } else if (inClass) {
                inClass = c != ']';
            } else if (c == '[') {
                inClass = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                return true;
            }
        }
        return false;
    }

    private static Expansion expand(String regex, int start) {
        List<String> literals = new ArrayList<>(List.of(""));
        int i = start;
        while (i < regex.length()) {
            char c = regex.charAt(i);
            if (c == '$' && i == regex.length() - 1) {
                return new Expansion(List.copyOf(literals), i, i, true);
            }
            if (c == '(') {
                int close = regex.indexOf(')', i);
                List<String> alternatives = close < 0 ? null : alternatives(regex.substring(i + 1, close));
                if (alternatives == null || quantified(regex, close + 1)
                        || literals.size() * alternatives.size() > MAX_EXPANSIONS) {
                    return new Expansion(List.copyOf(literals), i, i, false);
                }
                List<String> expanded = new ArrayList<>();
                for (String literal : literals) {
                    for (String alternative : alternatives) {
                        expanded.add(literal + alternative);
                    }
                }
                literals = expanded;
                i = close + 1;
                continue;
            }
            String literal;
            int next;
            if (c == '\\' && i + 1 < regex.length() && !Character.isLetterOrDigit(regex.charAt(i + 1))) {
                literal = String.valueOf(regex.charAt(i + 1));
                next = i + 2;
            } else if (META.indexOf(c) < 0) {
                literal = String.valueOf(c);
                next = i + 1;
            } else {
                return new Expansion(List.copyOf(literals), i, i, false);
            }
            if (quantified(regex, next)) {
                // x? x* x{..} may drop the character; x+ keeps one, but what follows is unknown.
                if (regex.charAt(next) == '+') {
                    literals.replaceAll(prefix -> prefix + literal);
                }
                return new Expansion(List.copyOf(literals), i, next + 1, false);
            }
            literals.replaceAll(prefix -> prefix + literal);
            i = next;
        }
        return new Expansion(List.copyOf(literals), i, i, false);
    }

    /**
     * The longest literal run (of two or more characters) in {@code regex[from..]} that every
     * match must contain: runs inside groups or classes, and characters made optional by a
     * quantifier, do not count; a top-level alternation means nothing is required.
     */
    static String requiredLiteral(String regex, int from) {
        String best = null;
        StringBuilder run = new StringBuilder();
        int i = from;
        while (i <= regex.length()) {
            char c = i < regex.length() ? regex.charAt(i) : '\0';
            boolean escaped = c == '\\' && i + 1 < regex.length() && !Character.isLetterOrDigit(regex.charAt(i + 1));
            boolean literal = i < regex.length() && (escaped || META.indexOf(c) < 0);
            int next = escaped ? i + 2 : i + 1;
            if (literal && !quantified(regex, next)) {
                run.append(escaped ? regex.charAt(i + 1) : c);
                i = next;
                continue;
            }
            if (run.length() >= 2 && (best == null || run.length() > best.length())) {
                best = run.toString();
            }
            run.setLength(0);
            if (i >= regex.length()) {
                break;
            }
            if (c == '|') {
                return null;
            }
            if (c == '\\') {
                if (i + 1 < regex.length() && regex.charAt(i + 1) == 'Q') {
                    return best;
                }
                i += 2; // \d, \w, \b...: a class or an assertion, never a literal
            } else if (c == '{') {
                int close = regex.indexOf('}', i + 1);
                i = close < 0 ? regex.length() : close + 1;
            } else if (c == '(' || c == '[') {
                int close = regex.indexOf(c == '(' ? ')' : ']', i + 1);
                if (close < 0 || regex.indexOf(c, i + 1) >= 0 && regex.indexOf(c, i + 1) < close) {
                    // Nested or unclosed: too clever for this scan; keep what was found so far.
                    return best;
                }
                i = close + 1;
            } else {
                i = literal ? next : i + 1;
            }
        }
        return best;
    }

    private static boolean quantified(String regex, int at) {
        return at < regex.length() && "?*+{".indexOf(regex.charAt(at)) >= 0;
    }

    /** {@code a|b|c} of plain literals (a leading {@code ?:} allowed), else null. */
    static List<String> alternatives(String group) {
        String body = group.startsWith("?:") ? group.substring(2) : group;
        if (body.startsWith("?")) {
            return null;
        }
        List<String> alternatives = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '|') {
                alternatives.add(current.toString());
                current.setLength(0);
            } else if (c == '\\' && i + 1 < body.length() && !Character.isLetterOrDigit(body.charAt(i + 1))) {
                current.append(body.charAt(++i));
            } else if (META.indexOf(c) >= 0) {
                return null;
            } else {
                current.append(c);
            }
        }
        alternatives.add(current.toString());
        return alternatives;
    }
}
