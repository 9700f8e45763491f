package org.switchboard.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.switchboard.proxy.upstream.UpstreamConnection;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;
import org.switchboard.proxy.upstream.UpstreamListener;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import org.switchboard.routing.Endpoint;
import org.switchboard.routing.RequestView;
import org.switchboard.routing.Route;

/**
 * One proxied request and its response: connects (or reuses a pooled connection), streams the
 * request body up and the response down with backpressure both ways, and ends in exactly one of
 * {@link #finish()}, {@link #fail(MatrixErrors)} or {@link #abort()}.
 *
 * <p>Runs entirely on the downstream channel's event loop, which is also the upstream's.
 */
final class Exchange implements UpstreamListener {
    private final ProxyHandler downstream;
    private final ChannelHandlerContext ctx;
    private final UpstreamConnectionPool pool;
    private final HttpRequest request;
    private final Route route;
    private final RequestView view;
    private final Failover failover;
    /** Endpoints this request was already sent towards; a retry avoids them. */
    private final List<Endpoint> tried = new ArrayList<>(1);
    private Endpoint endpoint;
    private boolean holdsRetry;
    /** Set for a retried request: the whole request is written again at connect. */
    private boolean resend;
    /** The body of a replayable PUT, or null. */
    private final ReplayBody replay;
    private final HttpVersion clientVersion;
    private final long responseTimeoutNanos;
    private final boolean sendContinue;
    private final long maxBodyBytes;
    private long bodyBytes;

    private boolean clientKeepAlive;
    private UpstreamConnection upstream;
    private boolean requestComplete;
    private boolean responseStarted;
    private boolean upstreamKeepAlive;
    /** The status sent to the client, once a response head has gone; 0 before. */
    private int responseStatus;
    private long responseBytes;
    private long requestSentNanos = -1;
    private long upstreamNanos = -1;
    private boolean awaitingUpstreamWritable;
    private boolean done;
    private long lastUpstreamActivityNanos;
    private ScheduledFuture<?> responseTimeout;

    Exchange(ProxyHandler downstream, ChannelHandlerContext ctx, UpstreamConnectionPool pool, HttpRequest request,
             Route route, RequestView view, Endpoint endpoint, Failover failover, boolean clientKeepAlive,
             boolean sendContinue, long responseTimeoutNanos) {
        this.downstream = downstream;
        this.ctx = ctx;
        this.pool = pool;
        this.request = request;
        this.route = route;
        this.view = view;
        this.failover = failover;
        this.endpoint = endpoint;
        this.clientVersion = request.protocolVersion();
        this.clientKeepAlive = clientKeepAlive;
        this.sendContinue = sendContinue;
        this.responseTimeoutNanos = responseTimeoutNanos;
        this.maxBodyBytes = route.maxBodyBytes();
        this.replay = replayFor(request, view);
    }

    void start() {
        endpoint.load().requestStarted();
        tried.add(endpoint);
        UpstreamConnection pooled = pool.pollIdle(endpoint.address(), this);
        if (pooled != null) {
            onConnected(pooled);
            return;
        }
        Endpoint target = endpoint;
        pool.connect(endpoint.address(), this).addListener((ChannelFuture future) -> {
            if (future.isSuccess()) {
                onConnected(UpstreamConnectionPool.connectionOf(future.channel()));
            } else if (!done && target == endpoint) {
                failover.health().failed(endpoint, "connect: " + future.cause().getMessage());
                // Nothing was sent: any request may go to another endpoint.
                if (!retryElsewhere("connect_failure")) {
                    fail(MatrixErrors.CONNECT_FAILED);
                }
            }
        });
    }

    /** Moves this request to another eligible endpoint if the budget allows; false if it cannot. */
    private boolean retryElsewhere(String reason) {
        Endpoint next = route.pick(view, tried);
        if (next == null || !(holdsRetry || failover.retries().tryAcquire())) {
            return false;
        }
        failover.metrics().retry(reason);
        holdsRetry = true;
        endpoint.load().requestEnded();
        endpoint = next;
        start();
        return true;
    }

    /**
     * A PUT whose path carries a client transaction id (event sending, redaction, to-device) is
     * idempotent in Synapse, which answers a repeated transaction id with the first result; its
     * body (JSON, small) is kept so the request can be sent again. Null when not replayable.
     */
    private static ReplayBody replayFor(HttpRequest request, RequestView view) {
        return HttpMethod.PUT.equals(request.method()) && TransactionPaths.hasTransactionId(view.path())
                && HttpUtil.getContentLength(request, -1L) >= 0
                && HttpUtil.getContentLength(request, -1L) <= ReplayBody.MAX_BYTES
                && !HttpUtil.isTransferEncodingChunked(request) ? new ReplayBody() : null;
    }

    /**
     * GET, HEAD and OPTIONS without a body can be sent again after a connection died before any
     * response byte: Synapse treats them as safe to repeat, and there is no body to replay.
     */
    private boolean repeatable() {
        if (replay != null) {
            return true; // a PUT with a transaction id, its body kept for this
        }
        HttpMethod method = request.method();
        boolean safe = HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method);
        return safe && bodyBytes == 0 && !HttpUtil.isTransferEncodingChunked(request)
                && HttpUtil.getContentLength(request, 0L) == 0;
    }

    private void onConnected(UpstreamConnection connection) {
        if (done) {
            // The client left while we connected; the fresh connection is clean, keep it.
            pool.release(connection, true);
            return;
        }
        upstream = connection;
        requestSentNanos = System.nanoTime();
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (resend) {
            // A retried request: the client already sent all of it.
            connection.channel().write(request, connection.channel().voidPromise());
            if (replay != null) {
                replay.writeTo(connection.channel());
            }
            connection.channel().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, connection.channel().voidPromise());
            armResponseTimeout();
            return;
        }
        // Flushed with the first body part (for a GET, the empty last part right behind it), so
        // a bodiless request costs one write to the socket, not two.
        connection.channel().write(request, connection.channel().voidPromise());
        if (sendContinue) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER), ctx.voidPromise());
        }
        downstream.readFromClient();
    }

    /** Request body from the client; ownership passes on to the upstream. */
    void onRequestContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            // Broken chunked framing: the codec marks it as a failed last part. Passing that on
            // would hand Synapse a complete request with a cut-off body; dropping the upstream
            // connection instead makes Synapse discard it.
            content.release();
            fail(MatrixErrors.BAD_REQUEST);
            return;
        }
        bodyBytes += content.content().readableBytes();
        if (bodyBytes > maxBodyBytes) {
            // A chunked body (its length unknown up front) grew past the route's limit.
            content.release();
            fail(MatrixErrors.BODY_TOO_LARGE);
            return;
        }
        Channel channel = upstream.channel();
        if (replay != null) {
            replay.keep(content.content());
        }
        channel.writeAndFlush(content, channel.voidPromise());
        if (content instanceof LastHttpContent) {
            requestComplete = true;
            armResponseTimeout();
            // One more read lets us notice a client that leaves during a long poll (and holds
            // a pipelined request until this exchange is over).
            downstream.readFromClient();
        } else if (channel.isWritable()) {
            downstream.readFromClient();
        } else {
            awaitingUpstreamWritable = true;
        }
    }

    @Override
    public void onUpstreamWritable() {
        if (awaitingUpstreamWritable && !done) {
            awaitingUpstreamWritable = false;
            downstream.readFromClient();
        }
    }

    @Override
    public void onResponseHead(HttpResponse response) {
        lastUpstreamActivityNanos = System.nanoTime();
        if (response.status().code() >= 500) {
            failover.health().failed(endpoint, "status " + response.status().code());
        } else {
            failover.health().succeeded(endpoint);
        }
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        HopByHopHeaders.strip(response.headers());
        if (!requestComplete) {
            // The upstream answered before the body ended: where that body ends on the client
            // connection is unknown to us now, so this connection cannot carry another request.
            clientKeepAlive = false;
        }
        if (clientVersion == HttpVersion.HTTP_1_0) {
            response.setProtocolVersion(HttpVersion.HTTP_1_0);
            if (HttpUtil.isTransferEncodingChunked(response)) {
                // HTTP/1.0 has no chunked coding: the body is delimited by closing instead.
                response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                clientKeepAlive = false;
            }
            if (clientKeepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        }
        if (!clientKeepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        responseStarted = true;
        responseStatus = response.status().code();
        if (requestSentNanos >= 0) {
            upstreamNanos = lastUpstreamActivityNanos - requestSentNanos;
        }
        ctx.write(response, ctx.voidPromise());
    }

    @Override
    public void onResponseContent(HttpContent content) {
        lastUpstreamActivityNanos = System.nanoTime();
        responseBytes += content.content().readableBytes();
        ctx.write(content, ctx.voidPromise());
        if (content instanceof LastHttpContent) {
            finish();
        } else if (!ctx.channel().isWritable()) {
            upstream.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void onReadComplete() {
        if (!done) {
            ctx.flush();
        }
    }

    /** The client can take more: resume reading the response. */
    void onClientWritable() {
        if (upstream != null && !done) {
            upstream.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void onInvalidResponse(Throwable cause) {
        failover.health().failed(endpoint, "invalid response");
        fail(MatrixErrors.INVALID_RESPONSE);
    }

    @Override
    public void onUpstreamClosed() {
        if (done) {
            return;
        }
        failover.health().failed(endpoint, "connection closed before the response ended");
        if (!responseStarted && requestComplete && repeatable()) {
            pool.release(upstream, false);
            upstream = null;
            cancelResponseTimeout();
            resend = true;
            if (retryElsewhere("closed_before_response")) {
                return;
            }
        }
        fail(MatrixErrors.UPSTREAM_RESET);
    }

    private void finish() {
        end();
        pool.release(upstream, requestComplete && upstreamKeepAlive);
        downstream.exchangeFinished(clientKeepAlive && requestComplete, responseStatus);
    }

    /** The upstream side failed: answer with the error, or cut the client off mid-response. */
    private void fail(MatrixErrors error) {
        if (done) {
            return;
        }
        end();
        releaseUpstreamUnusable();
        if (responseStarted) {
            // A truncated body must never look complete: closing is the only honest signal.
            ctx.close();
        } else {
            downstream.exchangeFailed(error, clientVersion, clientKeepAlive && requestComplete);
        }
    }

    /** The rest of the request cannot be framed: drop the upstream side and answer 400 (or close). */
    void failMalformed() {
        clientKeepAlive = false;
        fail(MatrixErrors.BAD_REQUEST);
    }

    int responseStatus() {
        return responseStatus;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    long requestBodyBytes() {
        return bodyBytes;
    }

    long responseBodyBytes() {
        return responseBytes;
    }

    /** From the request going out to the response head coming back; -1 if it never did. */
    long upstreamNanos() {
        return upstreamNanos;
    }

    /** The client went away: the upstream connection is closed, so Synapse stops the work. */
    void abort() {
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
        endpoint.load().requestEnded();
        if (replay != null) {
            replay.release();
        }
        if (holdsRetry) {
            holdsRetry = false;
            failover.retries().release();
        }
    }

    private void releaseUpstreamUnusable() {
        if (upstream != null) {
            pool.release(upstream, false);
        }
    }

    private void armResponseTimeout() {
        lastUpstreamActivityNanos = System.nanoTime();
        responseTimeout = ctx.executor().schedule(this::checkResponseTimeout, responseTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Rescheduled instead of reset per message, so streaming a body schedules nothing. */
    private void checkResponseTimeout() {
        if (done) {
            return;
        }
        long silentFor = System.nanoTime() - lastUpstreamActivityNanos;
        if (silentFor >= responseTimeoutNanos) {
            failover.health().failed(endpoint, "timeout");
            fail(MatrixErrors.UPSTREAM_TIMEOUT);
        } else {
            responseTimeout = ctx.executor().schedule(this::checkResponseTimeout,
                    responseTimeoutNanos - silentFor, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelResponseTimeout() {
        if (responseTimeout != null) {
            responseTimeout.cancel(false);
            responseTimeout = null;
        }
    }
}
