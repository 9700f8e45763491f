package org.switchboard.proxy.codec.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of both parsers (Jazzer). A normal test run replays the stored inputs
 * under {@code Http1ParsersFuzzTestInputs/}; {@code JAZZER_FUZZ=1 mvn -pl proxy-core test
 * -Dtest=Http1ParsersFuzzTest} searches for new ones (and stores any that fail).
 *
 * <p>What must hold for any bytes: no exception; a head is accepted, refused with a reason, or
 * incomplete, and one byte less of an accepted head is never accepted; a head we write upstream
 * is itself a head we accept, with the same method, target and kept fields; the chunk framer
 * reaches the same verdict and data however the body is split.
 */
class Http1ParsersFuzzTest {
    private final HeadIndex index = new HeadIndex(1024 + 32, 4096);
    private final HeadIndex reparsed = new HeadIndex(1024 + 32, 8192);

    @FuzzTest(maxDuration = "60s")
    void requestHead(byte[] input) {
        int end = index.parseRequest(input, 0, input.length);
        if (end == HeadIndex.REFUSED) {
            assertNotNull(index.error());
            return;
        }
        if (end == HeadIndex.INCOMPLETE) {
            return;
        }
        assertTrue(end > 0 && end <= input.length);
        assertTrue(index.parseRequest(input, 0, end - 1) < 0, "one byte less of an accepted head is not a head");
        index.parseRequest(input, 0, end);
        String method = new String(input, index.methodStart(), index.methodEnd() - index.methodStart());
        boolean chunked = index.chunked();
        long length = index.contentLength();
        int fields = index.fieldCount();
        ByteBuf out = Unpooled.buffer(HeadWriter.requestCapacity(index, "203.0.113.7", "id"));
        HeadWriter.writeRequest(index, false, "203.0.113.7", "https", "0123456789abcdef0123456789abcdef", out);
        byte[] written = new byte[out.readableBytes()];
        out.readBytes(written);
        out.release();
        int writtenEnd = reparsed.parseRequest(written, 0, written.length);
        if (writtenEnd == HeadIndex.REFUSED && reparsed.error() == HeadError.HEADERS_TOO_LARGE && fields + 4 > HeadIndex.MAX_FIELDS) {
            return; // the lines this hop adds took it past our own field limit: Synapse has none
        }
        assertEquals(written.length, writtenEnd, () -> "our own upstream head must parse: " + reparsed.errorDetail());
        assertEquals(method, new String(written, reparsed.methodStart(), reparsed.methodEnd() - reparsed.methodStart()));
        assertEquals(chunked, reparsed.chunked());
        assertEquals(length, reparsed.contentLength());
        assertEquals(1, reparsed.minorVersion());
    }

    @FuzzTest(maxDuration = "60s")
    void responseAndChunks(byte[] input) {
        int end = index.parseResponse(input, 0, input.length);
        if (end > 0) {
            assertTrue(index.status() >= 100 && index.status() <= 999);
            ByteBuf out = Unpooled.buffer(HeadWriter.responseCapacity(index));
            HeadWriter.writeResponse(index, false, false, true, out);
            byte[] written = new byte[out.readableBytes()];
            out.readBytes(written);
            out.release();
            int writtenEnd = reparsed.parseResponse(written, 0, written.length);
            if (!(writtenEnd == HeadIndex.REFUSED && reparsed.error() == HeadError.HEADERS_TOO_LARGE
                    && index.fieldCount() + 1 > HeadIndex.MAX_FIELDS)) {
                assertEquals(written.length, writtenEnd, () -> "our own response head must parse: " + reparsed.errorDetail());
            }
        }
        // The same bytes as a chunked body, whole and split in two.
        int split = input.length / 2;
        String whole = chunks(input, input.length);
        assertEquals(whole, chunks(input, Math.max(split, 1)), "the verdict depends on where the body was split");
    }

    private static String chunks(byte[] input, int firstRead) {
        ChunkedFramer framer = new ChunkedFramer();
        ByteBuf buf = Unpooled.wrappedBuffer(input);
        StringBuilder data = new StringBuilder();
        ChunkedFramer.DataSink sink = (b, at, n) -> {
            byte[] bytes = new byte[n];
            b.getBytes(at, bytes);
            data.append(Arrays.hashCode(bytes)).append(':').append(n).append(' ');
        };
        int taken = 0;
        for (int at = 0; at < input.length && !framer.done(); at += firstRead) {
            int n = framer.scan(buf, at, Math.min(input.length, at + firstRead), sink);
            if (n < 0) {
                return "refused " + framer.error();
            }
            taken += n;
        }
        // Data may arrive in more pieces when split: compare the total, not the pieces.
        return (framer.done() ? "done " : "open ") + taken + " " + framer.dataBytes();
    }
}
