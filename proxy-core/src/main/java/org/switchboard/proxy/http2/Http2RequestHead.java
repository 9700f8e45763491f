package org.switchboard.proxy.http2;

import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.Map;
import org.switchboard.proxy.codec.http1.Chars;

/**
 * An HTTP/2 request's header block written as the HTTP/1.1 head it stands for, so that the strict
 * HTTP/1 parser checks it and the request journey, the routing and the upstream see one form
 * whatever the client spoke (RFC 9113 8.3.1: {@code :authority} becomes Host, the cookie crumbs
 * one Cookie line). A body without a declared length becomes chunked upstream.
 *
 * <p>The parser's rules cover everything but line structure, which this class guarantees: no
 * name holds a colon, whitespace, a control character or an upper-case letter, no value a CR, LF
 * or NUL (RFC 9113 8.2.1), so nothing a client sends can split one field into two lines.
 */
final class Http2RequestHead {
    /** The header block is not a valid HTTP/2 request: 400 and the stream is reset. */
    static final int MALFORMED = -1;
    /** The head does not fit the limits the HTTP/1 parser has: 431. */
    static final int TOO_LARGE = -2;

    private static final AsciiString COOKIE = AsciiString.cached("cookie");
    private static final AsciiString HOST = AsciiString.cached("host");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString TE = AsciiString.cached("te");
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");
    private static final AsciiString TRAILER = AsciiString.cached("trailer");

    private final byte[] out;
    private int at;

    private Http2RequestHead(byte[] out) {
        this.out = out;
    }

    /**
     * Writes the head into {@code out}; its length, or {@link #MALFORMED} or {@link #TOO_LARGE}.
     *
     * @param endStream the header block ended the stream: the request has no body
     */
    static int write(Http2Headers headers, boolean endStream, byte[] out) {
        try {
            return new Http2RequestHead(out).write(headers, endStream);
        } catch (ArrayIndexOutOfBoundsException full) {
            return TOO_LARGE;
        }
    }

    private int write(Http2Headers headers, boolean endStream) {
        CharSequence method = headers.method();
        CharSequence path = headers.path();
        CharSequence authority = headers.authority();
        if (method == null || path == null || headers.scheme() == null || AsciiString.contentEquals(method, "CONNECT")) {
            // CONNECT (and extended CONNECT) is not offered: SETTINGS_ENABLE_CONNECT_PROTOCOL is never sent.
            return MALFORMED;
        }
        if (!plain(method) || !plain(path) || !originFormOrAsterisk(method, path) || !httpScheme(headers.scheme())) {
            return MALFORMED;
        }
        CharSequence host = headers.get(HOST);
        if (authority != null && host != null && !sameAuthority(authority, host, headers.scheme())) {
            return MALFORMED;
        }
        append(method);
        put(' ');
        append(path);
        append(" HTTP/1.1\r\n");
        boolean hasHost = false;
        if (authority != null) {
            if (!value(authority)) {
                return MALFORMED;
            }
            append("host: ");
            append(authority);
            append("\r\n");
            hasHost = true;
        }
        boolean hasLength = false;
        int hostFields = 0;
        int cookies = 0;
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence name = field.getKey();
            CharSequence value = field.getValue();
            if (name.length() > 0 && name.charAt(0) == ':') {
                if (!requestPseudoHeader(name)) {
                    // :protocol is never offered (no SETTINGS_ENABLE_CONNECT_PROTOCOL); :status is a response's.
                    return MALFORMED;
                }
                continue; // the decoder checked their order and number; used above
            }
            if (!name(name) || !value(value)) {
                return MALFORMED;
            }
            if (AsciiString.contentEquals(name, COOKIE)) {
                cookies++;
                continue;
            }
            if (AsciiString.contentEquals(name, HOST)) {
                if (++hostFields > 1) {
                    return MALFORMED; // a repeated Host, as HTTP/1 refuses it (RFC 9112 3.2)
                }
                if (hasHost) {
                    continue; // the same authority as :authority (checked above), written once
                }
                hasHost = true;
            }
            if (AsciiString.contentEquals(name, TRAILER)) {
                continue; // an HTTP/2 request's trailers are not relayed, so none is announced upstream
            }
            if (AsciiString.contentEquals(name, TE)) {
                if (!AsciiString.contentEqualsIgnoreCase(value, TRAILERS)) {
                    return MALFORMED;
                }
                continue; // hop-by-hop in HTTP/1: not forwarded
            }
            if (connectionSpecific(name)) {
                return MALFORMED; // RFC 9113 8.2.2
            }
            if (AsciiString.contentEquals(name, CONTENT_LENGTH)) {
                // A header block that ends the stream carries no DATA: any length but 0 is
                // malformed (RFC 9113 8.1.1), and forwarded it would hold the upstream waiting.
                if (endStream && !isZero(value)) {
                    return MALFORMED;
                }
                hasLength = true;
            }
            append(name);
            append(": ");
            append(value);
            append("\r\n");
        }
        if (cookies > 0) {
            append("cookie: ");
            boolean first = true;
            for (CharSequence crumb : headers.getAll(COOKIE)) {
                if (!first) {
                    append("; ");
                }
                append(crumb);
                first = false;
            }
            append("\r\n");
        }
        if (!endStream && !hasLength) {
            append("transfer-encoding: chunked\r\n");
        }
        append("\r\n");
        return at;
    }

    /**
     * {@code :path} is the path and query of an http or https URI, or {@code *} for a server-wide
     * OPTIONS (RFC 9113 8.3.1): an absolute URI there is malformed, not a request for another host.
     */
    private static boolean originFormOrAsterisk(CharSequence method, CharSequence path) {
        if (path.charAt(0) == '/') {
            return true;
        }
        return path.length() == 1 && path.charAt(0) == '*' && AsciiString.contentEquals(method, "OPTIONS");
    }

    /** This proxy serves http and https resources only; a request for another scheme's is not one of them. */
    private static boolean httpScheme(CharSequence scheme) {
        return AsciiString.contentEqualsIgnoreCase(scheme, "https") || AsciiString.contentEqualsIgnoreCase(scheme, "http");
    }

    /**
     * A Host field naming another authority than {@code :authority} makes the request malformed
     * (RFC 9113 8.3.1), compared as HTTP/1 compares an absolute-form target with its Host (RFC
     * 3986 6.2.3: case, a trailing dot and the scheme's default port aside).
     */
    private static boolean sameAuthority(CharSequence authority, CharSequence host, CharSequence scheme) {
        return Chars.sameOrigin(authority, host, AsciiString.contentEqualsIgnoreCase(scheme, "https") ? 443 : 80);
    }

    private static boolean isZero(CharSequence value) {
        if (value.length() == 0) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    /** The four pseudo-headers of an HTTP/2 request (RFC 9113 8.3.1); any other makes it malformed. */
    private static boolean requestPseudoHeader(CharSequence name) {
        return AsciiString.contentEquals(name, ":method") || AsciiString.contentEquals(name, ":scheme")
                || AsciiString.contentEquals(name, ":path") || AsciiString.contentEquals(name, ":authority");
    }

        private static boolean connectionSpecific(CharSequence name) {
        return AsciiString.contentEquals(name, "connection") || AsciiString.contentEquals(name, "keep-alive")
                || AsciiString.contentEquals(name, "proxy-connection") || AsciiString.contentEquals(name, "transfer-encoding")
                || AsciiString.contentEquals(name, "upgrade");
    }

    /** A field name as HTTP/2 allows it and an HTTP/1 line cannot be broken by. */
    private static boolean name(CharSequence name) {
        if (name.length() == 0) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == ':' || (c >= 'A' && c <= 'Z')) {
                return false;
            }
        }
        return true;
    }

    /** A field value without CR, LF or NUL, and without surrounding whitespace. */
    private static boolean value(CharSequence value) {
        int length = value.length();
        if (length > 0 && (isBlank(value.charAt(0)) || isBlank(value.charAt(length - 1)))) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                return false;
            }
        }
        return true;
    }

    /** A method or path: visible characters only. */
    private static boolean plain(CharSequence text) {
        if (text.length() == 0) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private void append(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            out[at++] = (byte) text.charAt(i);
        }
    }

    private void put(char c) {
        out[at++] = (byte) c;
    }
}
