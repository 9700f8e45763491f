package org.switchboard.proxy.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.switchboard.proxy.codec.http1.HeadError;
import org.switchboard.proxy.stats.RequestRecord;
import org.switchboard.routing.CorsHeaders;

/**
 * The errors the proxy answers by itself, in the shape Matrix clients read:
 * {@code {"errcode":"M_...","error":"..."}}. Each kind has one status, one errcode and (later)
 * one metric tag, so an operator can tell the proxy's answers from Synapse's.
 */
public enum MatrixErrors implements LocalAnswer {
    /** M_UNRECOGNIZED as Synapse itself answers unknown endpoints; clients probe features with it. */
    NO_ROUTE(HttpResponseStatus.NOT_FOUND, "M_UNRECOGNIZED", "Unrecognized request: no route matches"),
    /** A route's allow-list does not hold the client's address. */
    FORBIDDEN(HttpResponseStatus.FORBIDDEN, "M_FORBIDDEN", "Forbidden: this endpoint is not open to your address"),
    NO_ENDPOINT(HttpResponseStatus.SERVICE_UNAVAILABLE, "M_UNKNOWN", "No upstream endpoint is available"),
    CONNECT_FAILED(HttpResponseStatus.BAD_GATEWAY, "M_UNKNOWN", "Could not connect to the upstream"),
    UPSTREAM_RESET(HttpResponseStatus.BAD_GATEWAY, "M_UNKNOWN", "The upstream closed the connection before answering"),
    INVALID_RESPONSE(HttpResponseStatus.BAD_GATEWAY, "M_UNKNOWN", "The upstream sent an invalid response"),
    UPSTREAM_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "M_UNKNOWN", "The upstream did not answer in time"),
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, "M_UNKNOWN", "Malformed HTTP request"),
    REQUEST_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, "M_UNKNOWN", "The request head did not arrive in time"),
    URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, "M_UNKNOWN", "Request-target too long"),
    BODY_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "M_TOO_LARGE", "Request body too large for this endpoint"),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "M_UNKNOWN", "Request headers too large, or too many"),
    VERSION_NOT_SUPPORTED(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "M_UNKNOWN", "Only HTTP/1.x is supported here"),
    EXPECTATION_FAILED(HttpResponseStatus.EXPECTATION_FAILED, "M_UNKNOWN", "Only Expect: 100-continue is supported"),
    NOT_IMPLEMENTED(HttpResponseStatus.NOT_IMPLEMENTED, "M_UNKNOWN", "Only the chunked transfer coding is supported"),
    METHOD_NOT_IMPLEMENTED(HttpResponseStatus.NOT_IMPLEMENTED, "M_UNRECOGNIZED", "This proxy does not forward that method"),
    BODY_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, "M_UNKNOWN", "The request body stopped arriving"),
    /** A WebSocket handshake where the route has no {@code websocket: true}, or not a bodiless HTTP/1.1 GET. */
    WEBSOCKET_REFUSED(HttpResponseStatus.BAD_REQUEST, "M_UNKNOWN", "WebSocket upgrade not accepted for this request"),
    /** A Host that another certificate serves than the one this TLS connection's SNI chose: the client reconnects. */
    MISDIRECTED_REQUEST(HttpResponseStatus.MISDIRECTED_REQUEST, "M_MISDIRECTED_REQUEST",
            "This connection does not serve that host: open a new connection to it"),
    /** A drain's timeout came while a bodiless GET, HEAD or OPTIONS waited for its answer: the client tries again elsewhere. */
    DRAIN_TIMEOUT(HttpResponseStatus.SERVICE_UNAVAILABLE, "M_UNKNOWN", "The proxy is shutting down: try again");

    private final HttpResponseStatus status;
    private final byte[] body;
    /** Whole HTTP/1 responses, built once: [HTTP/1.0?][close?][HEAD?]. */
    private final byte[][] encoded = new byte[8][];
    private final String metricTag = name().toLowerCase(Locale.ROOT);

    MatrixErrors(HttpResponseStatus status, String errcode, String error) {
        this.status = status;
        // Built once: the texts are constants, so no JSON escaping is needed.
        this.body = ("{\"errcode\":\"" + errcode + "\",\"error\":\"" + error + "\"}").getBytes(StandardCharsets.US_ASCII);
        for (int variant = 0; variant < 8; variant++) {
            boolean http10 = (variant & 4) != 0;
            boolean close = (variant & 2) != 0;
            boolean headRequest = (variant & 1) != 0;
            String head = (http10 ? "HTTP/1.0 " : "HTTP/1.1 ") + status + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nCache-Control: no-store\r\n" + CorsHeaders.HTTP1_LINES
                    + (close ? "Connection: close\r\n" : http10 ? "Connection: keep-alive\r\n" : "") + "\r\n";
            // The answer to HEAD says the length and leaves the body out, or the next response would start inside it.
            byte[] bytes = Arrays.copyOf(head.getBytes(StandardCharsets.US_ASCII),
                    head.length() + (headRequest ? 0 : body.length));
            if (!headRequest) {
                System.arraycopy(body, 0, bytes, head.length(), body.length);
            }
            encoded[variant] = bytes;
        }
    }

    /** The whole response as HTTP/1 bytes, for connections without Netty's HTTP codec. */
    public ByteBuf encoded(ByteBufAllocator alloc, boolean http10, boolean close) {
        return encoded(alloc, http10, close, false);
    }

    @Override
    public ByteBuf encoded(ByteBufAllocator alloc, boolean http10, boolean close, boolean headRequest) {
        byte[] bytes = encoded[(http10 ? 4 : 0) | (close ? 2 : 0) | (headRequest ? 1 : 0)];
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    @Override
    public int statusCode() {
        return status.code();
    }

    /** Body length of the JSON answer, for the access log. */
    @Override
    public int bodyLength() {
        return body.length;
    }

    /** The {@code kind} tag of switchboard_proxy_errors: the constant's name in lower case. */
    @Override
    public String metricTag() {
        return metricTag;
    }

    public HttpResponseStatus status() {
        return status;
    }

    /** Whether the client caused it (a 4xx: its request, its pace), not the upstream or the proxy. */
    public boolean clientsFault() {
        return status.code() < 500;
    }

    /** How a request this error ends is recorded (HAProxy's termination flags). */
    public RequestRecord.Termination termination() {
        return switch (this) {
            case UPSTREAM_RESET -> RequestRecord.Termination.UPSTREAM_RESET;
            case UPSTREAM_TIMEOUT -> RequestRecord.Termination.UPSTREAM_TIMEOUT;
            case CONNECT_FAILED -> RequestRecord.Termination.CONNECT_FAILED;
            case INVALID_RESPONSE -> RequestRecord.Termination.INVALID_RESPONSE;
            case DRAIN_TIMEOUT -> RequestRecord.Termination.DRAIN_TIMEOUT;
            default -> RequestRecord.Termination.LOCAL;
        };
    }

    /** The answer to a request head the parser refused. */
    public static MatrixErrors refusing(HeadError error) {
        return switch (error) {
            case TARGET_TOO_LONG -> URI_TOO_LONG;
            case HEADERS_TOO_LARGE -> HEADERS_TOO_LARGE;
            case VERSION_NOT_SUPPORTED -> VERSION_NOT_SUPPORTED;
            case CODING_NOT_IMPLEMENTED -> NOT_IMPLEMENTED;
            case METHOD_NOT_IMPLEMENTED -> METHOD_NOT_IMPLEMENTED;
            case EXPECTATION_FAILED -> EXPECTATION_FAILED;
            case MALFORMED -> BAD_REQUEST;
        };
    }
}
