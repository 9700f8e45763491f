package org.switchboard.proxy.codec.http1;

import io.netty.buffer.ByteBuf;

/**
 * Where a request body ends in the bytes read so far: a declared length counted down, or chunked
 * framing followed ({@link ChunkedFramer}). The bytes themselves are not touched: the caller
 * forwards (or drops) the part that {@link #take} says belongs to the body. Reused message after
 * message on one connection.
 */
public final class BodyFraming {
    private long remaining;
    private boolean chunked;
    private ChunkedFramer chunks;

    /** A body of {@code length} bytes (0: none). */
    public void expectLength(long length) {
        chunked = false;
        remaining = length;
    }

    public void expectChunked() {
        chunked = true;
        if (chunks == null) {
            chunks = new ChunkedFramer(true);
        }
        chunks.reset();
    }

    /**
     * How many of {@code buf}'s readable bytes belong to the body (all of them unless it ends
     * inside), or -1 when its chunked framing is broken ({@link #error()}).
     */
    public int take(ByteBuf buf) {
        int readable = buf.readableBytes();
        if (!chunked) {
            int take = (int) Math.min(remaining, readable);
            remaining -= take;
            return take;
        }
        return chunks.scan(buf, buf.readerIndex(), buf.readerIndex() + readable, null);
    }

    /** The whole body has been taken. */
    public boolean done() {
        return chunked ? chunks.done() : remaining == 0;
    }

    public String error() {
        return chunked ? chunks.error() : null;
    }
}
