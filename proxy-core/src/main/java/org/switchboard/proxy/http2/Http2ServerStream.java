package org.switchboard.proxy.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import org.switchboard.config.HostPort;
import org.switchboard.config.LimitsSpec;
import org.switchboard.config.TimeoutsSpec;
import org.switchboard.proxy.codec.http1.Cumulation;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.http.ConnectionClock;
import org.switchboard.proxy.http.DownstreamConnection;
import org.switchboard.proxy.http.ForwardingHeaders;
import org.switchboard.proxy.http.Peer;
import org.switchboard.proxy.http.ProxySnapshot;
import org.switchboard.proxy.http.RequestGate;
import org.switchboard.proxy.http.RequestJourney;
import org.switchboard.proxy.http.UpstreamHead;
import org.switchboard.proxy.router.DownstreamStream;
import org.switchboard.proxy.router.IndexedRequestView;
import org.switchboard.proxy.router.LocalAnswer;
import org.switchboard.proxy.router.MatrixErrors;
import org.switchboard.proxy.router.StreamExchange;
import org.switchboard.proxy.stats.ProxyMetrics;
import org.switchboard.proxy.stats.RequestRecord;

/**
 * One HTTP/2 stream of an {@link Http2Connection}: its header block becomes an HTTP/1.1 head
 * ({@link Http2RequestHead}) that goes through the same request journey as an HTTP/1 request,
 * its DATA frames become the upstream request's body, and the exchange's response comes back as
 * HEADERS and DATA frames on the connection, tagged with this stream. Flow control: the window a
 * DATA frame used is given back only once its bytes went upstream, so while the upstream cannot
 * take more body the client waits, and at most a window waits here.
 */
final class Http2ServerStream implements DownstreamStream {
    private static final System.Logger LOG = System.getLogger(Http2ServerStream.class.getName());
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEAD = "HEAD".getBytes(StandardCharsets.US_ASCII);

    /** HEAD: the header block; BODY: DATA frames go upstream; RESPONSE: the request is whole; DONE: answered. */
    private enum State { HEAD, BODY, RESPONSE, DONE }

    private final Http2Connection connection;
    /** The connection's part: windows, ends, queued response DATA. */
    final Http2StreamFlow flow;
    private final ChannelHandlerContext ctx;
    private final RequestRecord record = new RequestRecord();
    /** See {@link #brokeProtocol}. */
    private boolean brokeProtocol;
    private final ConnectionClock clock;
    private State state = State.HEAD;
    private StreamExchange current;
    private boolean headRequest;
    private boolean requestComplete;
    /** The body goes upstream in chunked coding (the client declared no length). */
    private boolean chunkedUpstream;
    private long declaredLength = -1;
    private long received;
    /** DATA that arrived before the upstream wanted it (bounded by the stream's window). */
    private ByteBuf pending;
    private boolean pendingEnd;
    /** Flow-controlled bytes of DATA frames not yet given back (padding included). */
    private int unreturned;
    private boolean bodyWanted;
    private boolean responseEnded;
    private long lastActivityNanos;

    Http2ServerStream(Http2Connection connection, Http2StreamFlow flow, ChannelHandlerContext ctx) {
        this.connection = connection;
        this.flow = flow;
        this.ctx = ctx;
        this.clock = new ConnectionClock(ctx.executor(), this::tick);
        record.protocol = RequestRecord.Protocol.H2;
    }

    /** The stream's request header block (the connection opened the stream for it). */
    void onHeaders(Http2Headers headers, boolean endStream) {
        lastActivityNanos = now();
        onHead(headers, endStream);
    }

    /** Trailers: HTTP/1 upstreams get none; they end the body. */
    void onTrailers() {
        onData(Unpooled.EMPTY_BUFFER, 0, true);
    }

    /** The header block was larger than the limit: 431, as HTTP/1 answers it. */
    void onHeadersTooLarge() {
        lastActivityNanos = now();
        record.start(now(), connection.peerText());
        state = State.BODY; // whatever it sends after the answer is refused (finish)
        localReply(MatrixErrors.HEADERS_TOO_LARGE);
    }

    /** A DATA frame's content (this stream's to release) and the window it used, padding included. */
    void onData(ByteBuf content, int flowControlled, boolean endStream) {
        lastActivityNanos = now();
        unreturned += flowControlled;
        takeData(content, endStream);
        if (pending == null) {
            giveBackWindow(); // delivered at once, or not wanted at all
        }
    }

    /** What the connection's read delivered upstream goes out in one flush per read. */
    void flushRequest() {
        if (current != null) {
            current.flushRequest();
        }
    }

    private void onHead(Http2Headers headers, boolean endStream) {
        ProxySnapshot snapshot = connection.snapshots.get();
        LimitsSpec limits = snapshot.spec().limits();
        record.start(now(), connection.peerText());
        HeadIndex index = connection.scratch.index(limits.requestTarget(), limits.requestHeaders());
        byte[] bytes = connection.scratch.bytes(limits.requestTarget(), limits.requestHeaders());
        boolean hasBody = !endStream;
        requestComplete = !hasBody;
        state = hasBody ? State.BODY : State.RESPONSE;
        int length = Http2RequestHead.write(headers, endStream, bytes);
        if (length < 0) {
            LOG.log(System.Logger.Level.DEBUG, () -> "listener " + connection.listener + ": refused an HTTP/2 request from "
                    + connection.peerText() + ": " + (length == Http2RequestHead.TOO_LARGE ? "too large" : "malformed header block"));
            localReply(length == Http2RequestHead.TOO_LARGE ? MatrixErrors.HEADERS_TOO_LARGE : MatrixErrors.BAD_REQUEST);
            return;
        }
        int end = index.parseRequest(bytes, 0, length);
        if (end != length) {
            LOG.log(System.Logger.Level.DEBUG, () -> "listener " + connection.listener + ": refused an HTTP/2 request from "
                    + connection.peerText() + ": " + index.errorDetail());
            localReply(end == HeadIndex.REFUSED ? MatrixErrors.refusing(index.error()) : MatrixErrors.BAD_REQUEST);
            return;
        }
        startRequest(snapshot, index, hasBody);
    }

    private void startRequest(ProxySnapshot snapshot, HeadIndex index, boolean hasBody) {
        headRequest = index.isMethod(HEAD);
        record.method = index.methodName();
        Peer peer = connection.peer();
        RequestJourney.Start start = RequestJourney.start(snapshot, index, peer, connection.scheme, record);
        ForwardingHeaders.Decision forwarding = start.forwarding();
        IndexedRequestView view = start.view();
        declaredLength = index.contentLength();
        chunkedUpstream = index.chunked();
        RequestGate.Answer answer = connection.gate == null ? null : connection.gate.check(index);
        if (answer != null) {
            if (answer.refusal() != null) {
                localReply(answer.refusal());
            } else {
                redirect(answer.location());
            }
            return;
        }
        RequestJourney.Decision decision = RequestJourney.route(snapshot, view,
                forwarding == null ? peer.address() : forwarding.clientAddress(), declaredLength, record);
        if (!decision.forwarded()) {
            localReply(decision.answer());
            return;
        }
        ByteBuf upstreamHead = UpstreamHead.write(ctx.alloc(), index, forwarding, peer.text(), peer.ascii(),
                connection.schemeAscii, record, decision, view.path(), false);
        if (hasBody) {
            // Body that comes before the upstream wants it waits here, its window not given back.
            clock.by(now() + snapshot.timeouts().requestBody().toNanos());
        }
        current = new StreamExchange(this, connection.pool, connection.scratch, upstreamHead, decision.route(), view,
                decision.endpoint(), snapshot.failover(), snapshot.timeouts().upstreamResponse().toNanos(), headRequest,
                hasBody, declaredLength, chunkedUpstream, false);
        current.start(now());
    }

    // ---- the request body ----

    private void takeData(ByteBuf content, boolean endStream) {
        if (state != State.BODY) {
            content.release(); // answered already, or a frame after the end: nothing to forward it to
            return;
        }
        received += content.readableBytes();
        if (declaredLength >= 0 && received > declaredLength) {
            content.release();
            malformedBody();
            return;
        }
        if (content.isReadable() && bodyWanted && pending == null) {
            deliver(content);
        } else if (content.isReadable()) {
            pending = pending == null ? content : Cumulation.append(ctx.alloc(), pending, content);
        } else {
            content.release();
        }
        if (endStream) {
            if (pending == null && bodyWanted) {
                bodyEnds();
            } else {
                pendingEnd = true;
            }
        }
    }

    private void deliver(ByteBuf content) {
        int length = content.readableBytes();
        record.bytesIn += length;
        if (current == null) {
            content.release();
            return;
        }
        connection.bodyDelivered(this);
        // The exchange may end inside any of these (a body past its limit): it takes, and drops, the rest.
        StreamExchange exchange = current;
        if (chunkedUpstream) {
            exchange.onRequestBody(Unpooled.copiedBuffer(Integer.toHexString(length) + "\r\n", StandardCharsets.US_ASCII));
            exchange.onRequestBody(content);
            exchange.onRequestBody(Unpooled.wrappedBuffer(CRLF));
        } else {
            exchange.onRequestBody(content);
        }
    }

    private void bodyEnds() {
        if (state != State.BODY) {
            return;
        }
        if (declaredLength >= 0 && received != declaredLength) {
            malformedBody();
            return;
        }
        state = State.RESPONSE;
        requestComplete = true;
        if (current != null) {
            if (chunkedUpstream) {
                current.onRequestBody(Unpooled.wrappedBuffer(LAST_CHUNK));
            }
            current.onRequestEnd();
        }
    }

    /** The DATA frames disagree with the declared Content-Length (RFC 9113 8.1.1): the upstream never sees a whole request. */
    private void malformedBody() {
        LOG.log(System.Logger.Level.DEBUG, () -> "listener " + connection.listener + ": HTTP/2 body from "
                + connection.peerText() + " disagrees with its content-length");
        dropPending();
        if (current != null) {
            current.abortMalformed();
        } else {
            localReply(MatrixErrors.BAD_REQUEST);
        }
    }

    @Override
    public boolean requestBody() {
        if (state != State.BODY) {
            return false;
        }
        bodyWanted = true;
        boolean arrived = pending != null;
        if (arrived) {
            ByteBuf held = pending;
            pending = null;
            deliver(held);
            giveBackWindow();
        }
        if (pendingEnd) {
            pendingEnd = false;
            bodyEnds();
        }
        return arrived;
    }

    @Override
    public void pauseBody() {
        bodyWanted = false;
    }

    /** The client may send as much again as went upstream (RFC 9113 6.9). */
    private void giveBackWindow() {
        if (unreturned > 0) {
            connection.returnWindow(this, unreturned);
        }
        unreturned = 0;
    }

    // ---- the response ----

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public EventExecutor executor() {
        return ctx.executor();
    }

    @Override
    public boolean isWritable() {
        return connection.output.isWritable(this);
    }

    /** The connection, or this stream's window, can take more response bytes again. */
    void onWritable() {
        if (current != null && isWritable()) {
            current.onClientWritable();
        }
    }

    @Override
    public void sendInformational(HeadIndex head) {
        if (head.status() == 100 || head.status() == 103) {
            connection.output.writeHeaders(this, Http2ResponseHeaders.of(head), null, false);
        }
    }

    @Override
    public void sendResponseHead(HeadIndex head, boolean endsWithConnection, ByteBuf upstreamBytes, int wholeBodyLength) {
        record.status = head.status();
        record.bytesOut += wholeBodyLength;
        upstreamBytes.skipBytes(head.headEnd());
        ByteBuf body = wholeBodyLength > 0 ? upstreamBytes.readRetainedSlice(wholeBodyLength) : null;
        boolean empty = headRequest || head.status() == 204 || head.status() == 304
                || (head.contentLength() == 0 && !head.chunked());
        writeResponse(Http2ResponseHeaders.of(head), body, empty);
    }

    /** HEADERS, then the whole body when it is known (null when it is to come, or there is none: {@code complete}). */
    private void writeResponse(Http2Headers headers, ByteBuf wholeBody, boolean complete) {
        if (wholeBody != null && headRequest) {
            wholeBody.release();
            wholeBody = null;
            complete = true;
        }
        responseEnded = wholeBody != null || complete;
        connection.output.writeHeaders(this, headers, wholeBody, responseEnded);
    }

    @Override
    public boolean takesChunkedAsIs() {
        return false;
    }

    @Override
    public void sendResponseBody(ByteBuf data) {
        if (responseEnded || headRequest) {
            data.release();
            return;
        }
        record.bytesOut += data.readableBytes();
        connection.output.writeData(this, data, false);
    }

    @Override
    public void awaitingUpstream(long deadlineNanos) {
        clock.by(deadlineNanos);
    }

    @Override
    public void responsePaused(long sinceNanos) {
        clock.by(sinceNanos + connection.snapshots.get().timeouts().downstreamIdle().toNanos());
    }

    /**
     * The client took none of this stream's response for {@code timeouts.downstreamIdle}: the
     * stream is reset. A client reading slowly opens its window as it goes, which resumes the
     * stream and times its next stall afresh, so one judged here has taken nothing.
     */
    private boolean clientStalled() {
        cutResponseOff("client_timeout", RequestRecord.Termination.CLIENT_TIMEOUT, Http2Error.CANCEL, true);
        return true;
    }

    @Override
    public void tunnelOpened(HeadIndex head, ByteBuf upstreamBytes) {
        // Never asked for: an HTTP/2 request carries no Upgrade (RFC 8441 is not offered).
        resetAfterResponseStarted(MatrixErrors.INVALID_RESPONSE);
    }

    @Override
    public void tunnelCloseSent() {
        // No tunnel is ever opened on an HTTP/2 stream (see tunnelOpened).
    }

    @Override
    public void flush() {
        connection.output.flushSoon();
    }

    @Override
    public void exchangeFinished(int status, long nowNanos) {
        StreamExchange finished = current;
        current = null;
        if (!responseEnded) {
            connection.output.writeData(this, Unpooled.EMPTY_BUFFER, true);
            responseEnded = true;
        }
        record.termination = RequestRecord.Termination.COMPLETE;
        endRecord(finished, nowNanos);
        finish();
    }

    @Override
    public void exchangeFailed(MatrixErrors error, boolean complete) {
        StreamExchange failed = current;
        current = null;
        metrics().proxyError(error.metricTag());
        record.status = error.status().code();
        record.bytesOut = error.bodyBytesSent(headRequest);
        record.termination = error.termination();
        endRecord(failed);
        writeAnswer(error);
        finish();
    }

    @Override
    public void resetAfterResponseStarted(MatrixErrors why) {
        cutResponseOff(why.metricTag(), RequestRecord.Termination.TRUNCATED, Http2Error.INTERNAL_ERROR, why.clientsFault());
    }

    /**
     * Ends the response in progress by resetting the stream: recorded, counted, its exchange let
     * go. {@code clientsDoing}: the reset counts towards the client's limit (its body too large,
     * too slow, not what it declared), not when an upstream broke the response off.
     */
    private void cutResponseOff(String errorKind, RequestRecord.Termination termination, Http2Error reset,
                                boolean clientsDoing) {
        StreamExchange exchange = current;
        current = null;
        metrics().proxyError(errorKind);
        record.termination = termination;
        endRecord(exchange);
        if (exchange != null) {
            exchange.abort(); // nothing left to do for one that failed already
        }
        state = State.DONE;
        dropPending();
        connection.abortStream(this, reset, clientsDoing);
    }

    /** Answers without an upstream (one of the proxy's own answers, parsed back from its HTTP/1 form). */
    private void localReply(LocalAnswer answer) {
        if (answer.metricTag() != null) {
            metrics().proxyError(answer.metricTag());
        }
        record.status = answer.statusCode();
        record.bytesOut = answer.bodyBytesSent(headRequest);
        record.termination = RequestRecord.Termination.LOCAL;
        endRecord(null);
        writeAnswer(answer);
        finish();
    }

    private void writeAnswer(LocalAnswer answer) {
        ByteBuf encoded = answer.encoded(ctx.alloc(), false, false, headRequest);
        try {
            byte[] bytes = ByteBufUtil.getBytes(encoded);
            HeadIndex head = connection.scratch.responseIndex();
            int end = head.parseResponse(bytes, 0, bytes.length);
            Http2Headers headers = Http2ResponseHeaders.of(head);
            int bodyLength = bytes.length - end;
            writeResponse(headers, bodyLength > 0 ? Unpooled.wrappedBuffer(bytes, end, bodyLength) : null, bodyLength == 0);
        } finally {
            encoded.release();
        }
    }

    private void redirect(String location) {
        record.status = 308;
        record.termination = RequestRecord.Termination.LOCAL;
        endRecord(null);
        Http2Headers headers = new DefaultHttp2Headers().status(AsciiString.of("308"))
                .set(AsciiString.of("location"), location).set(AsciiString.of("content-length"), AsciiString.of("0"));
        writeResponse(headers, null, true);
        finish();
    }

    /**
     * The response went out whole. A request body still arriving is not wanted any more: the
     * stream is reset with NO_ERROR, which tells the client to stop sending (RFC 9113 8.1).
     */
    private void finish() {
        boolean bodyUnread = state == State.BODY;
        state = State.DONE;
        if (bodyUnread) {
            // First: the body held here is dropped without its window given back either.
            connection.refuseRestOfBody(this);
        }
        dropPending();
        clock.stop();
        connection.output.flushSoon();
    }

    /** The health checker gave up on {@code address}: a request waiting there may go elsewhere. */
    void endpointUnhealthy(HostPort address) {
        if (current != null) {
            current.endpointUnhealthy(address);
        }
    }

    /** The drain's timeout: a request still waiting may be answered before the connection closes; whether it was. */
    boolean answerDrainTimeout() {
        return current != null && current.answerDrainTimeout();
    }

    // ---- the stream's end and clocks ----

    /** The stream closed: answered, reset by the client, or the connection went. A request in flight is abandoned. */
    void closed() {
        if (current != null) {
            StreamExchange gone = current;
            current = null;
            record.cutOff(brokeProtocol ? RequestRecord.Termination.PROTOCOL_ERROR
                    : DownstreamConnection.closedByProxy(ctx.channel()));
            endRecord(gone);
            gone.abort();
        }
        state = State.DONE;
        dropPending();
        clock.stop();
    }

    /** The client broke the protocol on this stream, which is reset for it: its request is logged so, not as the client's leaving. */
    void brokeProtocol() {
        brokeProtocol = true;
    }

    /** The body stall (request body timeout) and the upstream's deadline. */
    private long tick(long now) {
        if (state == State.DONE || !ctx.channel().isActive()) {
            return Long.MAX_VALUE;
        }
        TimeoutsSpec timeouts = connection.snapshots.get().timeouts();
        long next = Long.MAX_VALUE;
        if (state == State.BODY && bodyWanted) {
            long due = lastActivityNanos + timeouts.requestBody().toNanos();
            if (now >= due) {
                if (current != null) {
                    current.abortStalledBody();
                } else {
                    localReply(MatrixErrors.BODY_TIMEOUT);
                }
                return Long.MAX_VALUE;
            }
            next = due;
        }
        if (current != null) {
            long due = current.actOnDeadlines(now, timeouts.downstreamIdle().toNanos(), this::clientStalled);
            if (due < 0) {
                return Long.MAX_VALUE;
            }
            next = Math.min(next, due);
        }
        return next == Long.MAX_VALUE ? now + timeouts.requestHeader().toNanos() : next;
    }


    private void endRecord(StreamExchange exchange) {
        endRecord(exchange, now());
    }

    private void endRecord(StreamExchange exchange, long nowNanos) {
        if (exchange != null) {
            exchange.describe(record, metrics());
        }
        record.finish(nowNanos, connection.listener, metrics(), connection.accessLog, ctx.executor());
    }

    private ProxyMetrics metrics() {
        return connection.metrics;
    }

    /** Body held for the upstream is not wanted any more; its window still goes back to the connection. */
    private void dropPending() {
        if (pending != null) {
            ByteBuf held = pending;
            pending = null;
            held.release();
        }
        pendingEnd = false;
        giveBackWindow();
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }
}
