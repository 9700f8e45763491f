package org.switchboard.proxy;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The client connection's clocks between requests, first in the pipeline so it sees every byte:
 * a connection with no request under way closes after the keep-alive idle timeout; one that has
 * started a request head but not finished it within the request-header timeout (slowloris) gets
 * 408 and is closed. One timer per connection, re-armed on expiry, never per request.
 */
final class ClientTimeoutHandler extends ChannelInboundHandlerAdapter {
    private final Supplier<ProxySnapshot> snapshots;
    private ChannelHandlerContext ctx;
    private boolean betweenRequests;
    private long waitingSinceNanos;
    private long firstByteNanos = -1;
    private ScheduledFuture<?> check;

    private final org.switchboard.proxy.metrics.ProxyMetrics metrics;

    ClientTimeoutHandler(Supplier<ProxySnapshot> snapshots, org.switchboard.proxy.metrics.ProxyMetrics metrics) {
        this.snapshots = snapshots;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** No request under way: the next bytes start one. */
    void awaitRequest() {
        betweenRequests = true;
        waitingSinceNanos = System.nanoTime();
        firstByteNanos = -1;
        if (check == null) {
            arm(Math.min(idleTimeoutNanos(), headerTimeoutNanos()));
        }
    }

    /** A whole request head has arrived; its exchange has its own timeouts. */
    void requestStarted() {
        betweenRequests = false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (betweenRequests && firstByteNanos < 0) {
            firstByteNanos = System.nanoTime();
        }
        ctx.fireChannelRead(msg);
    }

    private void arm(long delayNanos) {
        check = ctx.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        check = null;
        if (!betweenRequests || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        long remaining;
        if (firstByteNanos >= 0) {
            remaining = headerTimeoutNanos() - (now - firstByteNanos);
            if (remaining <= 0) {
                betweenRequests = false;
                metrics.proxyError(MatrixErrors.REQUEST_TIMEOUT.metricTag());
                ctx.channel().writeAndFlush(MatrixErrors.REQUEST_TIMEOUT.response(ctx.alloc(), HttpVersion.HTTP_1_1, true))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
        } else {
            remaining = idleTimeoutNanos() - (now - waitingSinceNanos);
            if (remaining <= 0) {
                ctx.close();
                return;
            }
        }
        arm(Math.min(remaining, headerTimeoutNanos()));
    }

    private long idleTimeoutNanos() {
        return snapshots.get().timeouts().downstreamIdle().toNanos();
    }

    private long headerTimeoutNanos() {
        return snapshots.get().timeouts().requestHeader().toNanos();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        ctx.fireChannelInactive();
    }
}
