package org.switchboard.proxy.http1;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 7.6.1):
 * {@code Connection} and every header it names, plus the well-known hop-by-hop names.
 * {@code Transfer-Encoding} is left alone: the codec re-frames the body on each hop from it.
 * {@code Trailer} is not hop-by-hop (RFC 9110 6.6.2): it goes where the trailer fields go.
 */
public final class HopByHopHeaders {
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString[] ALWAYS = {
            HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.TE,
            HttpHeaderNames.UPGRADE, HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION,
    };

    private HopByHopHeaders() {
    }

    /** A client must not be able to drop the framing or the Host by naming them in Connection. */
    private static boolean isProtected(String token) {
        return HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(token)
                || HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(token)
                || HttpHeaderNames.HOST.contentEqualsIgnoreCase(token);
    }

    public static void strip(HttpHeaders headers) {
        // Tokens named by Connection go first, while Connection is still there to read.
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            int start = 0;
            while (start < connection.length()) {
                int comma = connection.indexOf(',', start);
                int end = comma < 0 ? connection.length() : comma;
                String token = connection.substring(start, end).trim();
                if (!token.isEmpty() && !isProtected(token)) {
                    headers.remove(token);
                }
                start = end + 1;
            }
        }
        headers.remove(HttpHeaderNames.CONNECTION);
        for (AsciiString name : ALWAYS) {
            headers.remove(name);
        }
    }
}
