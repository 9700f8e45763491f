package org.switchboard.proxy.http2;

import io.netty.buffer.ByteBuf;

/**
 * Follows the frame boundaries of what a client sends, beside the frame reader, to tell whether
 * a request's header block has begun and is not yet whole: a HEADERS or CONTINUATION frame
 * partly received, or a block still waiting for its END_HEADERS. The reader keeps such a block to
 * itself until it is whole, so this is what lets {@code timeouts.requestHeader} hold over HTTP/2
 * as over HTTP/1 (a slow header block holds the connection's HPACK state, and so the connection).
 */
final class HeaderBlockWatch {
    private int prefaceLeft = Http2Frames.CLIENT_PREFACE.length;
    private final byte[] frameHeader = new byte[Http2Frames.HEADER_LENGTH];
    private int headerFill;
    private int payloadLeft;
    /** The frame being received is HEADERS or CONTINUATION. */
    private boolean inHeaderFrame;
    private boolean frameEndsBlock;
    /** The last whole HEADERS or CONTINUATION frame did not end its block. */
    private boolean blockOpen;

    /** Takes the client's next bytes (not consumed here), the connection preface included. */
    void scan(ByteBuf bytes) {
        int at = bytes.readerIndex();
        int end = bytes.writerIndex();
        if (prefaceLeft > 0) {
            int skipped = Math.min(prefaceLeft, end - at);
            prefaceLeft -= skipped;
            at += skipped;
        }
        while (at < end) {
            if (payloadLeft > 0) {
                int skipped = Math.min(payloadLeft, end - at);
                payloadLeft -= skipped;
                at += skipped;
                if (payloadLeft == 0) {
                    frameDone();
                }
                continue;
            }
            frameHeader[headerFill++] = bytes.getByte(at++);
            if (headerFill == frameHeader.length) {
                headerFill = 0;
                payloadLeft = (frameHeader[0] & 0xff) << 16 | (frameHeader[1] & 0xff) << 8 | frameHeader[2] & 0xff;
                byte type = frameHeader[3];
                inHeaderFrame = type == Http2Frames.HEADERS || type == Http2Frames.CONTINUATION;
                frameEndsBlock = (frameHeader[4] & Http2Frames.END_HEADERS) != 0;
                if (payloadLeft == 0) {
                    frameDone();
                }
            }
        }
    }

    private void frameDone() {
        if (inHeaderFrame) {
            blockOpen = !frameEndsBlock;
            inHeaderFrame = false;
        }
    }

    /** A header block has begun and is not whole yet. */
    boolean inProgress() {
        return blockOpen || inHeaderFrame;
    }
}
