package org.switchboard.proxy.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Bytes read but not yet consumed, grown by copying only what was left over. A read buffer that
 * is consumed whole (the usual case: a head and its body in one read) is never copied; retained
 * slices handed out earlier stay valid, because a buffer with slices outstanding is never
 * written to or compacted, only replaced.
 */
public final class Cumulation {
    private Cumulation() {
    }

    /** Appends {@code in} (consumed) to {@code pending} (consumed, may be null); returns the new pending bytes. */
    public static ByteBuf append(ByteBufAllocator alloc, ByteBuf pending, ByteBuf in) {
        if (pending == null || !pending.isReadable()) {
            if (pending != null) {
                pending.release();
            }
            return in;
        }
        int needed = pending.readableBytes() + in.readableBytes();
        ByteBuf target = pending;
        if (pending.refCnt() > 1 || pending.isReadOnly() || pending.maxWritableBytes() < in.readableBytes()
                || pending.writableBytes() < in.readableBytes()) {
            target = alloc.buffer(Math.max(needed, Math.min(2 * needed, needed + 64 * 1024)));
            target.writeBytes(pending, pending.readerIndex(), pending.readableBytes());
            pending.release();
        }
        target.writeBytes(in, in.readerIndex(), in.readableBytes());
        in.release();
        return target;
    }
}
