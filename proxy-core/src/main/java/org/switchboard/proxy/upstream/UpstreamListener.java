package org.switchboard.proxy.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * What an upstream connection reports to the exchange that currently owns it. Every call happens
 * on the event loop both channels share. Ownership of each message passes to the listener.
 */
public interface UpstreamListener {

    /** A final (non-1xx) response head. */
    void onResponseHead(HttpResponse response);

    /** Body content; a {@link io.netty.handler.codec.http.LastHttpContent} ends the response. */
    void onResponseContent(HttpContent content);

    /** A batch of reads ended: a good moment to flush towards the client. */
    void onReadComplete();

    /** The upstream sent bytes that are not a valid HTTP response. */
    void onInvalidResponse(Throwable cause);

    /** The connection closed (reset, FIN, or closed by us) before the exchange let go of it. */
    void onUpstreamClosed();

    /** The connection can take more of the request body. */
    void onUpstreamWritable();

    /**
     * Response bytes as read, on a connection without a codec ({@code rawHttp1} pools): the
     * listener frames them itself. Ownership passes to the listener.
     */
    default void onResponseBytes(io.netty.buffer.ByteBuf bytes) {
        bytes.release();
        throw new IllegalStateException("this listener reads decoded responses");
    }
}
