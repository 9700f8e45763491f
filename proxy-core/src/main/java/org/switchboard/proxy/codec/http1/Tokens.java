package org.switchboard.proxy.codec.http1;

import java.nio.charset.StandardCharsets;

/** Comma-separated token lists (Connection, Transfer-Encoding) and fixed words, read in place. */
final class Tokens {
    static final byte[] CHUNKED = ascii("chunked");
    static final byte[] CLOSE = ascii("close");
    static final byte[] KEEP_ALIVE = ascii("keep-alive");
    static final byte[] UPGRADE = ascii("upgrade");
    static final byte[] WEBSOCKET = ascii("websocket");
    static final byte[] CONTINUE = ascii("100-continue");
    static final byte[] OPTIONS = ascii("OPTIONS");
    static final byte[] CONNECT = ascii("CONNECT");
    static final byte[] HEAD = ascii("HEAD");
    static final byte[] GET = ascii("GET");
    static final byte[] POST = ascii("POST");
    static final byte[] PUT = ascii("PUT");
    static final byte[] HTTP = ascii("http");
    static final byte[] HTTPS = ascii("https");

    private Tokens() {
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static int skipListSeparators(byte[] b, int i, int to) {
        while (i < to && (b[i] == ',' || b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** The end of the list element starting at {@code i}: the next comma, OWS trimmed. */
    static int tokenEnd(byte[] b, int i, int to) {
        int end = i;
        while (i < to && b[i] != ',') {
            if (b[i] != ' ' && b[i] != '\t') {
                end = i + 1;
            }
            i++;
        }
        return end;
    }







    /** {@code b[from, to)} equals {@code lowerCase}, ASCII case-insensitively. */
    static boolean equalsIgnoreCase(byte[] b, int from, int to, byte[] lowerCase) {
        if (to - from != lowerCase.length) {
            return false;
        }
        for (int i = 0; i < lowerCase.length; i++) {
            int c = b[from + i];
            if (c != lowerCase[i] && (c < 'A' || c > 'Z' || (c | 0x20) != lowerCase[i])) {
                return false;
            }
        }
        return true;
    }

    static boolean equalsExactly(byte[] b, int from, int to, byte[] word) {
        if (to - from != word.length) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if (b[from + i] != word[i]) {
                return false;
            }
        }
        return true;
    }

    /** After {@code http://} or {@code https://} (any case) at {@code from}: the authority's start, or -1. */
    static int afterScheme(byte[] b, int from, int to) {
        for (byte[] scheme : new byte[][] {HTTP, HTTPS}) {
            int end = from + scheme.length;
            if (end + 3 <= to && equalsIgnoreCase(b, from, end, scheme) && b[end] == ':' && b[end + 1] == '/'
                    && b[end + 2] == '/') {
                return end + 3;
            }
        }
        return -1;
    }
}
