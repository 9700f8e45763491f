package org.switchboard.proxy.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.switchboard.proxy.net.HalfClose;

/**
 * Closes an HTTP/2 connection the way its last frame (a GOAWAY saying why) reaches the client:
 * the sending side is shut first and what the client still sends is read and dropped, for a
 * bounded time and amount, before the socket closes. Closing with unread bytes would make the
 * kernel answer with a reset, and a reset can destroy the GOAWAY before the client reads it
 * (RFC 9113 6.8, RFC 9112 9.6 for the same reason in HTTP/1).
 */
final class LingeringClose extends ChannelDuplexHandler {
    private static final long LINGER_MILLIS = 2_000;
    private static final long LINGER_BYTES = 1 << 20;

    private boolean lingering;
    private long dropped;

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        // Nothing to linger for once the client closed its side (its FIN is often why this closes):
        // the connection, and its streams' upstream requests, end now.
        if (lingering || !(ctx.channel() instanceof DuplexChannel duplex) || !duplex.isActive() || duplex.isOutputShutdown()
                || duplex.isInputShutdown()) {
            ctx.close(promise);
            return;
        }
        lingering = true;
        // After the GOAWAY written before this close.
        HalfClose.afterWrites(ctx, duplex).addListener(shut -> {
            ctx.channel().config().setAutoRead(true);
            ctx.executor().schedule(() -> {
                ctx.close(promise);
            }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!lingering) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof ByteBuf bytes) {
            dropped += bytes.readableBytes();
        }
        ReferenceCountUtil.release(msg);
        if (dropped > LINGER_BYTES) {
            ctx.channel().unsafe().close(ctx.voidPromise());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (lingering && event instanceof ChannelInputShutdownEvent) {
            // The client has closed its side too: nothing more can come to reset the GOAWAY away.
            ctx.channel().unsafe().close(ctx.voidPromise());
            return;
        }
        ctx.fireUserEventTriggered(event);
    }
}
