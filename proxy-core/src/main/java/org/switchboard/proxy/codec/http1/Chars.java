package org.switchboard.proxy.codec.http1;

/** Character classes of RFC 9110/9112, as table lookups on bytes. */
final class Chars {
    private static final boolean[] TOKEN = new boolean[256];
    private static final boolean[] AUTHORITY = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
            AUTHORITY[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
            AUTHORITY[c] = true;
            AUTHORITY[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
        // RFC 3986 reg-name, IPv4, [IPv6] and :port.
        for (char c : "-._~%!$&'()*+,;=:[]".toCharArray()) {
            AUTHORITY[c] = true;
        }
    }

    private Chars() {
    }

    static boolean isToken(byte c) {
        return TOKEN[c & 0xff];
    }

    static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** VCHAR: what a request-target may hold (obs-text and controls are refused). */
    static boolean isVisible(byte c) {
        return c > 0x20 && c < 0x7f;
    }

    /** field-vchar, SP, HTAB and obs-text: everything but controls and DEL. */
    static boolean isFieldValue(byte c) {
        int u = c & 0xff;
        return u >= 0x20 ? u != 0x7f : u == '\t';
    }

    /** host[:port] as RFC 3986 allows it, at most 255 bytes. */
    static boolean isAuthority(byte[] b, int from, int to) {
        if (to == from || to - from > 255) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!AUTHORITY[b[i] & 0xff]) {
                return false;
            }
        }
        return true;
    }
}
