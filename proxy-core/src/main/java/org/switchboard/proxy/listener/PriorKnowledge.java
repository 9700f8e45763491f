package org.switchboard.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * On a plain listener with {@code http2: true}: tells HTTP/2 with prior knowledge (h2c, which
 * starts with the connection preface of RFC 9113 3.4) from HTTP/1.1 by the first bytes, installs
 * the matching connection after itself and leaves, handing over what it read.
 */
final class PriorKnowledge extends ByteToMessageDecoder {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Consumer<ChannelHandlerContext> http2;
    private final Consumer<ChannelHandlerContext> http1;

    PriorKnowledge(Consumer<ChannelHandlerContext> http2, Consumer<ChannelHandlerContext> http1) {
        this.http2 = http2;
        this.http1 = http1;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        // Client connections start with reading off (each protocol's connection paces its reads).
        ctx.channel().config().setAutoRead(true);
        super.channelActive(ctx);
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
        }
    }
}
