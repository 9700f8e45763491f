package org.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.switchboard.proxy.router.LocalAnswer;
import org.switchboard.routing.CorsHeaders;

/**
 * 429 {@code M_LIMIT_EXCEEDED} for a client over a route's rate limit, saying when to come back
 * as Synapse does: {@code retry_after_ms} in the body and {@code Retry-After} (whole seconds,
 * rounded up) in the head.
 */
public final class RateLimited implements LocalAnswer {
    static final String METRIC_TAG = "rate_limited";
    private static final byte[] BODY_START =
            "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too many requests\",\"retry_after_ms\":"
                    .getBytes(StandardCharsets.US_ASCII);

    private final long retryAfterMillis;
    private final String millisText;

    /** @param waitNanos how long until the client's next request would be admitted (more than 0) */
    RateLimited(long waitNanos) {
        this.retryAfterMillis = Math.max(1, (waitNanos + 999_999) / 1_000_000);
        this.millisText = Long.toString(retryAfterMillis);
    }

    long retryAfterMillis() {
        return retryAfterMillis;
    }

    long retryAfterSeconds() {
        return (retryAfterMillis + 999) / 1000;
    }

    @Override
    public ByteBuf encoded(ByteBufAllocator alloc, boolean http10, boolean close, boolean headRequest) {
        int bodyLength = bodyLength();
        String head = (http10 ? "HTTP/1.0" : "HTTP/1.1") + " 429 Too Many Requests\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + bodyLength + "\r\nRetry-After: " + retryAfterSeconds()
                + "\r\nCache-Control: no-store\r\n" + CorsHeaders.HTTP1_LINES
                + (close ? "Connection: close\r\n" : http10 ? "Connection: keep-alive\r\n" : "") + "\r\n";
        ByteBuf out = alloc.buffer(head.length() + bodyLength);
        out.writeCharSequence(head, StandardCharsets.US_ASCII);
        if (!headRequest) {
            out.writeBytes(BODY_START).writeCharSequence(millisText, StandardCharsets.US_ASCII);
            out.writeByte('}');
        }
        return out;
    }

    @Override
    public int statusCode() {
        return 429;
    }

    @Override
    public int bodyLength() {
        return BODY_START.length + millisText.length() + 1;
    }

    @Override
    public String metricTag() {
        return METRIC_TAG;
    }
}
