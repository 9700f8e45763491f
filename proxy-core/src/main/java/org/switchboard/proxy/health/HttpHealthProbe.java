package org.switchboard.proxy.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.switchboard.config.HostPort;

/**
 * One active health check: {@code GET <path>} on a fresh connection, on an event loop, never
 * blocking; 200 is healthy, anything else (another status, refused, reset, no answer within the
 * timeout) is not. The callback runs exactly once, on that event loop. {@link #get} is the same
 * request for a small answer's body (a Synapse process's release).
 */
public final class HttpHealthProbe {
    private static final int MAX_RESPONSE = 8 * 1024;
    private static final String USER_AGENT = "switchboard-health-check";

    /**
     * A small answer, or why there is none.
     *
     * @param status  the HTTP status; 0 when there was no answer
     * @param body    the body as UTF-8 text (at most 8 KiB); empty without an answer
     * @param failure why there is no answer; null with one
     */
    public record Answer(int status, String body, String failure) {
    }

    private final Bootstrap template;

    /** @param template a bootstrap with channel type and resolver set; the probe adds the rest */
    public HttpHealthProbe(Bootstrap template) {
        this.template = template;
    }

    /** Calls {@code result} with (true, null) when healthy, else (false, reason). */
    public void probe(EventLoop loop, HostPort target, SocketAddress address, String path, Duration timeout,
                      BiConsumer<Boolean, String> result) {
        get(loop, target, address, path, timeout, answer -> result.accept(answer.status() == 200,
                answer.status() == 200 ? null : answer.status() == 0 ? answer.failure() : "status " + answer.status()));
    }

    /** {@code GET <path>}; calls {@code result} once, on {@code loop}, with the answer or why there is none. */
    public void get(EventLoop loop, HostPort target, SocketAddress address, String path, Duration timeout,
                    Consumer<Answer> result) {
        Outcome outcome = new Outcome(result);
        ChannelFuture connect = template.clone(loop)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new HttpClientCodec())
                                .addLast(new HttpObjectAggregator(MAX_RESPONSE))
                                .addLast(new ResponseHandler(outcome));
                    }
                })
                .connect(address);
        Channel channel = connect.channel();
        ScheduledFuture<?> deadline = loop.schedule(() -> {
            outcome.fail("no answer within " + timeout.toMillis() + " ms");
            channel.close();
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        outcome.onDone(() -> deadline.cancel(false));
        connect.addListener((ChannelFuture future) -> {
            if (!future.isSuccess()) {
                outcome.fail(connectFailure(future.cause()));
                return;
            }
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            request.headers()
                    .set(HttpHeaderNames.HOST, target.toString())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
            future.channel().writeAndFlush(request);
        });
        // A refused connect also closes the channel; whichever is told first, the cause is the connect's.
        // A close after the connect is told by ResponseHandler.channelInactive instead: only there
        // has an answer whose body ends with the connection (no Content-Length) been decoded.
        channel.closeFuture().addListener(closed -> {
            if (!connect.isSuccess()) {
                outcome.fail(connect.isDone() ? connectFailure(connect.cause()) : "connection closed without an answer");
            }
        });
    }

    /**
     * "connect: connection refused", as an admin reads it, rather than the transport's wording
     * ("finishConnect(..) failed: Connection refused").
     */
    static String connectFailure(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "connect: timed out";
        }
        if (cause instanceof ConnectException) {
            String message = String.valueOf(cause.getMessage());
            return message.contains("refused") ? "connect: connection refused" : "connect: " + message;
        }
        if (cause instanceof UnknownHostException) {
            return "connect: unknown host " + cause.getMessage();
        }
        return "connect: " + cause.getMessage();
    }

    /** Reports once, whichever comes first: the answer, a failure, the deadline, the close. */
    private static final class Outcome {
        private final Consumer<Answer> result;
        private boolean reported;
        private Runnable onDone = () -> { };

        Outcome(Consumer<Answer> result) {
            this.result = result;
        }

        void onDone(Runnable action) {
            this.onDone = action;
        }

        /** No answer, and why. */
        void fail(String reason) {
            report(new Answer(0, "", reason));
        }

        void report(Answer answer) {
            if (reported) {
                return;
            }
            reported = true;
            onDone.run();
            result.accept(answer);
        }
    }

    private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Outcome outcome;

        ResponseHandler(Outcome outcome) {
            this.outcome = outcome;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            outcome.report(new Answer(response.status().code(),
                    response.content().toString(StandardCharsets.UTF_8), null));
            ctx.close();
        }

        /** After the codec passed on whatever the close completed: nothing came, or it was cut short. */
        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            outcome.fail("connection closed without an answer");
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            outcome.fail(cause.getClass().getSimpleName() + ": " + cause.getMessage());
            ctx.close();
        }
    }
}
