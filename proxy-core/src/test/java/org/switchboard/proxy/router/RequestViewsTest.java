package org.switchboard.proxy.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.routing.RequestView;

/**
 * Routing sees the same request whether it reads the parse index (first pick) or the head as it
 * was written upstream (a retry's pick): the hash keys must not move a user between the two.
 */
class RequestViewsTest {
    private static final String HEAD = "GET /_matrix/client/v3/sync?since=s1&access_token=t HTTP/1.1\r\n"
            + "Host: Matrix.Example.org\r\nauthorization:  Bearer syt_abc \r\nX-Empty:\r\n\r\n";

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void bothViewsAnswerAlike(boolean fromIndex) {
        byte[] bytes = HEAD.getBytes(StandardCharsets.ISO_8859_1);
        RequestView view;
        if (fromIndex) {
            HeadIndex index = new HeadIndex(8192, 8192);
            index.parseRequest(bytes, 0, bytes.length);
            view = new IndexedRequestView(index, "GET", "/_matrix/client/v3/sync?since=s1&access_token=t", "192.0.2.1");
        } else {
            view = HeadBytesView.ofRequest(bytes, "192.0.2.1");
        }
        assertEquals("GET", view.method());
        assertEquals("/_matrix/client/v3/sync", view.path());
        assertEquals("since=s1&access_token=t", view.query());
        assertEquals("Matrix.Example.org", view.host());
        assertEquals("Bearer syt_abc", view.header("Authorization"));
        assertEquals("", view.header("x-empty"));
        assertNull(view.header("Cookie"));
        assertEquals("192.0.2.1", view.clientAddress());
    }
}
