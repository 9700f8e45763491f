package org.switchboard.proxy.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Watches the client's TLS records while a handshake lasts, before the SNI and TLS handlers see
 * them, to tell how a failed handshake failed: whether the client sent anything at all (a port
 * probe is not a failed handshake), and the description of the last plaintext alert it sent
 * (RFC 8446 5.1: a record of type 21 whose body is two bytes, level and description). Bytes pass
 * on untouched; the handler is removed once the handshake succeeds.
 */
final class ClientRecords extends ChannelInboundHandlerAdapter {
    static final int NO_ALERT = -1;
    private static final int HEADER_BYTES = 5;
    private static final int ALERT = 21;

    private boolean sawBytes;
    private int alert = NO_ALERT;
    /** Bytes of the current record's header seen so far, 0 between records. */
    private int headerAt;
    private int type;
    private int length;
    /** Bytes of the current record's body still to come. */
    private int bodyLeft;
    private int alertLevelAndDescription;

    boolean sawBytes() {
        return sawBytes;
    }

    int alert() {
        return alert;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            sawBytes = true;
            scan(buf);
        }
        ctx.fireChannelRead(msg);
    }

    /** Follows record boundaries over reads of any split; reads nothing of the buffer's indexes. */
    void scan(ByteBuf buf) {
        int at = buf.readerIndex();
        int end = buf.writerIndex();
        while (at < end) {
            if (bodyLeft > 0) {
                int take = Math.min(bodyLeft, end - at);
                if (type == ALERT && length == 2) {
                    for (int i = 0; i < take; i++) {
                        alertLevelAndDescription = alertLevelAndDescription << 8 | buf.getUnsignedByte(at + i);
                    }
                }
                at += take;
                bodyLeft -= take;
                if (bodyLeft == 0 && type == ALERT && length == 2) {
                    alert = alertLevelAndDescription & 0xff;
                }
                continue;
            }
            int b = buf.getUnsignedByte(at++);
            switch (headerAt++) {
                case 0 -> type = b;
                case 3 -> length = b << 8;
                case 4 -> length |= b;
                default -> { } // the version, unchecked: the TLS handler judges the records
            }
            if (headerAt == HEADER_BYTES) {
                headerAt = 0;
                bodyLeft = length;
                alertLevelAndDescription = 0;
            }
        }
    }
}
