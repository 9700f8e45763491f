package org.switchboard.proxy.admin;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.switchboard.proxy.logging.RateLimitedLog;

/**
 * Keeps the admin listener from being held open: a connection must bring a whole request within
 * {@link #REQUEST_WITHIN_SECONDS} of opening or of its last answer (a silent connection, a head
 * sent byte by byte and an idle keep-alive all end there), and at most
 * {@link #MAX_CONNECTIONS} are open at once. Probes and scrapes use a handful; the file
 * descriptors they would otherwise pin are the client listener's too.
 */
final class AdminConnectionGuard extends ChannelDuplexHandler {
    static final long REQUEST_WITHIN_SECONDS = 10;
    static final int MAX_CONNECTIONS = 128;

    private final AtomicInteger open;
    private final RateLimitedLog refusals;
    private boolean counted;
    /** Armed while the connection waits for a request; a request being answered has none. */
    private Future<?> deadline;

    /** {@code open}: the listener's count of open connections, shared by all of them. */
    AdminConnectionGuard(AtomicInteger open, RateLimitedLog refusals) {
        this.open = open;
        this.refusals = refusals;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        counted = true;
        if (open.incrementAndGet() > MAX_CONNECTIONS) {
            refusals.log(System.Logger.Level.WARNING, "admin connections over the limit", () -> "admin listener closed a connection from "
                    + ctx.channel().remoteAddress() + ": " + MAX_CONNECTIONS + " are open already");
            ctx.close();
            return;
        }
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        if (counted) {
            counted = false;
            open.decrementAndGet();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest) {
            disarm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse && ctx.channel().isActive()) {
            arm(ctx);
        }
        ctx.write(msg, promise);
    }

    private void arm(ChannelHandlerContext ctx) {
        disarm();
        deadline = ctx.executor().schedule(() -> {
            deadline = null;
            ctx.close();
        }, REQUEST_WITHIN_SECONDS, TimeUnit.SECONDS);
    }

    private void disarm() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
