package org.switchboard.proxy;

import org.switchboard.config.LimitsSpec;
import org.switchboard.proxy.codec.http1.HeadIndex;

/**
 * What one event loop reuses for every HTTP/1 head it parses: the byte array a head is copied
 * into (a {@code byte[]} loop runs faster than reads from a direct buffer) and the index. Used
 * only synchronously within one read, so one per loop serves every connection on it.
 */
final class Http1Scratch {
    /** Leading empty lines and the final CRLF beyond the two limits. */
    private static final int SLACK = 64;
    private static final int REQUEST_LINE_OVERHEAD = 32;

    private LimitsSpec limits;
    private HeadIndex index;
    private byte[] bytes;
    /** Upstream responses: heads up to 64 KiB, as the old decoder allowed. */
    private final HeadIndex responseIndex = new HeadIndex(64 * 1024, 64 * 1024);
    private final byte[] responseBytes = new byte[64 * 1024 + SLACK];
    /** Where a response head is rewritten before it goes out (the index points into responseBytes). */
    private final io.netty.buffer.ByteBuf rewrite = io.netty.buffer.Unpooled.wrappedBuffer(new byte[64 * 1024 + SLACK]);

    HeadIndex index(LimitsSpec current) {
        if (current != limits) {
            limits = current;
            index = new HeadIndex(current.requestTarget() + REQUEST_LINE_OVERHEAD, current.requestHeaders());
            bytes = new byte[current.requestTarget() + REQUEST_LINE_OVERHEAD + current.requestHeaders() + SLACK];
        }
        return index;
    }

    /** Call {@link #index} first: the array is sized from the same limits. */
    byte[] bytes(LimitsSpec current) {
        index(current);
        return bytes;
    }

    HeadIndex responseIndex() {
        return responseIndex;
    }

    byte[] responseBytes() {
        return responseBytes;
    }

    /** An empty heap buffer to write a response head into, valid until the next call. */
    io.netty.buffer.ByteBuf rewrite() {
        return rewrite.clear();
    }
}
