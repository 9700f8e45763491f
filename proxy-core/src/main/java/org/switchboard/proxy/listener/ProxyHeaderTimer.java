package org.switchboard.proxy.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Times a PROXY protocol header as a request head is timed ({@code timeouts.requestHeader}, from
 * its first byte): a balancer that starts a header and stops would otherwise hold the connection
 * until {@code timeouts.downstreamIdle}, since nothing behind the header decoder sees its bytes.
 * Sits before the decoder; {@link ProxyProtocolHandler} removes it once the header is read. A
 * connection that sends nothing is an idle connection like any other.
 */
final class ProxyHeaderTimer extends ChannelInboundHandlerAdapter {
    static final String NAME = "proxy-protocol-timer";

    private final Supplier<Duration> limit;
    private final Runnable onTimeout;
    private ScheduledFuture<?> timer;

    /**
     * @param limit     {@code timeouts.requestHeader} of the configuration in force
     * @param onTimeout counts the expiry (the connection is closed here)
     */
    ProxyHeaderTimer(Supplier<Duration> limit, Runnable onTimeout) {
        this.limit = limit;
        this.onTimeout = onTimeout;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (timer == null) {
            timer = ctx.executor().schedule(() -> {
                onTimeout.run();
                ctx.close();
            }, limit.get().toNanos(), TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
