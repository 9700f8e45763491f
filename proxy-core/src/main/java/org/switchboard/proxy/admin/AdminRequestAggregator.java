package org.switchboard.proxy.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Aggregates the admin listener's requests, which are small; one too large, or an {@code Expect}
 * refused, is answered with Matrix JSON, as everything else is, where Netty's aggregator would
 * send an empty 413 or 417. Whether the connection stays (its body then read and dropped) follows
 * Netty's rules.
 */
final class AdminRequestAggregator extends HttpObjectAggregator {
    private static final byte[] TOO_LARGE = ("{\"errcode\":\"M_TOO_LARGE\",\"error\":\"An admin request has at most "
            + AdminChannelInitializer.MAX_ADMIN_REQUEST + " bytes of body\"}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] EXPECTATION_FAILED = "{\"errcode\":\"M_UNKNOWN\",\"error\":\"Only Expect: 100-continue is supported\"}"
            .getBytes(StandardCharsets.UTF_8);

    AdminRequestAggregator() {
        super(AdminChannelInitializer.MAX_ADMIN_REQUEST);
    }

    /** Netty's answer to an {@code Expect} it refuses (417, or 413 for a body too large), in Matrix JSON. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
        if (answer instanceof FullHttpResponse refusal && refusal.status().code() >= 400) {
            int status = refusal.status().code();
            refusal.release();
            ByteBufAllocator alloc = pipeline.channel().alloc();
            FullHttpResponse json = status == 413 ? json(alloc, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, TOO_LARGE)
                    : json(alloc, HttpResponseStatus.EXPECTATION_FAILED, EXPECTATION_FAILED);
            HttpUtil.setKeepAlive(json, true);
            return json;
        }
        return answer;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        // Part of the body already came, or nothing says the client will send another request:
        // the connection cannot be reused.
        boolean close = oversized instanceof FullHttpMessage || !ctx.channel().config().isAutoRead()
                || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
        FullHttpResponse response = json(ctx.alloc(), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, TOO_LARGE);
        HttpUtil.setKeepAlive(response, !close);
        ctx.writeAndFlush(response).addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    private static FullHttpResponse json(ByteBufAllocator alloc, HttpResponseStatus status, byte[] json) {
        ByteBuf body = alloc.buffer(json.length).writeBytes(json);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        return response;
    }
}
