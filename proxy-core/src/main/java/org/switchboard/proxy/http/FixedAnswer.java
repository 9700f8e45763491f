package org.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import org.switchboard.config.RespondSpec;
import org.switchboard.routing.Route;
import org.switchboard.routing.RoutingSnapshot;
import org.switchboard.proxy.router.LocalAnswer;

/**
 * A route's {@code respond:} answer (the well-known documents among them) as whole HTTP/1
 * responses, encoded once per config: a request copies bytes, nothing more.
 */
public final class FixedAnswer implements LocalAnswer {
    /** [HTTP/1.0?][close?][HEAD?] */
    private final byte[][] encoded = new byte[8][];
    private final int status;
    private final int bodyLength;

    FixedAnswer(RespondSpec spec) {
        this.status = spec.status();
        byte[] body = spec.body();
        this.bodyLength = body.length;
        // 204 and 304 carry no body and no length (RFC 9110 8.6).
        boolean bodiless = status == 204 || status == 304;
        for (int variant = 0; variant < 8; variant++) {
            boolean http10 = (variant & 4) != 0;
            boolean close = (variant & 2) != 0;
            boolean head = (variant & 1) != 0;
            StringBuilder text = new StringBuilder(128).append(http10 ? "HTTP/1.0 " : "HTTP/1.1 ")
                    .append(HttpResponseStatus.valueOf(status)).append("\r\n");
            if (!bodiless) {
                text.append("Content-Type: ").append(spec.contentType()).append("\r\n")
                        .append("Content-Length: ").append(body.length).append("\r\n");
            }
            for (Map.Entry<String, String> header : spec.headers().entrySet()) {
                text.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
            }
            text.append(close ? "Connection: close\r\n" : http10 ? "Connection: keep-alive\r\n" : "").append("\r\n");
            byte[] headBytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
            int length = head || bodiless ? headBytes.length : headBytes.length + body.length;
            byte[] bytes = Arrays.copyOf(headBytes, length);
            if (length > headBytes.length) {
                System.arraycopy(body, 0, bytes, headBytes.length, body.length);
            }
            encoded[variant] = bytes;
        }
    }

    /**
     * The answer to {@code OPTIONS *}, a question about the server as a whole (RFC 9110 9.3.7)
     * that no route's upstream is asked: Synapse's Twisted drops the connection on it, logging a
     * traceback each time, which a client could repeat at will.
     */
    public static final FixedAnswer SERVER_OPTIONS = new FixedAnswer(new RespondSpec(200, "text/plain",
            Map.of("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS"), new byte[0]));

    /** Every fixed answer of a snapshot's routes, keyed by the spec it came from. */
    public static Map<RespondSpec, FixedAnswer> of(RoutingSnapshot routing) {
        Map<RespondSpec, FixedAnswer> answers = new IdentityHashMap<>();
        for (Route route : routing.routeTable().routes()) {
            RespondSpec respond = route.actions().respond();
            if (respond != null) {
                answers.computeIfAbsent(respond, FixedAnswer::new);
            }
        }
        return answers;
    }

    @Override
    public ByteBuf encoded(ByteBufAllocator alloc, boolean http10, boolean close, boolean headRequest) {
        byte[] bytes = encoded[(http10 ? 4 : 0) | (close ? 2 : 0) | (headRequest ? 1 : 0)];
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    @Override
    public int statusCode() {
        return status;
    }

    @Override
    public int bodyLength() {
        return bodyLength;
    }

    @Override
    public String metricTag() {
        return null;
    }
}
