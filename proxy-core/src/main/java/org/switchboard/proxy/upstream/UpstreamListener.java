package org.switchboard.proxy.upstream;

import io.netty.buffer.ByteBuf;

/**
 * What an upstream connection reports to the exchange that currently owns it. Every call happens
 * on the event loop both channels share.
 */
public interface UpstreamListener {

    /** Response bytes as read: the listener frames them itself. Ownership passes to the listener. */
    void onResponseBytes(ByteBuf bytes);

    /** A batch of reads ended: a good moment to flush towards the client. */
    void onReadComplete();

    /**
     * The connection closed before the exchange let go of it.
     *
     * @param endOfStream the upstream ended it cleanly (FIN): the end of a body framed by the
     *                    close; false for a reset, a read or write error, or a close of ours
     */
    void onUpstreamClosed(boolean endOfStream);

    /** The connection can take more of the request body. */
    void onUpstreamWritable();
}
