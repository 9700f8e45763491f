package org.switchboard.proxy.http2;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * What the connection keeps for one stream (RFC 9113 5.1, 6.9): which side has ended it, the
 * windows both ways, and the response DATA that waits for the client's window.
 */
final class Http2StreamFlow {
    final int id;
    /** Response bytes the client lets us send on this stream. */
    int sendWindow;
    /** Request bytes the client may still send before more window is announced. */
    int receiveWindow;
    /** Request bytes that went upstream and whose window is not announced back yet. */
    int returnable;
    /** Response DATA (and its end) that the windows did not let out yet, in order. */
    ArrayDeque<ByteBuf> queued;
    boolean queuedEnd;
    /** The request body is not wanted (answered before it ended): the rest is dropped, its window not given back. */
    boolean discarding;
    /** The refusal of the rest of the body waits for the queued response to go out. */
    boolean resetWhenSent;
    /** The client's END_STREAM came. */
    boolean remoteEnded;
    /** Our END_STREAM went out (or is the last of the queue). */
    boolean localEnded;
    /** Reset by either side: nothing more is sent or taken. */
    boolean reset;

    Http2StreamFlow(int id, int sendWindow, int receiveWindow) {
        this.id = id;
        this.sendWindow = sendWindow;
        this.receiveWindow = receiveWindow;
    }

    boolean hasQueued() {
        return queued != null && (!queued.isEmpty() || queuedEnd);
    }

    void releaseQueued() {
        if (queued != null) {
            for (ByteBuf held; (held = queued.poll()) != null; ) {
                held.release();
            }
        }
        queuedEnd = false;
    }
}
