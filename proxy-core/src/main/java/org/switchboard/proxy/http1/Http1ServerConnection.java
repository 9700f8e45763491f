package org.switchboard.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.Errors;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.switchboard.config.ClientHalfClose;
import org.switchboard.config.LimitsSpec;
import org.switchboard.config.TimeoutsSpec;
import org.switchboard.proxy.codec.http1.BodyFraming;
import org.switchboard.proxy.codec.http1.Cumulation;
import org.switchboard.proxy.codec.http1.HeadError;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.codec.http1.HeadWriter;
import org.switchboard.proxy.codec.http1.Http1Scratch;
import org.switchboard.proxy.http.ConnectionClock;
import org.switchboard.proxy.http.DownstreamConnection;
import org.switchboard.proxy.http.FixedAnswer;
import org.switchboard.proxy.http.ForwardingHeaders;
import org.switchboard.proxy.http.Peer;
import org.switchboard.proxy.http.ProxySnapshot;
import org.switchboard.proxy.http.RequestGate;
import org.switchboard.proxy.http.RequestJourney;
import org.switchboard.proxy.http.UpstreamHead;
import org.switchboard.proxy.net.HalfClose;
import org.switchboard.proxy.router.DownstreamStream;
import org.switchboard.proxy.router.IndexedRequestView;
import org.switchboard.proxy.router.LocalAnswer;
import org.switchboard.proxy.router.MatrixErrors;
import org.switchboard.proxy.router.StreamExchange;
import org.switchboard.proxy.stats.AccessLog;
import org.switchboard.proxy.stats.ProxyMetrics;
import org.switchboard.proxy.stats.RequestRecord;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;
import org.switchboard.routing.RequestView;

/**
 * An HTTP/1 client connection, the last handler of its pipeline (after the PROXY decoder and
 * TLS where a listener has them; over TLS it is installed once the handshake is done): reads
 * bytes, parses each request head once ({@link HeadIndex}), routes it, forwards its body as
 * slices of the read buffers while following its framing, writes the response an
 * {@link StreamExchange} hands it, and keeps the connection's clocks (idle, request head, request
 * body) with one timer. Pipelined requests wait as bytes until their turn.
 */
public final class Http1ServerConnection extends ChannelInboundHandlerAdapter implements DownstreamStream {
    private static final System.Logger LOG = System.getLogger(Http1ServerConnection.class.getName());
    /** Pipelined bytes held before reading pauses (backpressure on a pipelining client). */
    private static final int MAX_PIPELINED_BYTES = 64 * 1024;
    /** After a local reply that ends the connection, what the client still sends is read and dropped (lingering close). */
    private static final int LINGER_BYTES = 64 << 20;
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * After a drain's Close went to a tunnel's client: time for its answering Close to reach the
     * upstream and for the upstream to close, as servers do once both Closes passed (RFC 6455 7.1.1).
     */
    private static final long CLOSE_HANDSHAKE_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** TUNNEL: a WebSocket tunnel, bytes both ways until a side closes. */
    private enum State { HEAD, BODY, RESPONSE, TUNNEL, LINGER, CLOSED }

    private final Supplier<ProxySnapshot> snapshots;
    private final UpstreamConnectionPool pool;
    private final Http1Scratch scratch;
    private final String scheme;
    private final String listener;
    private final ProxyMetrics metrics;
    private final AccessLog accessLog;
    /** True once a drain closes the listeners: responses then end their connection. */
    private final BooleanSupplier draining;
    /** What the listener answers itself before routing (421, the HTTPS redirect); null when nothing. */
    private final RequestGate gate;

    private ChannelHandlerContext ctx;
    private State state = State.HEAD;
    /** Bytes read and not yet consumed: a partial head, body not yet wanted, pipelined requests. */
    private ByteBuf pending;
    private StreamExchange current;
    private boolean http10;
    /** The request is HEAD: a local answer leaves its body out. */
    private boolean headRequest;
    private boolean keepAlive;
    /** Told by a drain that the response in progress, or the next one, is the last. */
    private boolean lastResponse;
    /** The client shut its sending side while its request ran (kept with clientHalfClose: wait). */
    private boolean clientInputShut;
    /** The client's connection failed (a reset): what it ends ends as an abort. */
    private boolean clientReset;
    private boolean requestComplete;
    /** The response being sent has no framing for the client: its body ends with the connection. */
    private boolean bodyEndsWithConnection;
    /** Where the body of the request being read ends. */
    private final BodyFraming body = new BodyFraming();
    private boolean bodyWanted;
    /**
     * The request sent {@code Expect: 100-continue} and no body yet: the client waits for the
     * upstream's 100, so its silence is not a stalled body (the upstream's is timed instead).
     */
    private boolean awaitingContinue;
    /** While a response waits on the client: how much it had still to take when last judged. */
    private long unsentWhenStallLastJudged;
    /** Inside {@link #process()}: an exchange asking for the body from there is served by the loop already running. */
    private boolean processing;

    /** Known from the connection's first request on. */
    private Peer peer;
    private final byte[] schemeAscii;

    private ConnectionClock clock;
    private long lastActivityNanos;
    private long headStartedNanos = -1;
    private long lingerUntilNanos;
    /**
     * A tunnel in a drain: when its client is to be asked to go (a Close 1001); once its Close is
     * out, when the tunnel is closed if neither side has closed it by then; Long.MAX_VALUE while
     * the Close waits for the end of the upstream's message. -1 outside a drain.
     */
    private long tunnelDrainStepNanos = -1;
    private long lingerBytes;

    private final RequestRecord record = new RequestRecord();

    public Http1ServerConnection(Supplier<ProxySnapshot> snapshots, UpstreamConnectionPool pool, Http1Scratch scratch,
                          String scheme, String listener, ProxyMetrics metrics, AccessLog accessLog, BooleanSupplier draining) {
        this(snapshots, pool, scratch, scheme, listener, metrics, accessLog, draining, null);
    }

    public Http1ServerConnection(Supplier<ProxySnapshot> snapshots, UpstreamConnectionPool pool, Http1Scratch scratch,
                          String scheme, String listener, ProxyMetrics metrics, AccessLog accessLog, BooleanSupplier draining,
                          RequestGate gate) {
        this.gate = gate;
        this.snapshots = snapshots;
        this.pool = pool;
        this.scratch = scratch;
        this.scheme = scheme;
        this.schemeAscii = scheme.getBytes(StandardCharsets.US_ASCII);
        this.listener = listener;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.draining = draining;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.clock = new ConnectionClock(ctx.executor(), this::tick);
        if (ctx.channel().isActive()) {
            // Installed after a TLS handshake: the connection is already open.
            started();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        started();
        ctx.fireChannelActive();
    }

    private void started() {
        lastActivityNanos = now();
        clock.by(lastActivityNanos + timeouts().requestHeader().toNanos());
        reading(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        lastActivityNanos = now();
        if (state == State.CLOSED || state == State.LINGER) {
            lingerBytes += in.readableBytes();
            in.release();
            if (lingerBytes > LINGER_BYTES) {
                ctx.close();
            }
            return;
        }
        if (state == State.HEAD && headStartedNanos < 0) {
            headStartedNanos = lastActivityNanos;
        }
        append(in);
        process();
    }

    private void append(ByteBuf in) {
        pending = Cumulation.append(ctx.alloc(), pending, in);
    }

    /** Consumes what {@link #pending} holds as far as the state allows; never re-entered. */
    private void process() {
        if (processing) {
            return;
        }
        processing = true;
        try {
            consumePending();
        } finally {
            processing = false;
        }
    }

    private void consumePending() {
        while (pending != null && pending.isReadable()) {
            switch (state) {
                case HEAD -> {
                    if (!head()) {
                        trimPending();
                        return;
                    }
                }
                case BODY, TUNNEL -> {
                    if (!bodyWanted) {
                        // The upstream is not connected or not writable yet: hold a bounded amount.
                        if (pending.readableBytes() > MAX_PIPELINED_BYTES) {
                            reading(false);
                        }
                        trimPending();
                        return;
                    }
                    if (state == State.TUNNEL) {
                        deliver(pending.readableBytes()); // a tunnel's bytes have no framing to follow
                    } else {
                        body();
                    }
                }
                default -> {
                    // RESPONSE: pipelined bytes wait for their turn; stop reading if they pile up.
                    if (pending.readableBytes() > MAX_PIPELINED_BYTES) {
                        reading(false);
                    }
                    trimPending();
                    return;
                }
            }
        }
        trimPending();
        if (current != null) {
            current.flushRequest();
        }
    }

    /** Parses a head from pending; false when more bytes are needed. */
    private boolean head() {
        ProxySnapshot snapshot = snapshots.get();
        LimitsSpec limits = snapshot.spec().limits();
        HeadIndex index = scratch.index(limits.requestTarget(), limits.requestHeaders());
        int end = index.parseRequest(pending, scratch.bytes(limits.requestTarget(), limits.requestHeaders()));
        if (end == HeadIndex.INCOMPLETE) {
            return false;
        }
        // The time of the read that completed the head (or of the end of the request before it,
        // for one that was pipelined): no clock read of its own.
        startRecord(lastActivityNanos);
        if (end == HeadIndex.REFUSED) {
            refuse(index);
            return false;
        }
        pending.skipBytes(end);
        headStartedNanos = -1;
        startRequest(snapshot, index);
        return true;
    }

    private void refuse(HeadIndex index) {
        MatrixErrors error = MatrixErrors.refusing(index.error());
        if (index.error() == HeadError.MALFORMED) {
            LOG.log(System.Logger.Level.DEBUG, () -> "listener " + listener + ": refused a request from " + peerText()
                    + ": " + index.errorDetail());
        }
        recordWhatWasRead(index);
        http10 = false;
        headRequest = false;
        localReply(error, true);
    }

    /**
     * For a head refused or timed out: the log says what was read of it, the method, and the
     * path unless the target is what was too long.
     */
    private void recordWhatWasRead(HeadIndex index) {
        record.method = index.methodRead() ? index.methodName() : "other";
        if (index.requestLineRead() && index.error() != HeadError.TARGET_TOO_LONG) {
            record.path = RequestView.pathOf(index.targetForLog());
        }
    }

    /** A head that did not come whole in time: 408, logged from its first byte with what of it came. */
    private void headTimedOut() {
        startRecord(headStartedNanos);
        // The answer is in HTTP/1.1 and has its body, whatever the request before this one was.
        http10 = false;
        headRequest = false;
        if (pending != null && pending.isReadable()) {
            LimitsSpec limits = snapshots.get().spec().limits();
            HeadIndex index = scratch.index(limits.requestTarget(), limits.requestHeaders());
            // Incomplete again: what it read of the request line stays in the index.
            index.parseRequest(pending, scratch.bytes(limits.requestTarget(), limits.requestHeaders()));
            recordWhatWasRead(index);
        }
        localReply(MatrixErrors.REQUEST_TIMEOUT, true);
    }

    private void startRequest(ProxySnapshot snapshot, HeadIndex index) {
        http10 = index.minorVersion() == 0;
        headRequest = index.isMethod(HEAD);
        // Once the listeners are closed for a drain, every response is the connection's last.
        keepAlive = index.keepAlive() && !lastResponse && !draining.getAsBoolean();
        record.method = index.methodName();
        RequestJourney.Start start = RequestJourney.start(snapshot, index, peer(), scheme, record);
        ForwardingHeaders.Decision forwarding = start.forwarding();
        IndexedRequestView view = start.view();
        boolean hasBody = index.chunked() || index.contentLength() > 0;
        if (index.chunked()) {
            body.expectChunked();
        } else {
            body.expectLength(Math.max(index.contentLength(), 0));
        }
        requestComplete = !hasBody;
        RequestGate.Answer answer = gate == null ? null : gate.check(index);
        if (answer != null) {
            if (answer.refusal() != null) {
                localReply(answer.refusal(), hasBody);
            } else {
                redirect(answer.location());
            }
            return;
        }
        RequestJourney.Decision decision = RequestJourney.route(snapshot, view,
                forwarding == null ? peer.address() : forwarding.clientAddress(), index.contentLength(), record);
        boolean webSocket = index.webSocketUpgrade();
        if (webSocket && decision.route() != null && !decision.route().webSocket()
                && (decision.forwarded() || decision.answer() instanceof FixedAnswer)) {
            // A fixed answer (respond:, the well-known documents) is no tunnel either.
            localReply(MatrixErrors.WEBSOCKET_REFUSED, true);
            return;
        }
        if (!decision.forwarded()) {
            // Over the limit: the body is not worth reading, the connection goes after the answer.
            localReply(decision.answer(), hasBody || decision.answer() == MatrixErrors.BODY_TOO_LARGE);
            return;
        }
        if (webSocket && !(index.isMethod(GET) && !http10 && !hasBody)) {
            localReply(MatrixErrors.WEBSOCKET_REFUSED, true);
            return;
        }
        ByteBuf upstreamHead = UpstreamHead.write(ctx.alloc(), index, forwarding, peer.text(), peer.ascii(), schemeAscii, record,
                decision, view.path(), webSocket);
        state = hasBody ? State.BODY : State.RESPONSE;
        bodyWanted = false;
        // An HTTP/1.0 client does not wait for a 100 (RFC 9110 10.1.1): its body is timed as any.
        awaitingContinue = hasBody && index.expectContinue() && !http10 && !(pending != null && pending.isReadable());
        if (hasBody && !awaitingContinue) {
            clock.by(lastActivityNanos + snapshot.timeouts().requestBody().toNanos());
        }
        current = new StreamExchange(this, pool, scratch, upstreamHead, decision.route(), view, decision.endpoint(),
                snapshot.failover(),
                snapshot.timeouts().upstreamResponse().toNanos(), headRequest, hasBody,
                index.contentLength(), index.chunked(), webSocket);
        if (awaitingContinue) {
            current.expectContinue();
        }
        current.start(lastActivityNanos);
    }

    private static final byte[] HEAD = "HEAD".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GET = "GET".getBytes(StandardCharsets.US_ASCII);

    /** Forwards as much of the body as pending holds (as slices of the read buffers). */
    private void body() {
        int taken = body.take(pending);
        if (taken < 0) {
            LOG.log(System.Logger.Level.DEBUG, () -> "listener " + listener + ": broken chunked body from " + peerText()
                    + ": " + body.error());
            malformedBody();
            return;
        }
        deliver(taken);
        if (body.done()) {
            endOfBody();
        }
    }

    private void deliver(int length) {
        if (length == 0) {
            return;
        }
        if (awaitingContinue) {
            bodyStarted();
        }
        record.bytesIn += length;
        if (current != null) {
            current.onRequestBody(pending.readRetainedSlice(length));
        } else {
            pending.skipBytes(length);
        }
    }

    private void endOfBody() {
        requestComplete = true;
        state = State.RESPONSE;
        if (current != null) {
            current.onRequestEnd();
        }
    }

    /** The body cannot be framed: the upstream must never see a complete request, so it is dropped. */
    private void malformedBody() {
        keepAlive = false;
        if (current != null) {
            StreamExchange exchange = current;
            exchange.abortMalformed();
        } else {
            localReply(MatrixErrors.BAD_REQUEST, true);
        }
    }

    /**
     * Answers without an upstream. The connection goes on for the next request when the client
     * keeps it and the request is whole; otherwise it closes after a lingering read, so a client
     * still sending its body sees the answer rather than a reset.
     */
    private void localReply(LocalAnswer error, boolean close) {
        if (error.metricTag() != null) {
            metrics.proxyError(error.metricTag());
        }
        record.status = error.statusCode();
        record.bytesOut = error.bodyBytesSent(headRequest);
        record.termination = RequestRecord.Termination.LOCAL;
        // A body announced and not read (the client may still send it, with or without an
        // Expect it was never told to act on) leaves the next request's start unknown: close.
        boolean closing = close || !keepAlive || !requestComplete;
        endRecord(null);
        ctx.writeAndFlush(error.encoded(ctx.alloc(), http10, closing, headRequest), ctx.voidPromise());
        if (closing) {
            closeAfterFlush();
            return;
        }
        nextRequest(now());
    }

    /** A 308 the proxy answers itself (redirectToHttps); the connection goes on as after any local reply. */
    private void redirect(String location) {
        record.status = 308;
        record.termination = RequestRecord.Termination.LOCAL;
        boolean closing = !keepAlive || !requestComplete;
        endRecord(null);
        String head = (http10 ? "HTTP/1.0" : "HTTP/1.1") + " 308 Permanent Redirect\r\nLocation: " + location
                + "\r\nContent-Length: 0\r\n" + (closing ? "Connection: close\r\n" : http10 ? "Connection: keep-alive\r\n" : "")
                + "\r\n";
        ByteBuf out = ctx.alloc().buffer(head.length());
        out.writeCharSequence(head, StandardCharsets.ISO_8859_1);
        ctx.writeAndFlush(out, ctx.voidPromise());
        if (closing) {
            closeAfterFlush();
            return;
        }
        nextRequest(now());
    }

    /**
     * Half-closes towards the client, then reads and drops for a bounded time before closing (RFC
     * 9112 9.6). A client that already shut its side (a tunnel it ended first) has nothing more
     * coming: closed once the writes are out, still within that time if it does not read them.
     */
    private void closeAfterFlush() {
        state = State.LINGER;
        dropPending();
        lingerUntilNanos = now() + LINGER_NANOS;
        reading(true);
        HalfClose.afterWrites(ctx, ctx.channel()).addListener(shut -> {
            if (!shut.isSuccess() || clientInputShut) {
                ctx.channel().close();
            }
        });
        clock.by(lingerUntilNanos);
    }

    private void nextRequest(long nowNanos) {
        current = null;
        state = State.HEAD;
        requestComplete = false;
        lastActivityNanos = nowNanos;
        headStartedNanos = pending != null && pending.isReadable() ? lastActivityNanos : -1;
        clock.by(lastActivityNanos + timeouts().requestHeader().toNanos());
        reading(true);
        if (pending != null && pending.isReadable()) {
            // A pipelined request: its turn now.
            ctx.executor().execute(this::process);
        }
    }

    // ---- DownstreamStream: what the exchange does to this connection ----

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public EventExecutor executor() {
        return ctx.executor();
    }

    @Override
    public boolean requestBody() {
        if (state != State.BODY && state != State.TUNNEL) {
            return false;
        }
        if (!bodyWanted) {
            bodyWanted = true;
            reading(true);
        }
        boolean arrived = pending != null && pending.isReadable();
        if (arrived && !processing) {
            process();
        }
        // Inside process(), the loop already running delivers the bytes and flushes after them.
        return arrived;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && current != null) {
            current.onClientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void pauseBody() {
        bodyWanted = false;
        reading(false);
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void sendInformational(HeadIndex head) {
        if (http10) {
            return; // an HTTP/1.0 client knows no 1xx and would take it for the answer (RFC 9110 15.2)
        }
        if (awaitingContinue && head.status() == 100) {
            lastActivityNanos = now();
            bodyStarted();
        }
        ByteBuf out = ctx.alloc().directBuffer(HeadWriter.responseCapacity(head));
        HeadWriter.writeResponse(head, http10, false, false, out);
        ctx.write(out, ctx.voidPromise());
    }

    @Override
    public void sendResponseHead(HeadIndex head, boolean endsWithConnection, ByteBuf upstreamBytes, int wholeBodyLength) {
        bodyEndsWithConnection = endsWithConnection || (http10 && head.chunked());
        if (!requestComplete || bodyEndsWithConnection) {
            // The body's end, or where the next request starts, is known only by closing.
            keepAlive = false;
        }
        record.status = head.status();
        record.bytesOut += wholeBodyLength;
        ByteBuf out = HeadWriter.rewriteResponse(head, upstreamBytes, wholeBodyLength, http10, http10 && head.chunked(),
                !keepAlive, scratch.rewrite(), ctx.alloc());
        ctx.write(out, ctx.voidPromise());
    }

    @Override
    public void tunnelOpened(HeadIndex head, ByteBuf upstreamBytes) {
        ByteBuf out = ctx.alloc().directBuffer(HeadWriter.switchingProtocolsCapacity(head));
        HeadWriter.writeSwitchingProtocols(head, out);
        upstreamBytes.skipBytes(head.headEnd());
        ctx.write(out, ctx.voidPromise());
        record.status = 101;
        metrics.tunnelOpened();
        keepAlive = false;
        state = State.TUNNEL;
        bodyWanted = true;
        reading(true);
        clock.by(now() + timeouts().websocketIdle().toNanos());
        // What the client sent after its handshake waited as pipelined bytes: it goes now.
        if (pending != null && pending.isReadable()) {
            process();
        }
        if (clientInputShut && current != null) {
            // The client half-closed while the handshake was on its way: the upstream learns it now.
            current.onClientHalfClosed();
        }
        if (lastResponse || draining.getAsBoolean()) {
            // The handshake raced a drain (its word came while the 101 was on its way, or the
            // connection was accepted as the listeners closed): the tunnel is drained all the same.
            drainTunnel();
        }
    }

    @Override
    public boolean takesChunkedAsIs() {
        return !http10;
    }

    @Override
    public void sendResponseBody(ByteBuf data) {
        record.bytesOut += data.readableBytes();
        ctx.write(data, ctx.voidPromise());
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public void exchangeFinished(int status, long nowNanos) {
        StreamExchange finished = current;
        // A tunnel whose client the drain asked to go ended by the drain, unless its timeout came first.
        record.termination = finished != null && finished.toldClientToGo()
                ? orElse(DownstreamConnection.closedByProxy(ctx.channel()), RequestRecord.Termination.DRAINED)
                : finished != null && finished.tunnelResetByUpstream()
                ? RequestRecord.Termination.UPSTREAM_RESET : RequestRecord.Termination.COMPLETE;
        endRecord(finished, nowNanos);
        current = null;
        if (keepAlive && requestComplete) {
            ctx.flush();
            nextRequest(nowNanos);
        } else if (state == State.TUNNEL || !requestComplete) {
            // The client may still be sending: a close frame after the upstream ended the tunnel,
            // or the rest of a body the upstream answered early (a 413, a 401). Half-close and
            // linger, so no reset destroys what is on its way to it (RFC 9112 9.6).
            closeAfterFlush();
        } else {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            state = State.CLOSED;
        }
    }

    private static RequestRecord.Termination orElse(RequestRecord.Termination termination, RequestRecord.Termination otherwise) {
        return termination != null ? termination : otherwise;
    }

    @Override
    public void exchangeFailed(MatrixErrors error, boolean complete) {
        StreamExchange failed = current;
        current = null;
        metrics.proxyError(error.metricTag());
        record.status = error.status().code();
        record.bytesOut = error.bodyBytesSent(headRequest);
        record.termination = error.termination();
        endRecord(failed);
        boolean close = !(keepAlive && complete && requestComplete);
        ctx.writeAndFlush(error.encoded(ctx.alloc(), http10, close, headRequest), ctx.voidPromise());
        if (close) {
            closeAfterFlush();
        } else {
            nextRequest(now());
        }
    }

    @Override
    public void resetAfterResponseStarted(MatrixErrors why) {
        cutResponseOff(why.metricTag(), RequestRecord.Termination.TRUNCATED);
    }

    /** Ends the response in progress by closing the connection under it: recorded, counted, its exchange let go. */
    private void cutResponseOff(String errorKind, RequestRecord.Termination termination) {
        StreamExchange exchange = current;
        current = null;
        metrics.proxyError(errorKind);
        record.termination = termination;
        endRecord(exchange);
        if (exchange != null) {
            exchange.abort(); // nothing left to do for one that failed already
        }
        state = State.CLOSED;
        if (bodyEndsWithConnection) {
            // The client reads this body's end from the close: a plain close would pass a cut
            // body off as whole, a reset tells it the truth.
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        }
        ctx.close();
    }

    // ---- the connection's end ----

    /**
     * A client that half-closes has left (a long poll it gave up on): the upstream is released now.
     * With {@code clientHalfClose: wait} (HAProxy's way) a whole request still gets its answer,
     * then the connection closes: no further request can come. A tunnel passes the half-close on.
     * A drain closes an idle connection at once and a busy one after its response.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            if (state == State.TUNNEL && current != null) {
                // A tunnel's half-close is passed on: the upstream may still have things to say.
                clientInputShut = true;
                current.onClientHalfClosed();
                return;
            }
            if (current != null && requestComplete
                    && snapshots.get().spec().clientHalfClose() == ClientHalfClose.WAIT) {
                keepAlive = false;
                clientInputShut = true;
            } else {
                clientGone();
                ctx.close();
            }
        } else if (event == DownstreamConnection.CLOSE_WHEN_IDLE) {
            closeWhenIdle();
            return;
        } else if (event instanceof DownstreamConnection.DrainTimeout timeout) {
            if (state == State.TUNNEL && current != null && current.sayGoingAway()) {
                timeout.closesItself(); // the Close is on its way: a second for it to arrive
            } else if (current != null && current.answerDrainTimeout()) {
                timeout.closesItself(); // the answer went out with a lingering close (exchangeFailed)
            }
            return;
        } else if (event instanceof DownstreamConnection.EndpointUnhealthy unhealthy) {
            if (current != null) {
                current.endpointUnhealthy(unhealthy.address());
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    private void closeWhenIdle() {
        lastResponse = true;
        keepAlive = false;
        if (state == State.TUNNEL) {
            drainTunnel();
            return;
        }
        boolean idle = state == State.HEAD && headStartedNanos < 0 && (pending == null || !pending.isReadable());
        if (idle) {
            state = State.CLOSED;
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        clientGone();
        dropPending();
        clock.stop();
        ctx.fireChannelInactive();
    }

    private void clientGone() {
        if (current != null) {
            StreamExchange gone = current;
            current = null;
            RequestRecord.Termination byProxy = DownstreamConnection.closedByProxy(ctx.channel());
            if (state == State.TUNNEL && byProxy == null) {
                // Either side may end a tunnel (its 101 went out) with a close; an idle one was
                // timed out; a client's reset is an abort, as on any request. One whose client a
                // drain's Close asked to leave ends by the drain, whichever side closes then.
                if (gone.toldClientToGo() || record.termination == RequestRecord.Termination.DRAINED) {
                    record.termination = RequestRecord.Termination.DRAINED;
                } else if (clientReset) {
                    record.termination = RequestRecord.Termination.CLIENT_ABORTED;
                } else if (record.termination != RequestRecord.Termination.IDLE_TIMEOUT) {
                    record.termination = RequestRecord.Termination.COMPLETE;
                }
            } else {
                record.cutOff(byProxy);
            }
            endRecord(gone);
            gone.abort();
        }
        state = State.CLOSED;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A broken TLS record after the handshake comes wrapped in a DecoderException: still the client's I/O.
        boolean io = cause instanceof IOException || cause.getCause() instanceof SSLException;
        metrics.proxyError(io ? "client_io" : "client_internal");
        clientReset = isConnectionReset(cause);
        if (!io) {
            LOG.log(System.Logger.Level.WARNING, "listener " + listener + ": closing a connection from " + peerText()
                    + " after an internal error", cause);
        }
        ctx.close();
    }

    /**
     * The client reset the connection (ECONNRESET): not a write failing after it closed in order
     * (EPIPE), nor a broken TLS record.
     */
    private static boolean isConnectionReset(Throwable cause) {
        if (cause instanceof Errors.NativeIoException nativeIo) {
            return nativeIo.expectedErr() == Errors.ERRNO_ECONNRESET_NEGATIVE;
        }
        return cause instanceof SocketException && "Connection reset".equals(cause.getMessage());
    }

    // ---- clocks: idle between requests, request head, request body, the upstream, a client that
    // ---- takes no response, lingering close ----

    /** What is overdue now, and when to look next (see {@link ConnectionClock}). */
    private long tick(long now) {
        if (!ctx.channel().isActive()) {
            return Long.MAX_VALUE;
        }
        TimeoutsSpec timeouts = timeouts();
        long header = timeouts.requestHeader().toNanos();
        switch (state) {
            case HEAD -> {
                if (headStartedNanos >= 0) {
                    long due = headStartedNanos + header;
                    if (now >= due) {
                        headTimedOut();
                        return Long.MAX_VALUE;
                    }
                    return due;
                }
                long due = lastActivityNanos + timeouts.downstreamIdle().toNanos();
                if (now >= due) {
                    ctx.close();
                    return Long.MAX_VALUE;
                }
                // A head may start any moment: look again within the head's own timeout.
                return Math.min(due, now + header);
            }
            case LINGER -> {
                if (now >= lingerUntilNanos) {
                    ctx.close();
                    return Long.MAX_VALUE;
                }
                return lingerUntilNanos;
            }
            case CLOSED -> {
                return Long.MAX_VALUE;
            }
            case TUNNEL -> {
                long lastActivity = current == null ? lastActivityNanos
                        : Math.max(lastActivityNanos, current.lastUpstreamActivityNanos());
                long due = lastActivity + timeouts.websocketIdle().toNanos();
                if (now >= due) {
                    record.termination = RequestRecord.Termination.IDLE_TIMEOUT;
                    ctx.close();
                    return Long.MAX_VALUE;
                }
                return tunnelDrainStepNanos < 0 ? due : Math.min(due, tunnelDrainStep(now));
            }
            default -> {
                long next = Long.MAX_VALUE;
                if (state == State.BODY && bodyWanted && !awaitingContinue) {
                    long due = lastActivityNanos + timeouts.requestBody().toNanos();
                    if (now >= due) {
                        bodyStalled();
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
                return next == Long.MAX_VALUE ? now + header : next;
            }
        }
    }

    /** Picks the tunnel's moment within {@code drain.websocketSpread} for its client to be asked to go. */
    private void drainTunnel() {
        if (current == null || tunnelDrainStepNanos >= 0) {
            return;
        }
        long spread = snapshots.get().spec().drain().websocketSpread().toNanos();
        tunnelDrainStepNanos = now() + (spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(spread));
        clock.by(tunnelDrainStepNanos);
    }

    /**
     * A drain's steps for a tunnel: at its moment within {@code drain.websocketSpread}, its client
     * is asked to go; {@link #CLOSE_HANDSHAKE_NANOS} after its Close went out, a tunnel neither
     * side closed is closed. A Close that waits for the upstream's message to end waits as long as
     * it takes, up to the drain's timeout. Returns when to look again.
     */
    private long tunnelDrainStep(long now) {
        if (now < tunnelDrainStepNanos || current == null) {
            return tunnelDrainStepNanos;
        }
        if (!current.goingAwayAsked()) {
            tunnelDrainStepNanos = Long.MAX_VALUE; // until tunnelCloseSent
            current.sayGoingAway();
            return tunnelDrainStepNanos;
        }
        // The client never answered, or the upstream never closed after its answer.
        record.termination = RequestRecord.Termination.DRAINED;
        ctx.close();
        return Long.MAX_VALUE;
    }

    /**
     * The client's time to answer counts from when the Close is in the kernel's hands, not from
     * when it was queued: a client that reads slowly may have much still to read before it.
     */
    @Override
    public void tunnelCloseSent() {
        tunnelDrainStepNanos = Long.MAX_VALUE;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (written.isSuccess() && state == State.TUNNEL) {
                tunnelDrainStepNanos = now() + CLOSE_HANDSHAKE_NANOS;
                clock.by(tunnelDrainStepNanos);
            }
        });
    }

    /** The body may come now (a 100 went out) or came: from here on its pauses are timed. */
    private void bodyStarted() {
        awaitingContinue = false;
        clock.by(lastActivityNanos + timeouts().requestBody().toNanos());
    }

    /** The body stopped arriving: the upstream must not keep waiting for it (408, counted). */
    private void bodyStalled() {
        StreamExchange stalled = current;
        if (stalled != null) {
            stalled.abortStalledBody();
        } else {
            localReply(MatrixErrors.BODY_TIMEOUT, true);
        }
    }

    @Override
    public void awaitingUpstream(long deadlineNanos) {
        clock.by(deadlineNanos);
    }

    @Override
    public void responsePaused(long sinceNanos) {
        unsentWhenStallLastJudged = ctx.channel().bytesBeforeWritable();
        clock.by(sinceNanos + timeouts().downstreamIdle().toNanos());
    }

    /**
     * The response has waited on the client for {@code timeouts.downstreamIdle}. If the proxy
     * wrote some of it to the socket since it was last judged, the client is reading, slowly: its
     * stall is timed afresh (returns false), as nginx's send_timeout times the gap between two
     * writes. Otherwise it is cut off, and the upstream connection closed, without a mark against
     * the upstream, which was waiting for us.
     */
    private boolean clientStalled() {
        long unsent = ctx.channel().bytesBeforeWritable();
        if (unsent < unsentWhenStallLastJudged) {
            unsentWhenStallLastJudged = unsent;
            return false;
        }
        cutResponseOff("client_timeout", RequestRecord.Termination.CLIENT_TIMEOUT);
        return true;
    }

    /** Turns reading on or off; a no-op when it already is (the common case costs no atomic write). */
    private void reading(boolean on) {
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead() != on) {
            config.setAutoRead(on);
        }
    }

    /** Nothing after this handler wants to hear of a read batch ending: the event stops here. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // The tail does nothing with it; not passing it on saves a pipeline walk per read.
    }

    /** The event loop's clock: a test's EmbeddedChannel can advance it. */
    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    private TimeoutsSpec timeouts() {
        return snapshots.get().timeouts();
    }

    // ---- the one record of a request ----

    private void startRecord(long nowNanos) {
        record.start(nowNanos, peerText());
    }

    private void endRecord(StreamExchange exchange) {
        endRecord(exchange, now());
    }

    private void endRecord(StreamExchange exchange, long nowNanos) {
        if (exchange != null) {
            exchange.describe(record, metrics);
        }
        record.finish(nowNanos, listener, metrics, accessLog, ctx.executor());
    }

    private Peer peer() {
        if (peer == null) {
            peer = Peer.of(ctx.channel(), snapshots.get());
        }
        return peer;
    }

    private String peerText() {
        return peer().text();
    }

    private void trimPending() {
        if (pending != null && !pending.isReadable()) {
            dropPending();
        }
    }

    private void dropPending() {
        if (pending != null) {
            ByteBuf held = pending;
            pending = null;
            held.release();
        }
    }
}
