package org.switchboard.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The errors the proxy answers by itself, in the shape Matrix clients read:
 * {@code {"errcode":"M_...","error":"..."}}. Each kind has one status, one errcode and (later)
 * one metric tag, so an operator can tell the proxy's answers from Synapse's.
 */
public enum MatrixErrors {
    /** M_UNRECOGNIZED as Synapse itself answers unknown endpoints; clients probe features with it. */
    NO_ROUTE(HttpResponseStatus.NOT_FOUND, "M_UNRECOGNIZED", "Unrecognized request: no route matches"),
    NO_ENDPOINT(HttpResponseStatus.SERVICE_UNAVAILABLE, "M_UNKNOWN", "No upstream endpoint is available"),
    CONNECT_FAILED(HttpResponseStatus.BAD_GATEWAY, "M_UNKNOWN", "Could not connect to the upstream"),
    UPSTREAM_RESET(HttpResponseStatus.BAD_GATEWAY, "M_UNKNOWN", "The upstream closed the connection before answering"),
    INVALID_RESPONSE(HttpResponseStatus.BAD_GATEWAY, "M_UNKNOWN", "The upstream sent an invalid response"),
    UPSTREAM_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "M_UNKNOWN", "The upstream did not answer in time"),
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, "M_UNKNOWN", "Malformed HTTP request"),
    REQUEST_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, "M_UNKNOWN", "The request head did not arrive in time"),
    URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, "M_UNKNOWN", "Request-target too long"),
    BODY_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "M_TOO_LARGE", "Request body too large for this endpoint"),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "M_UNKNOWN", "Request headers too large"),
    VERSION_NOT_SUPPORTED(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "M_UNKNOWN", "Only HTTP/1.x is supported here"),
    EXPECTATION_FAILED(HttpResponseStatus.EXPECTATION_FAILED, "M_UNKNOWN", "Only Expect: 100-continue is supported");

    private final HttpResponseStatus status;
    private final byte[] body;
    private final String metricTag = name().toLowerCase(java.util.Locale.ROOT);

    MatrixErrors(HttpResponseStatus status, String errcode, String error) {
        this.status = status;
        // Built once: the texts are constants, so no JSON escaping is needed.
        this.body = ("{\"errcode\":\"" + errcode + "\",\"error\":\"" + error + "\"}").getBytes(StandardCharsets.US_ASCII);
    }

    /** The {@code kind} tag of switchboard_proxy_errors: the constant's name in lower case. */
    public String metricTag() {
        return metricTag;
    }

    public HttpResponseStatus status() {
        return status;
    }

    /** A complete response; {@code close} adds {@code Connection: close}. */
    public FullHttpResponse response(ByteBufAllocator alloc, HttpVersion version, boolean close) {
        ByteBuf content = alloc.buffer(body.length).writeBytes(body);
        FullHttpResponse response = new DefaultFullHttpResponse(version, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (version == HttpVersion.HTTP_1_0) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return response;
    }
}
