package org.switchboard.proxy.codec.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The chunk framer reaches the same verdict, end and data wherever the reads split the body. */
class ChunkedFramerTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "3\\r\\nabc\\r\\n0\\r\\n\\r\\n|ok 13 abc",
        "3;ext=1;q=\"a b\"\\r\\nabc\\r\\nA\\r\\n0123456789\\r\\n0\\r\\nX-T: 1\\r\\n\\r\\nNEXT|ok 50 abc0123456789",
        "3 ; e\\r\\nabc\\r\\n0\\r\\n\\r\\n|ok 17 abc",
        "3;\\r\\nabc\\r\\n0\\r\\n\\r\\n|invalid chunk size or extension",
        "x\\r\\n|invalid chunk size or extension",
        "3\\r\\nabcd\\r\\n0\\r\\n\\r\\n|chunk data longer than its size, or not ended by CRLF",
        "3\\nabc\\r\\n|bare LF",
        "1000000000000000\\r\\n|invalid chunk size or extension",
        "0\\r\\nbad trailer\\r\\n\\r\\n|malformed trailer",
        "0\\r\\n X: folded\\r\\n\\r\\n|malformed trailer",
    })
    void sameVerdictWhereverReadsSplit(String escaped, String expected) {
        byte[] body = escaped.replace("\\r", "\r").replace("\\n", "\n").getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 1; split <= body.length; split++) {
            assertEquals(expected, run(body, split), "reads of " + split + " bytes");
        }
    }

    /** Feeds the body in reads of {@code size} bytes; the verdict, bytes taken and de-chunked data. */
    private static String run(byte[] body, int size) {
        ChunkedFramer framer = new ChunkedFramer();
        StringBuilder data = new StringBuilder();
        ByteBuf all = Unpooled.wrappedBuffer(body);
        int taken = 0;
        for (int at = 0; at < body.length && !framer.done(); at += size) {
            int to = Math.min(at + size, body.length);
            int n = framer.scan(all, at, to, (buf, index, length) -> data.append(buf.toString(index, length, StandardCharsets.ISO_8859_1)));
            if (n < 0) {
                return framer.error();
            }
            taken += n;
        }
        assertEquals(data.length(), framer.dataBytes());
        return framer.done() ? "ok " + taken + " " + data : "incomplete";
    }

    /** A request's trailers may not carry what only a header section may: the upstream would get them as they came. */
    @Test
    void aRequestTrailerNamingAHeaderOnlyFieldIsRefused() {
        for (String trailer : new String[] {"Content-Length: 99", "transfer-encoding: chunked", "Host: evil",
                "X-Forwarded-For: 6.6.6.6", "Authorization: Bearer x", "Connection: close"}) {
            ByteBuf body = Unpooled.copiedBuffer("3\r\nabc\r\n0\r\n" + trailer + "\r\n\r\n", StandardCharsets.ISO_8859_1);
            ChunkedFramer request = new ChunkedFramer(true);
            assertEquals(-1, request.scan(body, 0, body.writerIndex(), null), trailer);
            assertEquals("a trailer field only a header section may carry", request.error());
            ChunkedFramer response = new ChunkedFramer();
            assertEquals(body.writerIndex(), response.scan(body, 0, body.writerIndex(), null), "a response's, passed on: " + trailer);
        }
        ByteBuf fine = Unpooled.copiedBuffer("0\r\nX-Checksum: abc\r\n\r\n", StandardCharsets.ISO_8859_1);
        ChunkedFramer request = new ChunkedFramer(true);
        assertEquals(fine.writerIndex(), request.scan(fine, 0, fine.writerIndex(), null));
    }

    /** The check of a body's first bytes starts afresh each time, whatever the last body left behind. */
    @Test
    void firstErrorJudgesTheStartOfEachBodyOnItsOwn() {
        ChunkedFramer framer = new ChunkedFramer();
        ByteBuf broken = Unpooled.copiedBuffer("zz\r\n", StandardCharsets.ISO_8859_1);
        ByteBuf unfinished = Unpooled.copiedBuffer("3\r\nab", StandardCharsets.ISO_8859_1);
        assertEquals("invalid chunk size or extension", framer.firstError(broken, 0, broken.writerIndex()));
        assertNull(framer.firstError(unfinished, 0, unfinished.writerIndex()));
        assertNull(framer.firstError(unfinished, 0, 0), "no body bytes yet");
        assertEquals("chunk data longer than its size, or not ended by CRLF",
                framer.firstError(Unpooled.copiedBuffer("1\r\nab", StandardCharsets.ISO_8859_1), 0, 5));
    }
}
