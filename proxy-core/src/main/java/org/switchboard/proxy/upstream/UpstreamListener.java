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

    /** The connection closed (reset, FIN, or closed by us) before the exchange let go of it. */
    void onUpstreamClosed();

    /** The connection can take more of the request body. */
    void onUpstreamWritable();
}
