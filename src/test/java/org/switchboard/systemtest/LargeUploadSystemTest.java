package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;

/**
 * A 1 GiB upload streams through a proxy whose JVM has a 384 MB heap (surefire's -Xmx384m for
 * this module): aggregating it anywhere would fail with OutOfMemoryError.
 */
@ExtendWith(LeakCheck.class)
class LargeUploadSystemTest {
    private static final long ONE_GIB = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void oneGibUploadStreamsThroughABoundedHeap() throws Exception {
        long maxHeap = Runtime.getRuntime().maxMemory();
        // Well under the upload: a proxy that held the body anywhere would run out.
        assertTrue(maxHeap <= 400L * 1024 * 1024, "this test needs the bounded heap, got " + maxHeap);
        try (TinyUpstream media = new TinyUpstream(countBytes());
             ProxyUnderTest proxy = ProxyUnderTest.start(dir, """
                     upstreams:
                       media:
                         endpoints: ["%s"]
                     routes:
                       - path: { prefix: "/" }
                         upstream: media
                         maxBody: 2GiB
                     """.formatted(media.endpoint()));
             RawClient client = new RawClient(proxy.address())) {
            client.send("POST /_matrix/media/v3/upload HTTP/1.1\r\nHost: a\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: " + ONE_GIB + "\r\n\r\n");
            OutputStream out = client.output();
            byte[] block = new byte[256 * 1024];
            for (int i = 0; i < block.length; i++) {
                block[i] = (byte) i;
            }
            for (long sent = 0; sent < ONE_GIB; sent += block.length) {
                out.write(block);
            }
            out.flush();
            RawClient.Response response = client.readResponse();
            assertEquals(200, response.status());
            assertEquals(Long.toString(ONE_GIB), response.body());
        }
    }

    /** Answers with the number of body bytes it received. */
    private static TinyUpstream.Behavior countBytes() {
        return (request, out, in) -> {
            String body = Long.toString(request.bodyBytes());
            out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body));
            out.flush();
            return true;
        };
    }
}
