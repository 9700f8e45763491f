package org.switchboard.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * One keep-alive connection to an endpoint, and the last handler of its pipeline. It is either
 * owned by one exchange (and relays everything to it) or idle in its pool (and closes on any
 * unexpected input: an idle connection that receives bytes is out of sync).
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    private final UpstreamConnectionPool.EndpointConnections home;
    private Channel channel;
    private UpstreamListener owner;
    private long idleSinceNanos;
    /** The connection ends on an error (a reset), not on the upstream's clean close. */
    private boolean failed;

    UpstreamConnection(UpstreamConnectionPool.EndpointConnections home) {
        this.home = home;
    }

    UpstreamConnectionPool.EndpointConnections home() {
        return home;
    }

    public Channel channel() {
        return channel;
    }

    void attach(UpstreamListener listener) {
        this.owner = listener;
    }

    /** Called by the pool when the connection goes back to idle. */
    void detach(long nowNanos) {
        this.owner = null;
        this.idleSinceNanos = nowNanos;
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener listener = owner;
        if (listener == null) {
            // Bytes on an idle connection: it is out of step with us, and never used again.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof ByteBuf bytes) {
            listener.onResponseBytes(bytes);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener listener = owner;
        if (listener != null) {
            listener.onReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener listener = owner;
        if (listener != null && ctx.channel().isWritable()) {
            listener.onUpstreamWritable();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        home.openCount.incrementAndGet();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        home.openCount.decrementAndGet();
        UpstreamListener listener = owner;
        owner = null;
        if (listener != null) {
            // Netty closes on end of input itself: inactive without an error is the upstream's FIN.
            listener.onUpstreamClosed(!failed);
        } else {
            home.forget(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or a write failure: closing makes channelInactive tell the owner.
        failed = true;
        ctx.close();
    }
}
