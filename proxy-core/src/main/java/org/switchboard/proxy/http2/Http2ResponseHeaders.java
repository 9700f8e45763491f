package org.switchboard.proxy.http2;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.codec.http1.HeadWriter;
import org.switchboard.proxy.codec.http1.HeaderName;

/**
 * An HTTP/1 response head (an upstream's, or one of the proxy's own answers) as an HTTP/2 header
 * block: the status, then every field but the connection-specific ones HTTP/2 forbids (RFC 9113
 * 8.2.2), those the upstream's Connection names (RFC 9110 7.6.1) and a length that a 1xx or 204
 * must not have, names in lower case. The head was
 * checked by the strict parser already.
 */
final class Http2ResponseHeaders {
    private Http2ResponseHeaders() {
    }

    static Http2Headers of(HeadIndex head) {
        byte[] bytes = head.bytes();
        // Not validated again: the parser let through only token names and field-value bytes.
        Http2Headers headers = new DefaultHttp2Headers(false, head.fieldCount() + 1);
        headers.status(AsciiString.of(Integer.toString(head.status())));
        boolean noFraming = HeadWriter.forbidsFramingFields(head.status());
        for (int field = 0; field < head.fieldCount(); field++) {
            byte id = head.id(field);
            // Trailer too: an upstream's trailers are not relayed over HTTP/2, so none is announced.
            if (HeaderName.isHopByHop(id) || id == HeaderName.TRANSFER_ENCODING || id == HeaderName.TRAILER
                    || head.namedByConnection(field)
                    || noFraming && id == HeaderName.CONTENT_LENGTH) {
                continue;
            }
            int nameStart = head.nameStart(field);
            AsciiString name = new AsciiString(bytes, nameStart, head.nameEnd(field) - nameStart, true).toLowerCase();
            int valueStart = head.valueStart(field);
            headers.add(name, new AsciiString(bytes, valueStart, head.valueEnd(field) - valueStart, true));
        }
        return headers;
    }
}
