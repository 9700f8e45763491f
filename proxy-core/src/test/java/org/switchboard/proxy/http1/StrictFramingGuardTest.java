package org.switchboard.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The guard judges whole lines in place and lines split across reads byte by byte: both must
 * reach the same verdict wherever the reads split the bytes.
 */
class StrictFramingGuardTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET /a HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|",
        "\\r\\nGET /a HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nGET /b HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|",
        "PUT /a HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 5\\r\\n\\r\\n\\r\\n\\n\\rGET /b HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|",
        "POST /a HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3;ext=1\\r\\nabc\\r\\n0\\r\\nTrailer: t\\r\\n\\r\\n|",
        "GET /a HTTP/1.1\\nHost: x\\r\\n\\r\\n|bare LF",
        "GET /a HTTP/1.1\\r\\nHost: x\\rX\\r\\n\\r\\n|CR not followed by LF",
        "GET  /a HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|request line not of the form METHOD SP target SP HTTP/1.x",
        "GET /a http/1.1\\r\\nHost: x\\r\\n\\r\\n|request line not of the form METHOD SP target SP HTTP/1.x",
        "GET /a HTTP/1.1\\r\\nHost: x\\r\\n folded\\r\\n\\r\\n|obs-fold (a header line starting with whitespace)",
        "POST /a HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3;\\r\\nabc\\r\\n0\\r\\n\\r\\n|invalid chunk size or extension",
        "POST /a HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabcd\\r\\n0\\r\\n\\r\\n|chunk data longer than its size, or not ended by CRLF",
        "POST /a HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\nbad trailer\\r\\n\\r\\n|malformed trailer",
    })
    void theVerdictDoesNotDependOnWhereReadsSplit(String escaped, String violation) {
        byte[] bytes = escaped.replace("\\r", "\r").replace("\\n", "\n").getBytes(StandardCharsets.ISO_8859_1);
        String expected = violation == null ? "" : violation;
        assertEquals(expected, verdict(bytes, bytes.length), "whole");
        for (int split = 1; split < bytes.length; split++) {
            assertEquals(expected, verdict(bytes, split), "split at " + split);
        }
        assertEquals(expected, verdict(bytes, 1), "byte by byte");
    }

    /** Feeds {@code bytes} in reads of {@code first} bytes then the rest (or 1 byte at a time if first is 1). */
    private static String verdict(byte[] bytes, int first) {
        EmbeddedChannel channel = new EmbeddedChannel(new StrictFramingGuard());
        String seen = "";
        int at = 0;
        while (at < bytes.length && seen.isEmpty()) {
            int size = at == 0 ? first : first == 1 ? 1 : bytes.length - at;
            ByteBuf read = Unpooled.copiedBuffer(bytes, at, Math.min(size, bytes.length - at));
            at += read.readableBytes();
            try {
                channel.writeInbound(read); // rethrows what went down the pipeline
            } catch (StrictFramingGuard.MalformedFramingException e) {
                seen = e.getMessage();
            }
        }
        for (Object passed; (passed = channel.readInbound()) != null; ) {
            ((ByteBuf) passed).release();
        }
        assertFalse(channel.finish());
        return seen;
    }
}
