package org.switchboard.proxy.codec.http1;

/** Character classes of RFC 9110/9112, as table lookups on bytes. */
public final class Chars {
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
        int hostEnd = hostEnd(b, from, to);
        return hostEnd > from && (hostEnd == to || b[hostEnd] == ':' && isPort(b, hostEnd + 1, to));
    }

    /**
     * Where the host of {@code host [":" port]} ends (RFC 3986 3.2.2-3.2.3): after the bracket
     * closing an IP literal, else at the first colon; -1 for brackets anywhere else. A colon there
     * starts the port, digits only (RFC 9112 3.2: a Host with an invalid value is a 400).
     */
    private static int hostEnd(byte[] b, int from, int to) {
        int at = from;
        if (b[from] == '[') {
            while (at < to && b[at] != ']') {
                at++;
            }
            return at == to ? -1 : at + 1;
        }
        while (at < to && b[at] != ':') {
            if (b[at] == '[' || b[at] == ']') {
                return -1;
            }
            at++;
        }
        return at;
    }

    /**
     * Whether two authorities (each one {@link #isAuthority} accepts) name the same origin for a
     * scheme whose default port is {@code defaultPort}: hosts alike but for case and a trailing
     * dot (the DNS root: {@code h.} is {@code h}), and the same port, an empty or absent one being
     * the default ({@code h}, {@code h:} and {@code h:80} for http, RFC 3986 6.2.3).
     */
    static boolean sameOrigin(byte[] b, int aFrom, int aTo, int bFrom, int bTo, int defaultPort) {
        int aHostEnd = hostEnd(b, aFrom, aTo);
        int bHostEnd = hostEnd(b, bFrom, bTo);
        if (port(b, aHostEnd, aTo, defaultPort) != port(b, bHostEnd, bTo, defaultPort)) {
            return false;
        }
        int aEnd = withoutTrailingDot(b, aFrom, aHostEnd);
        int bEnd = withoutTrailingDot(b, bFrom, bHostEnd);
        return HeaderName.equalsIgnoreCase(b, aFrom, aEnd - aFrom, b, bFrom, bEnd - bFrom);
    }

    /**
     * {@link #sameOrigin} for two field values held apart (HTTP/2's {@code :authority} and a
     * {@code host} field): false unless both are authorities.
     */
    public static boolean sameOrigin(CharSequence a, CharSequence b, int defaultPort) {
        byte[] both = new byte[a.length() + b.length()];
        for (int i = 0; i < a.length(); i++) {
            both[i] = (byte) a.charAt(i);
        }
        for (int i = 0; i < b.length(); i++) {
            both[a.length() + i] = (byte) b.charAt(i);
        }
        return isAuthority(both, 0, a.length()) && isAuthority(both, a.length(), both.length)
                && sameOrigin(both, 0, a.length(), a.length(), both.length, defaultPort);
    }

    /** The port after a host ending at {@code hostEnd}: the default when there is none, or it is empty. */
    private static int port(byte[] b, int hostEnd, int to, int defaultPort) {
        if (hostEnd + 1 >= to) {
            return defaultPort;
        }
        int port = 0;
        for (int i = hostEnd + 1; i < to; i++) {
            port = port * 10 + b[i] - '0';
        }
        return port;
    }

    private static int withoutTrailingDot(byte[] b, int from, int end) {
        return end - 1 > from && b[end - 1] == '.' ? end - 1 : end;
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
