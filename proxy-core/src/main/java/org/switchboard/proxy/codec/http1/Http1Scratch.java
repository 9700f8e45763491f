package org.switchboard.proxy.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * What one event loop reuses for every HTTP/1 head it parses: the byte array a head is copied
 * into (a {@code byte[]} loop runs faster than reads from a direct buffer) and the index. Used
 * only synchronously within one read, so one per loop serves every connection on it.
 */
public final class Http1Scratch {
    /**
     * Beyond the two limits: leading empty lines, and the CRLF ending each line (the limits count
     * none), so every head within the limits fits and one that fills the array is too large.
     */
    private static final int SLACK = 64 + 2 * (HeadIndex.MAX_FIELDS + 2);

    private int targetLimit = -1;
    private int headersLimit = -1;
    private HeadIndex index;
    private byte[] bytes;
    /** Upstream responses: heads up to 64 KiB, as the old decoder allowed. */
    private final HeadIndex responseIndex = new HeadIndex(64 * 1024, 64 * 1024);
    private final byte[] responseBytes = new byte[64 * 1024 + SLACK];
    /** Checks a chunked body's first bytes before its head goes out. */
    private final ChunkedFramer chunkCheck = new ChunkedFramer();
    /** Where a response head is rewritten before it goes out (the index points into responseBytes). */
    private final ByteBuf rewrite = Unpooled.wrappedBuffer(new byte[64 * 1024 + SLACK]);

    /** The request index for these limits (the request target's and the header block's), rebuilt when they change. */
    public HeadIndex index(int targetLimit, int headersLimit) {
        if (targetLimit != this.targetLimit || headersLimit != this.headersLimit) {
            this.targetLimit = targetLimit;
            this.headersLimit = headersLimit;
            index = HeadIndex.forRequests(targetLimit, headersLimit);
            bytes = new byte[targetLimit + HeadIndex.REQUEST_LINE_OVERHEAD + headersLimit + SLACK];
        }
        return index;
    }

    /** Call {@link #index} first: the array is sized from the same limits. */
    public byte[] bytes(int targetLimit, int headersLimit) {
        index(targetLimit, headersLimit);
        return bytes;
    }

    public HeadIndex responseIndex() {
        return responseIndex;
    }

    public byte[] responseBytes() {
        return responseBytes;
    }

    public ChunkedFramer chunkCheck() {
        return chunkCheck;
    }

    /** An empty heap buffer to write a response head into, valid until the next call. */
    public ByteBuf rewrite() {
        return rewrite.clear();
    }
}
