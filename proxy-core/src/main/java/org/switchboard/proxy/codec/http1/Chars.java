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
        // host [":" port] (RFC 3986 3.2.2-3.2.3): brackets only around the whole host (an IP
        // literal), and a colon outside them starts the port, digits only (RFC 9112 3.2: a Host
        // with an invalid value is a 400).
        int hostEnd = from;
        if (b[from] == '[') {
            while (hostEnd < to && b[hostEnd] != ']') {
                hostEnd++;
            }
            if (hostEnd == to) {
                return false;
            }
            hostEnd++;
        } else {
            while (hostEnd < to && b[hostEnd] != ':') {
                if (b[hostEnd] == '[' || b[hostEnd] == ']') {
                    return false;
                }
                hostEnd++;
            }
            if (hostEnd == from) {
                return false;
            }
        }
        return hostEnd == to || b[hostEnd] == ':' && isPort(b, hostEnd + 1, to);
    }

    /**
     * The end of an authority (one {@link #isAuthority} accepts) without its port when that port
     * is empty or the scheme's default: {@code h}, {@code h:} and {@code h:80} name the same origin
     * for http (RFC 3986 6.2.3). {@code to} when the port is another.
     */
    static int withoutDefaultPort(byte[] b, int from, int to, int defaultPort) {
        int colon = to - 1;
        while (colon >= from && b[colon] >= '0' && b[colon] <= '9') {
            colon--;
        }
        if (colon < from || b[colon] != ':' || b[from] != '[' && indexOf(b, from, colon, (byte) ':') >= 0) {
            return to; // no port: digits only, or the tail of a bare IPv6 literal (not an authority)
        }
        int port = 0;
        for (int i = colon + 1; i < to; i++) {
            port = port * 10 + b[i] - '0';
        }
        return colon + 1 == to || port == defaultPort ? colon : to;
    }

    private static int indexOf(byte[] b, int from, int to, byte wanted) {
        for (int i = from; i < to; i++) {
            if (b[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** Empty (RFC 3986 allows "host:"), or at most 65535 in decimal digits. */
    private static boolean isPort(byte[] b, int from, int to) {
        if (to - from > 5) {
            return false;
        }
        int port = 0;
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return false;
            }
            port = port * 10 + b[i] - '0';
        }
        return port <= 65535;
    }
}
