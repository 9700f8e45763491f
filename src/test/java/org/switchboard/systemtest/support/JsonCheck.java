package org.switchboard.systemtest.support;

/** A strict JSON syntax check (RFC 8259), enough to prove an admin answer parses. */
public final class JsonCheck {
    private final String text;
    private int at;

    private JsonCheck(String text) {
        this.text = text;
    }

    /** Throws IllegalArgumentException naming the offset where the text stops being JSON. */
    public static void parse(String text) {
        JsonCheck check = new JsonCheck(text);
        check.value();
        check.space();
        if (check.at != text.length()) {
            throw check.error("trailing characters");
        }
    }

    private void value() {
        space();
        if (at >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(at);
        switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        }
    }

    private void object() {
        at++;
        space();
        if (peek('}')) {
            at++;
            return;
        }
        while (true) {
            space();
            string();
            space();
            expect(':');
            value();
            space();
            if (peek(',')) {
                at++;
            } else {
                expect('}');
                return;
            }
        }
    }

    private void array() {
        at++;
        space();
        if (peek(']')) {
            at++;
            return;
        }
        while (true) {
            value();
            space();
            if (peek(',')) {
                at++;
            } else {
                expect(']');
                return;
            }
        }
    }

    private void string() {
        expect('"');
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '"') {
                return;
            }
            if (c < 0x20) {
                throw error("control character in string");
            }
            if (c == '\\') {
                char e = text.charAt(at++);
                if (e == 'u') {
                    for (int i = 0; i < 4; i++) {
                        if (Character.digit(text.charAt(at++), 16) < 0) {
                            throw error("bad \\u escape");
                        }
                    }
                } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                    throw error("bad escape");
                }
            }
        }
        throw error("unterminated string");
    }

    private void number() {
        int start = at;
        if (peek('-')) {
            at++;
        }
        while (at < text.length() && "0123456789.eE+-".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        String number = text.substring(start, at);
        if (!number.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
            throw error("bad number " + number);
        }
    }

    private void literal(String word) {
        if (!text.startsWith(word, at)) {
            throw error("expected " + word);
        }
        at += word.length();
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error("expected " + c);
        }
        at++;
    }

    private boolean peek(char c) {
        return at < text.length() && text.charAt(at) == c;
    }

    private void space() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at offset " + at + ": "
                + text.substring(Math.max(0, at - 30), Math.min(text.length(), at + 30)));
    }
}
