package org.switchboard.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.switchboard.config.TimeoutsSpec;

/**
 * On a plain listener with {@code http2: true}: tells HTTP/2 with prior knowledge (h2c, which
 * starts with the connection preface of RFC 9113 3.4) from HTTP/1.1 by the first bytes, installs
 * the matching connection after itself and leaves, handing over what it read.
 *
 * <p>Until it can tell, the connection is held to the timeouts either protocol would hold it to:
 * {@code timeouts.downstreamIdle} while nothing came, {@code timeouts.requestHeader} once the
 * first bytes did (a prefix of the preface: "P" may begin POST or PRI). A client that leaves
 * before it can be told is closed at once.
 */
final class PriorKnowledge extends ByteToMessageDecoder {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Consumer<ChannelHandlerContext> http2;
    private final Consumer<ChannelHandlerContext> http1;
    private final Supplier<TimeoutsSpec> timeouts;
    private ScheduledFuture<?> deadline;
    private boolean begun;

    PriorKnowledge(Consumer<ChannelHandlerContext> http2, Consumer<ChannelHandlerContext> http1,
                   Supplier<TimeoutsSpec> timeouts) {
        this.http2 = http2;
        this.http1 = http1;
        this.timeouts = timeouts;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        // Client connections start with reading off (each protocol's connection paces its reads).
        ctx.channel().config().setAutoRead(true);
        closeUnlessToldWithin(ctx, timeouts.get().downstreamIdle());
        super.channelActive(ctx);
    }

    private void closeUnlessToldWithin(ChannelHandlerContext ctx, Duration timeout) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        deadline = ctx.executor().schedule(() -> ctx.close(), timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof ChannelInputShutdownEvent) {
            // Half-closure is allowed on client connections for the protocols' sake; here, before
            // either protocol, a client that stopped sending can never be answered.
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int available = Math.min(in.readableBytes(), PREFACE.length);
        for (int i = 0; i < available; i++) {
            if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
                http1.accept(ctx);
                ctx.pipeline().remove(this);
                return;
            }
        }
        if (available == PREFACE.length) {
            http2.accept(ctx);
            ctx.pipeline().remove(this);
        } else if (available > 0 && !begun) {
            begun = true;
            closeUnlessToldWithin(ctx, timeouts.get().requestHeader());
        }
    }
}
