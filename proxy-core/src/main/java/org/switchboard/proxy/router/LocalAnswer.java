package org.switchboard.proxy.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A response the proxy gives by itself instead of forwarding: one of its {@link MatrixErrors}, a
 * rate limit's 429 ({@code RateLimited}), or a route's fixed answer ({@code FixedAnswer}).
 */
public interface LocalAnswer {

    /**
     * The whole response as HTTP/1 bytes.
     *
     * @param headRequest the request was HEAD: the head says the body's length, the body is left out
     */
    ByteBuf encoded(ByteBufAllocator alloc, boolean http10, boolean close, boolean headRequest);

    int statusCode();

    /** The body's length, for the access log. */
    int bodyLength();

    /** The body bytes the client gets: none in the answer to HEAD, which only says the length. */
    default int bodyBytesSent(boolean headRequest) {
        return headRequest ? 0 : bodyLength();
    }

    /** The {@code kind} of switchboard_proxy_errors this answer counts under, or null for a wanted answer. */
    String metricTag();
}
