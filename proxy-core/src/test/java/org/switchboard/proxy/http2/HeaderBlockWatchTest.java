package org.switchboard.proxy.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The watch knows a header block is in progress exactly from its first frame's header to its END_HEADERS, at any split. */
class HeaderBlockWatchTest {
    private static final int END_STREAM = 0x1;

    @Test
    void aBlockInTwoFramesIsInProgressFromItsFirstFrameHeaderToTheEndOfItsLastFrame() {
        ByteBuf wire = Unpooled.buffer();
        wire.writeBytes(Http2Frames.CLIENT_PREFACE);
        frame(wire, 0x4, 0, 0, 6); // SETTINGS
        int headersStart = wire.writerIndex();
        frame(wire, Http2Frames.HEADERS, END_STREAM, 1, 20);
        frame(wire, Http2Frames.CONTINUATION, Http2Frames.END_HEADERS, 1, 7);
        int blockEnd = wire.writerIndex();
        frame(wire, 0x0, END_STREAM, 3, 30); // DATA
        frame(wire, Http2Frames.HEADERS, END_STREAM | Http2Frames.END_HEADERS, 5, 0); // an empty block, whole at once
        byte[] bytes = new byte[wire.readableBytes()];
        wire.readBytes(bytes);

        for (int split = 0; split <= bytes.length; split++) {
            HeaderBlockWatch watch = new HeaderBlockWatch();
            watch.scan(Unpooled.wrappedBuffer(bytes, 0, split));
            boolean expected = split >= headersStart + Http2Frames.HEADER_LENGTH && split < blockEnd;
            assertEquals(expected, watch.inProgress(), "after the first " + split + " bytes");
            watch.scan(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
            assertEquals(false, watch.inProgress(), "after all of it, split at " + split);
        }

        HeaderBlockWatch byteByByte = new HeaderBlockWatch();
        for (int i = 0; i < bytes.length; i++) {
            byteByByte.scan(Unpooled.wrappedBuffer(bytes, i, 1));
            assertEquals(i + 1 >= headersStart + Http2Frames.HEADER_LENGTH && i + 1 < blockEnd, byteByByte.inProgress(),
                    "byte by byte, after " + (i + 1));
        }
    }

    private static void frame(ByteBuf out, int type, int flags, int stream, int length) {
        out.writeMedium(length).writeByte(type).writeByte(flags).writeInt(stream).writeZero(length);
    }
}
