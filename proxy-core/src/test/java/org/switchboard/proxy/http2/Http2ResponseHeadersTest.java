package org.switchboard.proxy.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.switchboard.proxy.codec.http1.HeadIndex;

/** An upstream's HTTP/1 response head as an HTTP/2 header block: what is hop-by-hop stays behind. */
class Http2ResponseHeadersTest {
    @Test
    void fieldsTheUpstreamsConnectionNamesAreHopByHopToo() {
        byte[] head = ("HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=5\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        HeadIndex index = new HeadIndex(8192, 32768);
        assertTrue(index.parseResponse(head, 0, head.length) > 0);

        Http2Headers headers = Http2ResponseHeaders.of(index);

        assertEquals("200", headers.status().toString());
        assertEquals("application/json", headers.get("content-type").toString());
        assertEquals("2", headers.get("content-length").toString());
        assertEquals(null, headers.get("x-hop"), "named by Connection (RFC 9110 7.6.1)");
        assertEquals(null, headers.get("connection"));
        assertEquals(null, headers.get("keep-alive"));
    }
}
