package org.switchboard.proxy.router;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a request that may be sent again, kept as retained slices of what was forwarded.
 * It owns one reference per slice and gives them all back in {@link #release()}, which the
 * exchange calls exactly once when it ends.
 */
final class ReplayBody {
    /** Only small JSON bodies are kept: event contents are limited to 64 KiB by Synapse. */
    static final long MAX_BYTES = 256 * 1024;

    private final List<ByteBuf> parts = new ArrayList<>(2);
    private boolean released;

    void keep(ByteBuf part) {
        if (!released && part.isReadable()) {
            parts.add(part.retainedSlice());
        }
    }

    /** Writes the kept body again (new references; the kept ones stay ours). */
    void writeBytesTo(Channel channel) {
        for (ByteBuf part : parts) {
            channel.write(part.retainedDuplicate(), channel.voidPromise());
        }
    }

    void release() {
        if (!released) {
            released = true;
            parts.forEach(ByteBuf::release);
            parts.clear();
        }
    }
}
