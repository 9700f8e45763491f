package org.switchboard.proxy.admin;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.switchboard.proxy.logging.RateLimitedLog;

/**
 * Keeps the admin listener from being held open: a connection must bring a whole request within
 * {@link #REQUEST_WITHIN_SECONDS} of opening or of its last answer (a silent connection, a head
 * sent byte by byte and an idle keep-alive all end there), and at most
 * {@link #MAX_CONNECTIONS} are open at once, {@link #MAX_CONNECTIONS_PER_PEER} from one address. Probes and scrapes use a handful; the file
 * descriptors they would otherwise pin are the client listener's too.
 */
final class AdminConnectionGuard extends ChannelDuplexHandler {
    static final long REQUEST_WITHIN_SECONDS = 10;
    static final int MAX_CONNECTIONS = 128;
    /**
     * Per peer address: one peer that opens connections and leaves them silent would otherwise
     * take the listener's every place, and the kubelet's probes with them.
     */
    static final int MAX_CONNECTIONS_PER_PEER = 16;

    private final AtomicInteger open;
    private final ConcurrentHashMap<InetAddress, Integer> openPerPeer;
    private final RateLimitedLog refusals;
    private boolean counted;
    /** The peer counted in {@link #openPerPeer}; null when not counted (not an IP socket). */
    private InetAddress peer;
    /** Armed while the connection waits for a request; a request being answered has none. */
    private Future<?> deadline;

    /**
     * {@code open} and {@code openPerPeer}: the listener's counts of open connections, in all and
     * per peer address, shared by all of them.
     */
    AdminConnectionGuard(AtomicInteger open, ConcurrentHashMap<InetAddress, Integer> openPerPeer, RateLimitedLog refusals) {
        this.open = open;
        this.openPerPeer = openPerPeer;
        this.refusals = refusals;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        counted = true;
        if (open.incrementAndGet() > MAX_CONNECTIONS) {
            refuse(ctx, MAX_CONNECTIONS + " are open already");
            return;
        }
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress socket) {
            peer = socket.getAddress();
            if (openPerPeer.merge(peer, 1, Integer::sum) > MAX_CONNECTIONS_PER_PEER) {
                refuse(ctx, MAX_CONNECTIONS_PER_PEER + " from this address are open already");
                return;
            }
        }
        arm(ctx);
        ctx.fireChannelActive();
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
        refusals.log(System.Logger.Level.WARNING, "admin connections over the limit", () -> "admin listener closed a connection from "
                + ctx.channel().remoteAddress() + ": " + why);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        if (counted) {
            counted = false;
            open.decrementAndGet();
            if (peer != null) {
                openPerPeer.computeIfPresent(peer, (address, count) -> count <= 1 ? null : count - 1);
            }
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
