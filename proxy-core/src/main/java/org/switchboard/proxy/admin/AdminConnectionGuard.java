package org.switchboard.proxy.admin;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.Queue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.switchboard.proxy.logging.RateLimitedLog;

/**
 * Keeps the admin listener from being held open: a connection must bring a whole request within
 * {@link #REQUEST_WITHIN_SECONDS} of opening or of its last answer (a silent connection, a head
 * sent byte by byte and an idle keep-alive all end there), and at most {@link #MAX_CONNECTIONS}
 * are open at once. Probes and scrapes use a handful; the file descriptors they would otherwise
 * pin are the client listener's too. At the limit a new connection takes the place of the one
 * that has waited longest for a request (as NGINX reuses idle keep-alive connections), so a peer
 * that keeps the listener full of silent connections, or a client that abandons its keep-alive
 * connections, cannot lock the kubelet's probes out; it is refused only when every connection has
 * a request in progress.
 */
final class AdminConnectionGuard extends ChannelDuplexHandler {
    static final long REQUEST_WITHIN_SECONDS = 10;
    static final int MAX_CONNECTIONS = 128;

    private final AtomicInteger open;
    /** The listener's open connections, oldest first. */
    private final Queue<AdminConnectionGuard> connections;
    private final RateLimitedLog refusals;
    private boolean counted;
    private ChannelHandlerContext ctx;
    /** Armed while the connection waits for a request; a request being answered has none. */
    private Future<?> deadline;
    /** Waiting for a request (read by other connections' loops when one must give way). */
    private volatile boolean waiting;
    private final AtomicBoolean evicted = new AtomicBoolean();

    /** {@code open} and {@code connections}: the listener's, shared by all of its connections. */
    AdminConnectionGuard(AtomicInteger open, Queue<AdminConnectionGuard> connections, RateLimitedLog refusals) {
        this.open = open;
        this.connections = connections;
        this.refusals = refusals;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        counted = true;
        connections.add(this);
        if (open.incrementAndGet() > MAX_CONNECTIONS) {
            AdminConnectionGuard idle = longestWaiting();
            if (idle == null) {
                refusals.log(System.Logger.Level.WARNING, "admin connections over the limit", () -> "admin listener closed a "
                        + "connection from " + ctx.channel().remoteAddress() + ": " + MAX_CONNECTIONS
                        + " are open already, each with a request in progress");
                ctx.close();
                return;
            }
            refusals.log(System.Logger.Level.WARNING, "admin connections over the limit", () -> "admin listener closed the "
                    + "connection from " + idle.ctx.channel().remoteAddress() + " that waited longest for a request: "
                    + MAX_CONNECTIONS + " are open");
            idle.ctx.close();
        }
        arm(ctx);
        ctx.fireChannelActive();
    }

    /** The oldest connection waiting for a request, claimed so that no other newcomer closes it too; null if none. */
    private AdminConnectionGuard longestWaiting() {
        for (AdminConnectionGuard other : connections) {
            if (other != this && other.waiting && other.evicted.compareAndSet(false, true)) {
                return other;
            }
        }
        return null;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        if (counted) {
            counted = false;
            open.decrementAndGet();
            connections.remove(this);
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
        waiting = true;
        deadline = ctx.executor().schedule(() -> {
            deadline = null;
            ctx.close();
        }, REQUEST_WITHIN_SECONDS, TimeUnit.SECONDS);
    }

    private void disarm() {
        waiting = false;
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
