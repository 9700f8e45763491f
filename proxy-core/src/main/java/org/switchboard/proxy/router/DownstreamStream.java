package org.switchboard.proxy.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import org.switchboard.proxy.codec.http1.HeadIndex;

/**
 * What an exchange may do to the client side of one request, whatever the client's protocol:
 * ask for the request body, send the response head and body, end it, or give up. The HTTP/1
 * connection and each HTTP/2 stream implement it; the exchange knows neither.
 *
 * <p>Every call happens on the event loop the client connection and the upstream connection
 * share. Buffers passed in are consumed.
 */
public interface DownstreamStream {

    ByteBufAllocator alloc();

    EventExecutor executor();

    /**
     * The upstream can take the request body now: deliver what arrived, and read on. Returns
     * true when body bytes are being handed over (and will be flushed with what the exchange
     * wrote before), false when none have arrived yet.
     */
    boolean requestBody();

    /** The upstream cannot take more body for now; {@link #requestBody()} resumes. */
    void pauseBody();

    /** Whether the client side can take more response bytes without queueing. */
    boolean isWritable();

    /** A 1xx informational response (100 Continue, 103 Early Hints), forwarded as it came. */
    void sendInformational(HeadIndex head);

    /**
     * The final response head, indexed from {@code upstreamBytes}: its readable bytes start with
     * that head, which this consumes (and may rewrite in place: those bytes are the exchange's).
     * {@code wholeBodyLength} bytes after the head (0 for none) are the entire body, small and
     * already read: they are consumed too and go out with the head, in one write.
     * {@code endsWithConnection}: the body has no framing of its own and ends when the upstream
     * closes, so the client learns its end the same way.
     */
    void sendResponseHead(HeadIndex head, boolean endsWithConnection, ByteBuf upstreamBytes, int wholeBodyLength);

    /**
     * Whether response bodies in chunked coding go to the client as they are (an HTTP/1.1
     * client), or as data only ({@link #sendResponseBody} then receives the de-chunked data).
     */
    boolean takesChunkedAsIs();

    void sendResponseBody(ByteBuf data);

    /**
     * The exchange waits for the upstream (its request is sent, it owes a 100 or an answer, or it
     * takes no more of the body): look at
     * {@code StreamExchange#actOnDeadlines} no later than {@code deadlineNanos} (a time of
     * {@link #executor()}'s ticker).
     */
    void awaitingUpstream(long deadlineNanos);

    /**
     * Reading the response was paused at {@code sinceNanos} because the client takes no more:
     * the upstream's silence is not timed meanwhile, the client's is (see
     * {@code StreamExchange#actOnDeadlines}).
     */
    void responsePaused(long sinceNanos);

    /**
     * The upstream switched protocols ({@code 101}) for the WebSocket handshake the request made:
     * the head is consumed from {@code upstreamBytes} and relayed. From then on bytes flow both
     * ways unframed: the client's go to the exchange as request body, the upstream's come as
     * response body, until either side closes ({@link #exchangeFinished} then ends it).
     */
    void tunnelOpened(HeadIndex head, ByteBuf upstreamBytes);

    /**
     * A drain's Close went to the tunnel's client (or the upstream's own had gone already): the
     * closing handshake is under way, and timed from now.
     */
    void tunnelCloseSent();

    /** A batch of upstream reads ended: flush what was written. */
    void flush();

    /**
     * The response ended and was complete; the upstream connection was given back already.
     * {@code nowNanos} is the time of the event that ended it, read once for everything it ends.
     */
    void exchangeFinished(int status, long nowNanos);

    /**
     * The exchange failed before any response byte went out: answer with the error instead.
     * {@code requestComplete}: the whole request body was read, so the connection may go on.
     */
    void exchangeFailed(MatrixErrors error, boolean requestComplete);

    /**
     * The exchange failed after the response started: the client must not take a truncated
     * response for a complete one, so the connection (or stream) is cut.
     */
    void resetAfterResponseStarted(MatrixErrors why);
}
