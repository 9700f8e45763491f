package org.switchboard.proxy.server;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;

/**
 * How big a buffer each socket read gets, on both sides. Netty's default guess starts at 2 KiB
 * and shrinks after reads that do not fill it, down to 64 bytes: after a run of small messages, a
 * Matrix request head (a few hundred bytes, more with a long token) then takes several reads.
 * Starting at 16 KiB and never going below 512 bytes measured +35% requests/s and -27% CPU per
 * request in the Matrix mix (benchmarks/RESULTS.md, "Tuning"). The buffer is pooled and lives
 * only until the codec has decoded it, so a held long poll keeps none of it.
 */
final class ReadBuffers {
    static final int MINIMUM = 512;
    static final int INITIAL = 16 * 1024;
    static final int MAXIMUM = 64 * 1024;

    private ReadBuffers() {
    }

    static RecvByteBufAllocator allocator() {
        return new AdaptiveRecvByteBufAllocator(MINIMUM, INITIAL, MAXIMUM);
    }
}
