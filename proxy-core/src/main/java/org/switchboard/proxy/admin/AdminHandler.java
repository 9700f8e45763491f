package org.switchboard.proxy.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The admin listener: {@code /live} (the process answers) and {@code /ready} (every listener is
 * bound and a config is in force) for Kubernetes probes, and {@code /endpoints}: every endpoint's
 * health, ejection and load. Metrics and the status page join later.
 */
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final BooleanSupplier ready;
    private final java.util.function.Supplier<String> endpointsJson;

    public AdminHandler(BooleanSupplier ready, java.util.function.Supplier<String> endpointsJson) {
        this.ready = ready;
        this.endpointsJson = endpointsJson;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = request.uri();
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        FullHttpResponse response;
        if (!request.decoderResult().isSuccess()) {
            response = json(ctx, HttpResponseStatus.BAD_REQUEST, "{\"errcode\":\"M_UNKNOWN\",\"error\":\"Malformed request\"}");
        } else if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            response = json(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Use GET\"}");
        } else if (path.equals("/live")) {
            response = json(ctx, HttpResponseStatus.OK, "{\"status\":\"live\"}");
        } else if (path.equals("/ready")) {
            response = ready.getAsBoolean()
                    ? json(ctx, HttpResponseStatus.OK, "{\"status\":\"ready\"}")
                    : json(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"status\":\"starting\"}");
        } else if (path.equals("/endpoints")) {
            response = json(ctx, HttpResponseStatus.OK, endpointsJson.get());
        } else {
            response = json(ctx, HttpResponseStatus.NOT_FOUND, "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Unknown admin path\"}");
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse json(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        ByteBuf content = ctx.alloc().buffer().writeBytes(body.getBytes(StandardCharsets.UTF_8));
        FullHttpResponse response = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
