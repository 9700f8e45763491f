package org.switchboard.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Supplier;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;
import org.switchboard.proxy.metrics.ProxyMetrics;
import org.switchboard.routing.Endpoint;
import org.switchboard.routing.IpText;
import org.switchboard.routing.Route;

/**
 * The client connection's request cycle: route each request and hand it to an {@link Exchange},
 * answer locally when there is nowhere to send it, and keep the connection alive or close it
 * between requests (the clocks between requests are {@link ClientTimeoutHandler}'s).
 *
 * <p>The channel runs with auto-read off behind a {@code FlowControlHandler}: this handler asks
 * for each message, which is how request bodies are paced by the upstream's writability and how
 * pipelined requests wait their turn (one at a time, as HTTP/1.1 requires of the responses).
 */
final class ProxyHandler extends ChannelDuplexHandler {
    private final Supplier<ProxySnapshot> snapshots;
    private final UpstreamConnectionPool pool;

    private ChannelHandlerContext ctx;
    private Exchange current;
    /** A pipelined request head that arrived while {@link #current} was still running. */
    private HttpRequest pipelined;
    /** The body of a request answered locally is read and dropped until its last part. */
    private boolean discardingBody;
    /** A read was asked for and no message has answered it yet. */
    private boolean readRequested;
    /** The peer (or the PROXY protocol source), read at the first request. */
    private byte[] peer;
    private String peerText;
    /** {@code http} or {@code https}: what X-Forwarded-Proto says for this listener. */
    private final String scheme;
    private final ClientTimeoutHandler timeouts;
    private final String listener;
    private final ProxyMetrics metrics;
    private final AccessLog accessLog;
    private String requestPath = "";
    private String requestId = "";
    private String requestClient = "";
    /** The request under way, for its one metrics record. */
    private long requestStartNanos;
    private String requestRoute = "none";
    private String requestUpstream = "none";
    private String requestMethod = "other";

    ProxyHandler(Supplier<ProxySnapshot> snapshots, UpstreamConnectionPool pool, String scheme,
                 ClientTimeoutHandler timeouts, String listener, ProxyMetrics metrics, AccessLog accessLog) {
        this.accessLog = accessLog;
        this.snapshots = snapshots;
        this.timeouts = timeouts;
        this.listener = listener;
        this.metrics = metrics;
        this.pool = pool;
        this.scheme = scheme;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        becomeIdle();
        readFromClient();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readRequested = false;
        if (msg instanceof HttpRequest request) {
            if (current != null || discardingBody) {
                pipelined = request;
            } else {
                startRequest(request);
            }
        } else if (msg instanceof HttpContent content) {
            if (current != null) {
                current.onRequestContent(content);
            } else {
                content.release();
                if (content.decoderResult().isFailure()) {
                    ctx.writeAndFlush(MatrixErrors.BAD_REQUEST.response(ctx.alloc(), HttpVersion.HTTP_1_1, true))
                            .addListener(ChannelFutureListener.CLOSE);
                } else if (content instanceof LastHttpContent && discardingBody) {
                    discardingBody = false;
                    nextRequest();
                } else {
                    readFromClient();
                }
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void startRequest(HttpRequest request) {
        timeouts.requestStarted();
        requestStartNanos = System.nanoTime();
        requestRoute = "none";
        requestUpstream = "none";
        requestMethod = request.method().name();
        requestPath = "";
        requestId = "";
        requestClient = peerText == null ? "" : peerText;
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            respondLocally(request, errorFor(decoded.cause()), true);
            return;
        }
        MatrixErrors invalid = RequestValidator.check(request);
        if (invalid != null) {
            respondLocally(request, invalid, true);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
            respondLocally(request, MatrixErrors.EXPECTATION_FAILED, true);
            return;
        }
        boolean sendContinue = HttpUtil.is100ContinueExpected(request);
        ProxySnapshot snapshot = snapshots.get();
        HopByHopHeaders.strip(request.headers());
        if (peer == null) {
            peer = ProxyProtocolHandler.peerOf(ctx.channel());
            peerText = IpText.format(peer);
        }
        ForwardingHeaders.Forwarded forwarded = snapshot.forwarding().apply(request.headers(), peer, peerText, scheme);
        NettyRequestView view = new NettyRequestView(request, forwarded.client());
        requestPath = view.path();
        requestId = forwarded.requestId();
        requestClient = forwarded.client();
        Route route = snapshot.routing().route(view);
        if (route != null) {
            requestRoute = route.name();
            requestUpstream = route.upstream().name();
        }
        if (route == null) {
            respondLocally(request, MatrixErrors.NO_ROUTE, !keepAlive || sendContinue);
            return;
        }
        Endpoint endpoint = route.pick(view);
        if (endpoint == null) {
            respondLocally(request, MatrixErrors.NO_ENDPOINT, !keepAlive || sendContinue);
            return;
        }
        if (HttpUtil.getContentLength(request, -1L) > route.maxBodyBytes()) {
            respondLocally(request, MatrixErrors.BODY_TOO_LARGE, true);
            return;
        }
        if (sendContinue) {
            // We answer 100 ourselves once the upstream is connected; it must not answer again.
            request.headers().remove(HttpHeaderNames.EXPECT);
        }
        current = new Exchange(this, ctx, pool, request, route, view, endpoint, snapshot.failover(), keepAlive,
                sendContinue, snapshot.timeouts().upstreamResponse().toNanos());
        current.start();
    }

    /**
     * Answers without an upstream. A request that said it would send a body (and was not told to
     * continue) leaves us not knowing where the next request starts, so its connection closes.
     */
    private void respondLocally(HttpRequest request, MatrixErrors error, boolean close) {
        record(error.status().code(), null);
        metrics.proxyError(error.metricTag());
        boolean malformed = request.decoderResult().isFailure();
        boolean mayHaveBody = HttpUtil.isContentLengthSet(request) || HttpUtil.isTransferEncodingChunked(request);
        boolean closeAfter = close || malformed || mayHaveBody;
        HttpVersion version = malformed ? HttpVersion.HTTP_1_1 : request.protocolVersion();
        if (closeAfter) {
            ctx.writeAndFlush(error.response(ctx.alloc(), version, true)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.writeAndFlush(error.response(ctx.alloc(), version, false), ctx.voidPromise());
        discardingBody = true;
        readFromClient();
    }

    private static MatrixErrors errorFor(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return MatrixErrors.URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return MatrixErrors.HEADERS_TOO_LARGE;
        }
        return MatrixErrors.BAD_REQUEST;
    }

    /** Asks the client connection for one more message (at most one request is outstanding). */
    void readFromClient() {
        if (!readRequested) {
            readRequested = true;
            ctx.read();
        }
    }

    /**
     * FlowControlHandler counts a read as satisfied when a read cycle completes, even one that
     * produced no whole message (a body split across TCP reads); ask again until a message comes.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (readRequested) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    void exchangeFinished(boolean keepAlive, int status) {
        Exchange finished = current;
        current = null;
        record(status, finished);
        if (keepAlive) {
            ctx.flush();
            nextRequest();
        } else {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    void exchangeFailed(MatrixErrors error, HttpVersion version, boolean keepAlive) {
        Exchange failed = current;
        current = null;
        record(error.status().code(), failed);
        metrics.proxyError(error.metricTag());
        if (keepAlive) {
            ctx.writeAndFlush(error.response(ctx.alloc(), version, false), ctx.voidPromise());
            nextRequest();
        } else {
            ctx.writeAndFlush(error.response(ctx.alloc(), version, true)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void nextRequest() {
        HttpRequest next = pipelined;
        if (next != null) {
            pipelined = null;
            startRequest(next);
        } else {
            becomeIdle();
            readFromClient();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && current != null) {
            current.onClientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * The client sent FIN. A Matrix client that half-closes has left (a long poll it gave up on):
     * like NGINX, and HAProxy with abortonclose, the upstream is released now, and the connection
     * closed.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            clientGone();
            ctx.close();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        clientGone();
        ctx.fireChannelInactive();
    }

    private void clientGone() {
        if (current != null) {
            // Counted with the status the client got, or 499 (nginx's "client closed") if none.
            record(current.responseStatus() > 0 ? current.responseStatus() : 499, current);
            current.abort();
            current = null;
        }
        pipelined = null;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof StrictFramingGuard.MalformedFramingException) {
            if (current != null) {
                // The upstream connection is dropped, so Synapse never sees a whole request.
                current.failMalformed();
            } else {
                metrics.proxyError(MatrixErrors.BAD_REQUEST.metricTag());
                ctx.writeAndFlush(MatrixErrors.BAD_REQUEST.response(ctx.alloc(), HttpVersion.HTTP_1_1, true))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        // Resets and write failures towards the client: closing aborts the exchange.
        ctx.close();
    }

    /** The one record of a request: its metrics and its access log line. */
    private void record(int status, Exchange exchange) {
        long elapsed = System.nanoTime() - requestStartNanos;
        metrics.request(listener, requestRoute, requestUpstream, requestMethod, status, elapsed);
        if (exchange != null) {
            metrics.bytes(exchange.requestBodyBytes(), exchange.responseBodyBytes());
            if (exchange.upstreamNanos() >= 0) {
                metrics.firstByte(exchange.endpoint(), exchange.upstreamNanos());
            }
        }
        if (accessLog.enabled()) {
            accessLog.log(new AccessLog.Entry(System.currentTimeMillis(), requestId, requestClient, requestMethod,
                    requestPath, requestRoute, requestUpstream, exchange == null ? null : exchange.endpoint().id(), status,
                    exchange == null ? 0 : exchange.requestBodyBytes(), exchange == null ? 0 : exchange.responseBodyBytes(),
                    elapsed, exchange == null ? -1 : exchange.upstreamNanos(), null));
        }
    }

    private void becomeIdle() {
        timeouts.awaitRequest();
    }
}
