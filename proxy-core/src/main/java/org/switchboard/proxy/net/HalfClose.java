package org.switchboard.proxy.net;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;

/**
 * Shuts a connection's output (a FIN to the peer) once everything written before is on its way.
 * Shutting it at once would lose what is still queued: with io_uring, even a flushed write may be
 * an operation not yet submitted when the shutdown runs.
 */
public final class HalfClose {
    private HalfClose() {
    }

    /**
     * @param writer  where the empty write that marks "everything before" starts: the handler's
     *                context, so handlers after it do not see it, or the channel
     * @param channel the connection
     * @return completes once the output is shut; fails if the channel is closed by then or cannot
     *         be half-closed (then the caller usually closes it)
     */
    public static Future<Void> afterWrites(ChannelOutboundInvoker writer, Channel channel) {
        Promise<Void> shut = channel.eventLoop().newPromise();
        writer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (channel instanceof DuplexChannel duplex && duplex.isActive()) {
                duplex.shutdownOutput().addListener(done -> {
                    if (done.isSuccess()) {
                        shut.setSuccess(null);
                    } else {
                        shut.setFailure(done.cause());
                    }
                });
            } else {
                shut.setFailure(new ClosedChannelException());
            }
        });
        return shut;
    }
}
