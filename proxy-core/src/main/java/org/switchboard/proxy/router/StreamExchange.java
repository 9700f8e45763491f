package org.switchboard.proxy.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.switchboard.config.HostPort;
import org.switchboard.proxy.codec.http1.ChunkedFramer;
import org.switchboard.proxy.codec.http1.Cumulation;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.codec.http1.Http1Scratch;
import org.switchboard.proxy.codec.websocket.FrameBoundaries;
import org.switchboard.proxy.net.HalfClose;
import org.switchboard.proxy.stats.ProxyMetrics;
import org.switchboard.proxy.stats.RequestRecord;
import org.switchboard.proxy.upstream.UpstreamConnection;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;
import org.switchboard.proxy.upstream.UpstreamListener;
import org.switchboard.routing.Endpoint;
import org.switchboard.routing.RequestView;
import org.switchboard.routing.Route;

/**
 * One proxied request and its response over an upstream connection that carries bytes: writes
 * the rewritten head and the body slices it is handed, parses the response head once, forwards
 * it (and any 1xx before it) and then the body as slices while following its framing. Speaks to
 * the client only through {@link DownstreamStream}, so it does not know the client's protocol.
 * Ends in exactly one of {@link #finish(long)}, {@link #fail(MatrixErrors)} or {@link #abort()}.
 *
 * <p>Runs entirely on the event loop the client connection and the upstream connection share.
 */
public final class StreamExchange implements UpstreamListener {
    /** Where the response stands; TUNNEL: after a 101 to a WebSocket handshake, bytes both ways until a close. */
    private enum Response { HEAD, FIXED, CHUNKED, UNTIL_CLOSE, TUNNEL, DONE }

    /** A body up to this size that arrived with its head is copied behind it rather than sliced. */
    private static final int SMALL_BODY = 16 * 1024;
    private static final int MAX_INFORMATIONAL_RESPONSES = 8;

    private final DownstreamStream downstream;
    private final UpstreamConnectionPool pool;
    private final Http1Scratch scratch;
    private final Route route;
    /** The client's address, for a view of the request when it is routed again. */
    private final String clientAddress;
    private final Failover failover;
    private final long responseTimeoutNanos;
    private final boolean headRequest;
    private final boolean hasBody;
    private final long maxBodyBytes;
    /** The request is a WebSocket handshake its route accepts: a 101 opens a tunnel. */
    private final boolean webSocket;
    /** The head to send, until it is handed to a connection (null after). */
    private ByteBuf upstreamHead;
    /**
     * A copy of the head sent, kept while the request may be sent again: exact-size heap bytes,
     * the smallest thing a held /sync can keep (no pooled direct buffer per held poll).
     */
    private byte[] sentHead;
    private final boolean mayResend;
    private final ReplayBody replay;
    /** The endpoints this request went to before the current one; null until it is retried (most never are). */
    private List<Endpoint> triedBefore;
    private Endpoint endpoint;
    private boolean holdsRetry;
    private boolean resend;

    private UpstreamConnection upstream;
    private boolean requestComplete;
    private boolean awaitingUpstreamWritable;
    private long bodyBytes;
    private boolean done;
    private boolean loadReleased;
    private boolean tunnelResetByUpstream;
    /** A tunnel's frames from the upstream, followed so that a Close of the proxy's own can go between two. */
    private FrameBoundaries framesToClient;
    /** Where a drain's request that the tunnel's client go away stands. */
    private GoingAway goingAway = GoingAway.NOT_ASKED;

    /**
     * A drain's Close 1001 to a tunnel's client: WANTED until the upstream's message in progress
     * ends, then SENT; or NOT_NEEDED when the upstream's own Close had gone to the client already.
     */
    private enum GoingAway { NOT_ASKED, WANTED, SENT, NOT_NEEDED }

    /** What the client of a drained tunnel reads in the Close frame's reason (browsers show it in CloseEvent.reason). */
    private static final String GOING_AWAY_REASON = "proxy restarting";
    /** RFC 6455 7.4.1: the endpoint is going away, such as a server going down. */
    private static final int GOING_AWAY = 1001;

    private Response response = Response.HEAD;
    private ByteBuf responsePending;
    /** 1xx responses relayed so far (a 100, a 103 or two are what servers send). */
    private int informationalResponses;
    private long responseRemaining;
    private ChunkedFramer responseChunks;
    private boolean upstreamKeepAlive;
    private boolean responseStarted;
    private int responseStatus;
    private long requestSentNanos = -1;
    private long upstreamNanos = -1;
    private long lastUpstreamActivityNanos;
    private boolean awaitingUpstream;
    /** When reading the response was paused because the client took no more; -1 while it is not. */
    private long pausedForClientSince = -1;
    /** When the upstream stopped taking the request body (its socket full); -1 while it takes it. */
    private long upstreamWriteBlockedSince = -1;
    /** The client sent {@code Expect: 100-continue}: until body bytes come, the upstream owes an answer. */
    private boolean expectsContinue;
    /** The connection came from the pool (kept alive since an earlier request), not opened for this one. */
    private boolean reusedConnection;
    /** The fresh connection tried once after a reused one closed before answering. */
    private boolean retriedOnFreshConnection;
    /** Times this request was sent again, for its log line. */
    private int retries;
    /** Any byte came back on the current upstream connection. */
    private boolean upstreamSpoke;
    /** Made when a chunked response is first dechunked (for an HTTP/2 client), not per exchange. */
    private ChunkedFramer.DataSink dechunked;

    public StreamExchange(DownstreamStream downstream, UpstreamConnectionPool pool, Http1Scratch scratch, ByteBuf upstreamHead,
                   Route route, RequestView view, Endpoint endpoint, Failover failover, long responseTimeoutNanos,
                   boolean headRequest, boolean hasBody, long contentLength, boolean chunked, boolean webSocket) {
        this.downstream = downstream;
        this.pool = pool;
        this.scratch = scratch;
        this.upstreamHead = upstreamHead;
        this.route = route;
        this.clientAddress = view.clientAddress();
        this.endpoint = endpoint;
        this.failover = failover;
        this.responseTimeoutNanos = responseTimeoutNanos;
        this.headRequest = headRequest;
        this.hasBody = hasBody;
        this.maxBodyBytes = route.maxBodyBytes();
        this.webSocket = webSocket;
        String method = view.method();
        boolean replayable = "PUT".equals(method) && TransactionPaths.hasTransactionId(view.path()) && !chunked
                && contentLength >= 0 && contentLength <= ReplayBody.MAX_BYTES;
        this.replay = replayable ? new ReplayBody() : null;
        boolean safe = "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
        // GET, HEAD and OPTIONS without a body may be sent again after a connection died before
        // any response byte; so may a PUT with a transaction id, whose body is kept for it.
        this.mayResend = replayable || (safe && !hasBody);
    }

    private ChunkedFramer.DataSink dechunked() {
        if (dechunked == null) {
            dechunked = (buf, index, length) -> sendBody(buf.retainedSlice(index, length));
        }
        return dechunked;
    }

    /**
     * Sends the request to its endpoint.
     *
     * @param nowNanos the time of the event that started it, read once by the caller
     */
    public void start(long nowNanos) {
        endpoint.load().requestStarted();
        UpstreamConnection pooled = pool.pollIdle(endpoint.address(), this);
        if (pooled != null) {
            reusedConnection = true;
            onConnected(pooled, nowNanos);
            return;
        }
        connectNew();
    }

    /** Opens a connection of its own to the endpoint (none idle, or the idle one went stale). */
    private void connectNew() {
        reusedConnection = false;
        Endpoint target = endpoint;
        pool.connect(endpoint.address(), this).addListener((ChannelFuture future) -> {
            if (future.isSuccess()) {
                onConnected(UpstreamConnectionPool.connectionOf(future.channel()), now());
            } else if (!done && target == endpoint) {
                failover.health().failed(endpoint, "connect: " + future.cause().getMessage());
                // Nothing was sent on this connection: any request may go to another endpoint,
                // but for a PUT with a transaction id sent once already on a connection that died
                // unanswered: the worker may have acted on it, and another would act again.
                if ((resend && replay != null) || !retryElsewhere("connect_failure")) {
                    fail(MatrixErrors.CONNECT_FAILED);
                }
            }
        });
    }

    /** Moves this request to another eligible endpoint if the budget allows; false if it cannot. */
    private boolean retryElsewhere(String reason) {
        Endpoint next = anotherEndpoint(null);
        if (next == null) {
            return false;
        }
        moveTo(next, reason);
        return true;
    }

    /**
     * Another eligible endpoint for this request, with the retry budget taken for it; null if it
     * cannot be sent again, there is none, or the budget is spent. Follow with {@link #moveTo}.
     *
     * @param awayFrom when not null: only an endpoint taking requests (not one picked anyway
     *                 because all are down) at another address than this one
     */
    private Endpoint anotherEndpoint(HostPort awayFrom) {
        byte[] head = upstreamHead != null ? ByteBufUtil.getBytes(upstreamHead) : sentHead;
        if (head == null) {
            return null; // handed to an upstream for good: this request is not sent again
        }
        // The parse index has moved on since: the request is read back from the head kept for sending.
        RequestView view = HeadBytesView.ofRequest(head, clientAddress);
        List<Endpoint> tried = new ArrayList<>(triedBefore == null ? List.of() : triedBefore);
        tried.add(endpoint);
        Endpoint next = route.pick(view, tried);
        if (next == null || awayFrom != null && (!next.load().available() || next.address().equals(awayFrom))) {
            return null;
        }
        // Every caller leaves an endpoint that is gone or silent (refused the connection, closed
        // it before any answer, failed its checks): it serves no one meanwhile, and its clients
        // would otherwise fail or wait there, so the first move is not counted. A request moving
        // again is, against the budget (a storm of requests bouncing between failing endpoints).
        boolean firstMove = triedBefore == null;
        if (!(firstMove || holdsRetry || failover.retries().tryAcquire())) {
            failover.metrics().retryRefused();
            return null;
        }
        triedBefore = tried;
        holdsRetry = holdsRetry || !firstMove;
        return next;
    }

    private void moveTo(Endpoint next, String reason) {
        retried(reason);
        endpoint.load().requestEnded();
        endpoint = next;
        start(now());
    }

    /**
     * The health checker gave up on an address (its checks went unanswered or failed): a GET,
     * HEAD or OPTIONS without a body still waiting there for the first byte of its answer goes to
     * another endpoint taking requests now, rather than waiting out
     * {@code timeouts.upstreamResponse} on a worker that may be frozen (a held /sync would
     * otherwise keep its user from new events for minutes). Not a PUT with a transaction id,
     * though it may be sent again after a connection died: a frozen worker still holds it and
     * may finish it when it wakes, and two workers could both act on it. With nowhere else to go
     * the request keeps waiting: the worker may yet answer.
     */
    public void endpointUnhealthy(HostPort address) {
        boolean waitingThere = bodilessAndUnanswered() && upstream != null && !upstreamSpoke
                && endpoint.address().equals(address);
        if (!waitingThere) {
            return;
        }
        Endpoint next = anotherEndpoint(address);
        if (next == null) {
            return;
        }
        pool.release(upstream, false);
        upstream = null;
        forgetConnectionState();
        resend = true;
        moveTo(next, "endpoint_unhealthy");
    }

    /**
     * The drain's timeout came while this request waited for its answer. A GET, HEAD or OPTIONS
     * without a body is answered 503 now (true), so its client tries again at once, elsewhere;
     * its connection closes after. Any other is cut off by that close with no answer (false): the
     * upstream may have acted on it, and a 503 would say it had not (a PUT with a transaction id
     * too, as a frozen worker's is not moved).
     */
    public boolean answerDrainTimeout() {
        if (!bodilessAndUnanswered()) {
            return false;
        }
        fail(MatrixErrors.DRAIN_TIMEOUT);
        return true;
    }

    /**
     * A GET, HEAD or OPTIONS without a body (sent again as it is, no body kept for it), read
     * whole, with no byte of its answer out yet: what may be moved, or answered by the proxy.
     */
    private boolean bodilessAndUnanswered() {
        return !done && requestComplete && mayResend && replay == null && !responseStarted && response != Response.TUNNEL;
    }

    private void retried(String reason) {
        retries++;
        failover.metrics().retry(reason);
    }

    private void onConnected(UpstreamConnection connection, long nowNanos) {
        if (done) {
            // The client left while we connected; the fresh connection is clean, keep it.
            pool.release(connection, true);
            return;
        }
        upstream = connection;
        upstreamSpoke = false;
        Channel channel = connection.channel();
        requestSentNanos = nowNanos;
        if (upstreamHead == null) {
            // A resend: the head went out once already, from this copy.
            channel.write(Unpooled.wrappedBuffer(sentHead), channel.voidPromise());
        } else {
            if (mayResend || expectsContinue) {
                // An Expect request's head is kept until its body starts: see onUpstreamClosed.
                sentHead = ByteBufUtil.getBytes(upstreamHead);
            }
            channel.write(upstreamHead, channel.voidPromise());
            upstreamHead = null;
        }
        if (resend) {
            // A retried request: the client already sent all of it.
            if (replay != null) {
                replay.writeBytesTo(channel);
            }
            channel.flush();
            armResponseTimeout(nowNanos);
            return;
        }
        if (!hasBody) {
            requestComplete = true;
            channel.flush();
            armResponseTimeout(nowNanos);
            return;
        }
        // Body bytes already read go out with the head, in one write (the client connection
        // flushes after handing them over). Without any, the head goes out alone now: a client
        // that sent Expect: 100-continue waits for the upstream's 100 before it sends the body.
        if (!downstream.requestBody() && !done) {
            channel.flush();
            if (expectsContinue) {
                // The upstream decides when the body may come (a 100) or answers at once: it
                // owes an answer, and its silence is timed until the body starts.
                armResponseTimeout(nowNanos);
            }
        }
    }

    /** The client sent {@code Expect: 100-continue} (call before {@link #start}). */
    public void expectContinue() {
        expectsContinue = true;
    }

    /** Request body from the client, a slice of its read buffer; ownership passes on. */
    public void onRequestBody(ByteBuf part) {
        if (done || upstream == null) {
            part.release();
            return;
        }
        bodyBytes += part.readableBytes();
        if (response == Response.TUNNEL) {
            // Counted as they go: a signalling tunnel stays open for hours.
            failover.metrics().tunnelBytesToUpstream(part.readableBytes());
        } else if (bodyBytes > maxBodyBytes) {
            // A chunked body (its length unknown up front) grew past the route's limit.
            part.release();
            fail(MatrixErrors.BODY_TOO_LARGE);
            return;
        }
        if (replay != null) {
            replay.keep(part);
        }
        if (expectsContinue && !mayResend) {
            sentHead = null; // the body started: this request is not sent again
        }
        if (awaitingUpstream && !requestComplete) {
            // The body after an Expect began: the client's pace is timed now, not the upstream's silence.
            awaitingUpstream = false;
        }
        Channel channel = upstream.channel();
        channel.write(part, channel.voidPromise());
        if (!channel.isWritable()) {
            // Paused before the flush: a flush that drains at once reports writability from inside.
            awaitingUpstreamWritable = true;
            upstreamWriteBlockedSince = now();
            downstream.awaitingUpstream(upstreamWriteBlockedSince + responseTimeoutNanos);
            downstream.pauseBody();
            channel.flush();
        }
    }

    /** The client connection read what it had: one flush for the body parts written. */
    public void flushRequest() {
        if (upstream != null && !done) {
            upstream.channel().flush();
        }
    }

    public void onRequestEnd() {
        if (done || upstream == null) {
            return;
        }
        requestComplete = true;
        upstream.channel().flush();
        armResponseTimeout(now());
    }

    @Override
    public void onUpstreamWritable() {
        if (awaitingUpstreamWritable && !done) {
            awaitingUpstreamWritable = false;
            upstreamWriteBlockedSince = -1;
            downstream.requestBody();
        }
    }

    /** The client can take more: resume reading the response; the upstream's silence is timed from now. */
    public void onClientWritable() {
        if (upstream != null && !done) {
            upstream.channel().config().setAutoRead(true);
            if (pausedForClientSince >= 0) {
                pausedForClientSince = -1;
                if (awaitingUpstream) {
                    lastUpstreamActivityNanos = now();
                    downstream.awaitingUpstream(lastUpstreamActivityNanos + responseTimeoutNanos);
                }
            }
        }
    }

    /**
     * The client side's clock asks what is overdue at {@code now}: a response that waited on the
     * client for {@code clientStallNanos} is handed to {@code judgeClient}, which cuts the client
     * off (true: that is the client side's to do) or finds it still reading (false: its stall is
     * timed afresh); an upstream silent past its deadline gets its timeout. Returns when to look
     * again ({@code Long.MAX_VALUE}: nothing awaited, or the exchange is over), or -1 when this
     * call ended it.
     */
    public long actOnDeadlines(long now, long clientStallNanos, BooleanSupplier judgeClient) {
        if (done) {
            return Long.MAX_VALUE;
        }
        long next = Long.MAX_VALUE;
        if (pausedForClientSince >= 0) {
            long due = pausedForClientSince + clientStallNanos;
            if (now >= due) {
                if (judgeClient.getAsBoolean()) {
                    return -1;
                }
                pausedForClientSince = now;
                due = now + clientStallNanos;
            }
            next = due;
        }
        long due = upstreamDeadline();
        if (now >= due) {
            upstreamTimedOut();
            return -1;
        }
        return Math.min(next, due);
    }

    // ---- the response ----

    @Override
    public void onResponseBytes(ByteBuf bytes) {
        if (done) {
            bytes.release();
            return;
        }
        // One clock read for everything this read ends: the record, the next request's timer.
        lastUpstreamActivityNanos = now();
        upstreamSpoke = true;
        responsePending = Cumulation.append(downstream.alloc(), responsePending, bytes);
        while (!done && responsePending != null && responsePending.isReadable()) {
            if (response == Response.HEAD) {
                if (!responseHead()) {
                    break;
                }
            } else if (response == Response.DONE) {
                // Bytes beyond the response: the connection is out of step with us, never reused.
                upstreamKeepAlive = false;
                responsePending.skipBytes(responsePending.readableBytes());
            } else {
                responseBody();
            }
        }
        if (responsePending != null && !responsePending.isReadable()) {
            responsePending.release();
            responsePending = null;
        }
        if (!done && response == Response.DONE) {
            finish(lastUpstreamActivityNanos);
        }
    }

    /** Parses one head from the pending bytes; false when it needs more. */
    private boolean responseHead() {
        HeadIndex index = scratch.responseIndex();
        int end = index.parseResponse(responsePending, scratch.responseBytes());
        if (end == HeadIndex.INCOMPLETE) {
            return false;
        }
        if (end == HeadIndex.REFUSED) {
            invalidResponse("invalid response: " + index.errorDetail());
            return false;
        }
        int status = index.status();
        if (status == 101 && webSocket) {
            // The switch must be to the protocol asked for, in HTTP/1.1 (RFC 9110 15.2.2): any
            // other 101 is a broken upstream, not a WebSocket handshake to pass off as one.
            if (index.minorVersion() < 1 || !index.webSocketUpgrade()) {
                invalidResponse("101 Switching Protocols without Upgrade: websocket and Connection: upgrade");
                return false;
            }
            openTunnel(index);
            return true;
        }
        if (status < 200) {
            if (status == 101) {
                // No upgrade was asked for on this path: an unsolicited switch is a broken upstream.
                invalidResponse("101 Switching Protocols without an upgrade request");
                return false;
            }
            if (++informationalResponses > MAX_INFORMATIONAL_RESPONSES) {
                // 1xx go to the client as they come, past the backpressure bodies get: without a
                // bound, a worker could make the proxy buffer them for a client that reads nothing.
                invalidResponse("more than " + MAX_INFORMATIONAL_RESPONSES + " 1xx responses before the final one");
                return false;
            }
            responsePending.skipBytes(end);
            if (status == 100 && awaitingUpstream && !requestComplete) {
                // The upstream wants the body: from here the client's pace is timed.
                awaitingUpstream = false;
            }
            downstream.sendInformational(index);
            return true;
        }
        if (saysTheWorkerIsFailing(status)) {
            failover.health().failed(endpoint, "status " + status);
        } else {
            failover.health().succeeded(endpoint);
        }
        upstreamKeepAlive = index.keepAlive();
        if (headRequest || status == 204 || status == 304) {
            response = Response.DONE;
        } else if (index.chunked()) {
            // Body bytes read with the head are judged before the head goes out: while nothing
            // has, a broken body is still a 502, not a 200 cut off before its first byte.
            int bodyStart = responsePending.readerIndex() + end;
            String broken = scratch.chunkCheck().firstError(responsePending, bodyStart, responsePending.writerIndex());
            if (broken != null) {
                invalidResponse("invalid chunked response body: " + broken);
                return false;
            }
            response = Response.CHUNKED;
            if (responseChunks == null) {
                responseChunks = new ChunkedFramer();
            }
            responseChunks.reset();
        } else if (index.contentLength() >= 0) {
            responseRemaining = index.contentLength();
            response = responseRemaining == 0 ? Response.DONE : Response.FIXED;
        } else {
            response = Response.UNTIL_CLOSE;
            upstreamKeepAlive = false;
        }
        responseStarted = true;
        responseStatus = status;
        if (requestSentNanos >= 0) {
            upstreamNanos = lastUpstreamActivityNanos - requestSentNanos;
        }
        if (response == Response.FIXED && responseRemaining <= SMALL_BODY
                && responsePending.readableBytes() - end >= responseRemaining) {
            // A small body that came with its head (most Matrix answers): one buffer, one write.
            downstream.sendResponseHead(index, false, responsePending, (int) responseRemaining);
            responseRemaining = 0;
            response = Response.DONE;
            return true;
        }
        downstream.sendResponseHead(index, response == Response.UNTIL_CLOSE, responsePending, 0);
        return true;
    }

    /** The upstream accepted the WebSocket handshake: from here on its bytes go to the client as they come. */
    private void openTunnel(HeadIndex index) {
        failover.health().succeeded(endpoint);
        // A tunnel is no request in flight: minutes of LiveKit signalling must not weigh on the
        // balancer's choices or on the retry budget, which both count requests in flight.
        releaseLoad();
        cancelResponseTimeout();
        response = Response.TUNNEL;
        framesToClient = new FrameBoundaries();
        upstreamKeepAlive = false;
        responseStarted = true;
        responseStatus = 101;
        if (requestSentNanos >= 0) {
            upstreamNanos = lastUpstreamActivityNanos - requestSentNanos;
        }
        downstream.tunnelOpened(index, responsePending);
    }

    /**
     * The client half-closed a tunnel: the upstream sees the same once everything the client sent
     * before is written (shutting the output at once would drop what still waits to go), and may
     * still answer.
     */
    public void onClientHalfClosed() {
        if (!done && upstream != null) {
            // A connection that cannot be half-closed any more is closed already: its close ends the tunnel.
            HalfClose.afterWrites(upstream.channel(), upstream.channel());
        }
    }

    /**
     * A drain wants the tunnel's client to leave: a Close 1001 (Going Away, RFC 6455 7.4.1) goes to
     * it as soon as the upstream's message in progress ends, and nothing the upstream sends after
     * that. The client answers with a Close of its own, which goes on to the upstream as any frame
     * does: to the upstream the client left. Once a Close is out, the client hears of it
     * ({@link DownstreamStream#tunnelCloseSent}). Returns whether one is out (now or before).
     */
    public boolean sayGoingAway() {
        if (goingAway == GoingAway.NOT_ASKED && tunnelling()) {
            goingAway = GoingAway.WANTED;
            if (framesToClient.betweenMessages()) {
                sendGoingAway();
            }
        }
        return goingAway == GoingAway.SENT || goingAway == GoingAway.NOT_NEEDED;
    }

    private void sendGoingAway() {
        if (framesToClient.lastWasClose()) {
            // The upstream's own Close went already (a close under way): after it nothing more may go.
            goingAway = GoingAway.NOT_NEEDED;
        } else {
            goingAway = GoingAway.SENT;
            downstream.sendResponseBody(FrameBoundaries.serverClose(downstream.alloc(), GOING_AWAY, GOING_AWAY_REASON));
            downstream.flush();
        }
        downstream.tunnelCloseSent();
    }

    /** A drain asked the tunnel's client to go (the Close may still wait for the upstream's message to end). */
    public boolean goingAwayAsked() {
        return goingAway != GoingAway.NOT_ASKED;
    }

    /** The proxy's Close went to the tunnel's client: whatever ends the tunnel now, a drain ended it. */
    public boolean toldClientToGo() {
        return goingAway == GoingAway.SENT;
    }

    /**
     * The upstream's tunnel bytes to the client, as they come. Once a drain asked the client to go,
     * they go up to the end of the message in progress, then the Close; after the Close nothing more
     * may go to the client (RFC 6455 5.5.1), so the rest is read and dropped.
     */
    private void tunnelToClient(int readable) {
        int from = responsePending.readerIndex();
        int forward = readable;
        switch (goingAway) {
            case SENT -> forward = 0;
            case WANTED -> {
                int end = framesToClient.untilBetweenMessages(responsePending, from, from + readable);
                forward = end < 0 ? readable : end - from;
            }
            default -> framesToClient.follow(responsePending, from, from + readable);
        }
        if (forward > 0) {
            failover.metrics().tunnelBytesToClient(forward);
            sendBody(responsePending.readRetainedSlice(forward));
        }
        if (goingAway == GoingAway.WANTED && framesToClient.betweenMessages()) {
            sendGoingAway();
        }
        if (goingAway == GoingAway.SENT) {
            responsePending.skipBytes(responsePending.readableBytes());
        }
    }

    /** The upstream ended the tunnel with a reset, not a clean close (logged {@code upstream_reset}). */
    public boolean tunnelResetByUpstream() {
        return tunnelResetByUpstream;
    }

    boolean tunnelling() {
        return response == Response.TUNNEL && !done;
    }

    /** When the upstream last sent a byte (a tunnel's idle clock counts both directions). */
    public long lastUpstreamActivityNanos() {
        return lastUpstreamActivityNanos;
    }

    private void responseBody() {
        int readable = responsePending.readableBytes();
        switch (response) {
            case FIXED -> {
                int take = (int) Math.min(responseRemaining, readable);
                sendBody(responsePending.readRetainedSlice(take));
                responseRemaining -= take;
                if (responseRemaining == 0) {
                    response = Response.DONE;
                }
            }
            case CHUNKED -> {
                int from = responsePending.readerIndex();
                boolean asIs = downstream.takesChunkedAsIs();
                int taken = responseChunks.scan(responsePending, from, from + readable, asIs ? null : dechunked());
                if (taken < 0) {
                    invalidResponse("invalid chunked response body: " + responseChunks.error());
                    return;
                }
                if (asIs) {
                    sendBody(responsePending.readRetainedSlice(taken));
                } else {
                    responsePending.skipBytes(taken);
                }
                if (responseChunks.done()) {
                    response = Response.DONE;
                }
            }
            case TUNNEL -> tunnelToClient(readable);
            default -> sendBody(responsePending.readRetainedSlice(readable));
        }
    }

    private void sendBody(ByteBuf data) {
        downstream.sendResponseBody(data);
        if (!downstream.isWritable() && upstream != null) {
            upstream.channel().config().setAutoRead(false);
            if (pausedForClientSince < 0) {
                // The upstream is not silent: it waits for us. The client's stall is what is timed.
                pausedForClientSince = lastUpstreamActivityNanos;
                downstream.responsePaused(pausedForClientSince);
            }
        }
    }

    /**
     * Which answers count against the endpoint that gave them (outlier ejection): its refusal to
     * serve (503). Not 500: Synapse answers it for an exception in one request's handling (a
     * filter id past a bigint, a malformed pagination token), which any logged-in client can
     * cause five times in a row, or a client retrying a request that fails, and which says
     * nothing of the worker; a worker that cannot serve at all fails its connects, its checks or
     * its time limits. Not 502 and 504: Synapse answers those when something behind it failed (a
     * remote homeserver, remote media, an identity server), which any client can cause at will by
     * asking about a dead server. Nor 501 or 505, which are about the request.
     */
    static boolean saysTheWorkerIsFailing(int status) {
        return status == 503;
    }

    private void invalidResponse(String why) {
        failover.health().failed(endpoint, why);
        fail(MatrixErrors.INVALID_RESPONSE);
    }

    @Override
    public void onReadComplete() {
        if (!done) {
            downstream.flush();
        }
    }

    @Override
    public void onUpstreamClosed(boolean endOfStream) {
        if (done) {
            return;
        }
        if (response == Response.TUNNEL || response == Response.UNTIL_CLOSE && endOfStream) {
            // A body without framing ends with its connection's clean close: that is its complete
            // end; so does a tunnel. A reset there cuts the body short, as anywhere else. A tunnel
            // has no body to cut: it ends either way, and its record says which way.
            tunnelResetByUpstream = response == Response.TUNNEL && !endOfStream;
            response = Response.DONE;
            finish(now());
            return;
        }
        if (!upstreamSpoke && reusedConnection && !retriedOnFreshConnection) {
            // A kept-alive connection the upstream closed as the request went out (its idle
            // timeout, a restart): nothing says the endpoint failed. Once, on a connection of
            // its own, to the same endpoint: with one endpoint there is nowhere else to go.
            if (requestComplete && mayResend) {
                resend = true;
                tryOnFreshConnection();
                return;
            }
            if (expectsContinue && bodyBytes == 0 && sentHead != null) {
                // An Expect request whose body has not started: the upstream got a head promising
                // a body it never saw, so it cannot have acted on it, whatever the method. The head
                // goes again; the client keeps waiting for its 100.
                downstream.pauseBody();
                upstreamHead = Unpooled.wrappedBuffer(sentHead);
                tryOnFreshConnection();
                return;
            }
        }
        if (!(reusedConnection && !upstreamSpoke) && (requestComplete || responseStarted || bodyBytes == 0)) {
            // A kept-alive connection that closed before a word (a request that cannot be sent
            // again, or the second try) is as likely the upstream's idle timeout as its failure.
            // One that closed once part of the request body went out, with no answer, is how
            // Synapse refuses an upload over its max_upload_size: the client's doing, not the
            // worker's (a worker that died fails its connects and checks soon enough).
            failover.health().failed(endpoint, "connection closed before the response ended");
        }
        if (bodilessAndUnanswered()) {
            // Not a PUT with a transaction id: the worker may have read it whole and acted on it,
            // and Synapse knows a transaction id only in the process that saw it (the to-device
            // cache, the event's while it is being sent), so another worker would act again. It
            // had its one try more on the same endpoint above; its client sends it again itself.
            pool.release(upstream, false);
            upstream = null;
            forgetConnectionState();
            resend = true;
            if (retryElsewhere("closed_before_response")) {
                return;
            }
        }
        fail(MatrixErrors.UPSTREAM_RESET);
    }

    // ---- the end ----

    private void finish(long nowNanos) {
        end();
        pool.release(upstream, requestComplete && upstreamKeepAlive);
        downstream.exchangeFinished(responseStatus, nowNanos);
    }

    /** The upstream side failed: answer with the error, or cut the client off mid-response. */
    private void fail(MatrixErrors error) {
        if (done) {
            return;
        }
        end();
        releaseUpstreamUnusable();
        if (responseStarted) {
            downstream.resetAfterResponseStarted(error);
        } else {
            downstream.exchangeFailed(error, requestComplete);
        }
    }

    /** The request body cannot be framed: the upstream connection is dropped, so Synapse never sees it whole. */
    public void abortMalformed() {
        fail(MatrixErrors.BAD_REQUEST);
    }

    /** The request body stopped arriving: 408, and the upstream is released. */
    public void abortStalledBody() {
        fail(MatrixErrors.BODY_TIMEOUT);
    }

    /** The client went away: the upstream connection is closed, so Synapse stops the work. */
    public void abort() {
        if (done) {
            return;
        }
        end();
        releaseUpstreamUnusable();
    }

    /** The one place an exchange stops counting against its endpoint. */
    private void end() {
        done = true;
        cancelResponseTimeout();
        releaseLoad();
        if (replay != null) {
            replay.release();
        }
        if (holdsRetry) {
            holdsRetry = false;
            failover.retries().release();
        }
        if (upstreamHead != null) {
            upstreamHead.release();
            upstreamHead = null;
        }
        releaseResponsePending();
    }

    /** The endpoint stops counting this exchange as a request in flight; once. */
    private void releaseLoad() {
        if (!loadReleased) {
            loadReleased = true;
            endpoint.load().requestEnded();
        }
    }

    private void releaseResponsePending() {
        if (responsePending != null) {
            responsePending.release();
            responsePending = null;
        }
    }

    private void releaseUpstreamUnusable() {
        if (upstream != null) {
            pool.release(upstream, false);
        }
    }

    /** Tells the request's record where it went and how long the upstream took; its first-byte time is measured. */
    public void describe(RequestRecord record, ProxyMetrics metrics) {
        record.upstream = endpoint.upstream();
        record.endpoint = endpoint.id();
        record.upstreamNanos = upstreamNanos();
        record.retries = retries;
        if (record.upstreamNanos >= 0) {
            metrics.firstByte(endpoint, record.upstreamNanos);
        }
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** From the request going out to the response head coming back; -1 if it never did. */
    public long upstreamNanos() {
        return upstreamNanos;
    }

    /** The request is sent: from now the upstream's silence is timed (measured from its last byte). */
    private void armResponseTimeout(long nowNanos) {
        lastUpstreamActivityNanos = nowNanos;
        awaitingUpstream = true;
        downstream.awaitingUpstream(nowNanos + responseTimeoutNanos);
    }

    /** The client connection's event loop clock (a test's EmbeddedChannel can advance it). */
    private long now() {
        return downstream.executor().ticker().nanoTime();
    }

    /** When the upstream's silence becomes a timeout; {@code Long.MAX_VALUE} while nothing is awaited. */
    private long upstreamDeadline() {
        if (done) {
            return Long.MAX_VALUE;
        }
        // Paused for the client, the upstream waits for us: its silence is not its own.
        long due = !awaitingUpstream || pausedForClientSince >= 0 ? Long.MAX_VALUE
                : lastUpstreamActivityNanos + responseTimeoutNanos;
        // An upstream that takes no more of the body is as stuck as a silent one (unless it waits
        // for us to read its answer, which waits on the client).
        return upstreamWriteBlockedSince < 0 || pausedForClientSince >= 0 ? due
                : Math.min(due, upstreamWriteBlockedSince + responseTimeoutNanos);
    }

    /** The connection's clock found the upstream silent past its deadline. */
    private void upstreamTimedOut() {
        if (!done) {
            // An upstream that let a client's Expect wait without a word is odd, but not down.
            if (!(expectsContinue && bodyBytes == 0)) {
                failover.health().failed(endpoint, "timeout");
            }
            fail(MatrixErrors.UPSTREAM_TIMEOUT);
        }
    }

    /** The kept-alive connection closed before a word: the request goes once more, on a new connection to the same endpoint. */
    private void tryOnFreshConnection() {
        retriedOnFreshConnection = true;
        pool.release(upstream, false);
        upstream = null;
        forgetConnectionState();
        retried("reused_connection_closed");
        connectNew();
    }

    /** The request leaves its connection for another: nothing awaited of that one is awaited still. */
    private void forgetConnectionState() {
        cancelResponseTimeout();
        releaseResponsePending();
        awaitingUpstreamWritable = false;
        upstreamWriteBlockedSince = -1;
    }

    private void cancelResponseTimeout() {
        awaitingUpstream = false;
    }
}
