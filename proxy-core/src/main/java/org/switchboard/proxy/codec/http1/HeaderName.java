package org.switchboard.proxy.codec.http1;

import java.nio.charset.StandardCharsets;

/**
 * The header names the data path acts on, as small ids, so a parsed head is classified once and
 * every later question ("is this hop-by-hop?", "where is Host?") is an array lookup, never a
 * string comparison. Everything else is {@link #OTHER} and passes through as bytes.
 */
public final class HeaderName {
    public static final byte OTHER = 0;
    public static final byte HOST = 1;
    public static final byte CONTENT_LENGTH = 2;
    public static final byte TRANSFER_ENCODING = 3;
    public static final byte CONNECTION = 4;
    public static final byte EXPECT = 5;
    public static final byte AUTHORIZATION = 6;
    // Hop-by-hop (RFC 9110 7.6.1), never forwarded; Trailer among them by id only, see isHopByHop.
    public static final byte KEEP_ALIVE = 7;
    public static final byte PROXY_CONNECTION = 8;
    public static final byte TE = 9;
    public static final byte TRAILER = 10;
    public static final byte UPGRADE = 11;
    public static final byte PROXY_AUTHENTICATE = 12;
    public static final byte PROXY_AUTHORIZATION = 13;
    // Claims about the client: believed from trusted proxies only.
    public static final byte X_FORWARDED_FOR = 14;
    public static final byte X_FORWARDED_PROTO = 15;
    public static final byte X_REQUEST_ID = 16;
    public static final byte X_REAL_IP = 17;
    public static final byte FORWARDED = 18;
    public static final byte X_FORWARDED_HOST = 19;
    public static final byte X_FORWARDED_PORT = 20;
    public static final byte X_FORWARDED_PREFIX = 21;
    /** A forwarding claim spelt with '_' (X_Forwarded_For): some servers read it as the real one. */
    public static final byte FORWARDING_LOOKALIKE = 22;

    private static final byte[][] NAMES = new byte[23][];

    static {
        name(HOST, "host");
        name(CONTENT_LENGTH, "content-length");
        name(TRANSFER_ENCODING, "transfer-encoding");
        name(CONNECTION, "connection");
        name(EXPECT, "expect");
        name(AUTHORIZATION, "authorization");
        name(KEEP_ALIVE, "keep-alive");
        name(PROXY_CONNECTION, "proxy-connection");
        name(TE, "te");
        name(TRAILER, "trailer");
        name(UPGRADE, "upgrade");
        name(PROXY_AUTHENTICATE, "proxy-authenticate");
        name(PROXY_AUTHORIZATION, "proxy-authorization");
        name(X_FORWARDED_FOR, "x-forwarded-for");
        name(X_FORWARDED_PROTO, "x-forwarded-proto");
        name(X_REQUEST_ID, "x-request-id");
        name(X_REAL_IP, "x-real-ip");
        name(FORWARDED, "forwarded");
        name(X_FORWARDED_HOST, "x-forwarded-host");
        name(X_FORWARDED_PORT, "x-forwarded-port");
        name(X_FORWARDED_PREFIX, "x-forwarded-prefix");
    }

    private static void name(byte id, String lowerCase) {
        NAMES[id] = lowerCase.getBytes(StandardCharsets.US_ASCII);
    }

    private HeaderName() {
    }

    /**
     * Never forwarded on either side: they describe one connection, not the message. Trailer is
     * not one (RFC 9110 6.6.2): it announces the trailer fields, and goes where they go.
     */
    public static boolean isHopByHop(byte id) {
        return id == CONNECTION || (id >= KEEP_ALIVE && id <= PROXY_AUTHORIZATION && id != TRAILER);
    }

    /** A claim about the client or the original request (X-Forwarded-*, Forwarded, X-Real-IP, X-Request-ID). */
    public static boolean isForwardingClaim(byte id) {
        return id >= X_FORWARDED_FOR;
    }

    /** What a trusted proxy may tell us beyond the address chain, proto and request id. */
    public static boolean isKeptFromTrusted(byte id) {
        return id == FORWARDED || id == X_FORWARDED_HOST || id == X_FORWARDED_PORT || id == X_FORWARDED_PREFIX;
    }

    /**
     * The id of the (already validated, token-only) name at {@code b[from, from + length)}. The
     * first letter and the length pick the one or two candidates to compare, so the common
     * names that are none of these (Accept, User-Agent, Content-Type, Date...) cost two lookups.
     */
    public static byte classify(byte[] b, int from, int length) {
        return switch (b[from] | 0x20) {
            case 'h' -> length == 4 ? match(b, from, HOST) : OTHER;
            case 'c' -> length == 14 ? match(b, from, CONTENT_LENGTH) : length == 10 ? match(b, from, CONNECTION) : OTHER;
            case 't' -> length == 17 ? match(b, from, TRANSFER_ENCODING) : length == 2 ? match(b, from, TE)
                    : length == 7 ? match(b, from, TRAILER) : OTHER;
            case 'e' -> length == 6 ? match(b, from, EXPECT) : OTHER;
            case 'a' -> length == 13 ? match(b, from, AUTHORIZATION) : OTHER;
            case 'k' -> length == 10 ? match(b, from, KEEP_ALIVE) : OTHER;
            case 'p' -> length == 16 ? match(b, from, PROXY_CONNECTION) : length == 18 ? match(b, from, PROXY_AUTHENTICATE)
                    : length == 19 ? match(b, from, PROXY_AUTHORIZATION) : OTHER;
            case 'u' -> length == 7 ? match(b, from, UPGRADE) : OTHER;
            case 'f', 'x' -> forwarding(b, from, length);
            default -> OTHER;
        };
    }

    private static byte forwarding(byte[] b, int from, int length) {
        byte id = switch (length) {
            case 9 -> orElse(match(b, from, X_REAL_IP), b, from, FORWARDED);
            case 12 -> match(b, from, X_REQUEST_ID);
            case 15 -> match(b, from, X_FORWARDED_FOR);
            case 16 -> orElse(match(b, from, X_FORWARDED_HOST), b, from, X_FORWARDED_PORT);
            case 17 -> match(b, from, X_FORWARDED_PROTO);
            case 18 -> match(b, from, X_FORWARDED_PREFIX);
            default -> OTHER;
        };
        if (id == OTHER && length >= 9 && length <= 18 && hasUnderscore(b, from, length)) {
            return lookalike(b, from, length);
        }
        return id;
    }

    private static byte orElse(byte found, byte[] b, int from, byte next) {
        return found != OTHER ? found : match(b, from, next);
    }

    /** Case-insensitive: {@code c | 0x20} lowers letters and leaves every other token char unlike a letter or '-'. */
    private static byte match(byte[] b, int from, byte id) {
        byte[] name = NAMES[id];
        for (int i = 0; i < name.length; i++) {
            if ((b[from + i] | 0x20) != name[i]) {
                return OTHER;
            }
        }
        return id;
    }

    private static boolean hasUnderscore(byte[] b, int from, int length) {
        for (int i = from; i < from + length; i++) {
            if (b[i] == '_') {
                return true;
            }
        }
        return false;
    }

    private static byte lookalike(byte[] b, int from, int length) {
        for (byte id = X_FORWARDED_FOR; id <= X_FORWARDED_PREFIX; id++) {
            byte[] name = NAMES[id];
            if (name.length != length) {
                continue;
            }
            int i = 0;
            while (i < length && ((b[from + i] == '_' ? '-' : b[from + i] | 0x20) == name[i])) {
                i++;
            }
            if (i == length) {
                return FORWARDING_LOOKALIKE;
            }
        }
        return OTHER;
    }

    /** Case-insensitive equality of a name in {@code b} with {@code lowerCase} (for names from Connection). */
    static boolean equalsIgnoreCase(byte[] b, int from, int length, byte[] other, int otherFrom, int otherLength) {
        if (length != otherLength) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            int x = b[from + i];
            int y = other[otherFrom + i];
            if (x != y && (toLower(x) != toLower(y))) {
                return false;
            }
        }
        return true;
    }

    private static int toLower(int c) {
        return c >= 'A' && c <= 'Z' ? c | 0x20 : c;
    }
}
