package org.switchboard.proxy.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
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
 * Aggregates the admin listener's requests, which are small; one too large is answered with
 * Matrix JSON, as everything else is, where Netty's aggregator would send an empty 413. Whether the
 * connection stays (its body then read and dropped) follows Netty's rules.
 */
final class AdminRequestAggregator extends HttpObjectAggregator {
    private static final byte[] TOO_LARGE = ("{\"errcode\":\"M_TOO_LARGE\",\"error\":\"An admin request has at most "
            + AdminChannelInitializer.MAX_ADMIN_REQUEST + " bytes of body\"}").getBytes(StandardCharsets.UTF_8);

    AdminRequestAggregator() {
        super(AdminChannelInitializer.MAX_ADMIN_REQUEST);
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
        ByteBuf body = ctx.alloc().buffer(TOO_LARGE.length).writeBytes(TOO_LARGE);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, TOO_LARGE.length);
        HttpUtil.setKeepAlive(response, !close);
        ctx.writeAndFlush(response).addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
    }
}
