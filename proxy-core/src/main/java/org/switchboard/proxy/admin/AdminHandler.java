package org.switchboard.proxy.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.switchboard.proxy.logging.RateLimitedLog;

/**
 * The admin listener: {@code /live} (the process answers) and {@code /ready} (every listener is
 * bound and a config is in force) for Kubernetes probes, {@code /metrics}, {@code /status} and
 * {@code /} (the status page), {@code /endpoints} (every endpoint's health, ejection and load),
 * {@code /config} (the effective config, the last reload's outcome): all read-only, open to
 * whoever reaches the listener. The actions ({@code POST /reload}, {@code POST /drain}) answer only to what
 * {@link AdminAccess} permits; anything else gets 403 and a log line.
 */
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final String FORBIDDEN = "{\"errcode\":\"M_FORBIDDEN\",\"error\":\"Admin actions answer only to"
            + " addresses in admin.allow or a request with Authorization: Bearer <the token in admin.tokenFile>\"}";
    private final AdminApi api;
    /** Shared by the listener's connections: a scan of the admin port must not flood the log. */
    private final RateLimitedLog refusals;

    public AdminHandler(AdminApi api, RateLimitedLog refusals) {
        this.api = api;
        this.refusals = refusals;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = request.uri();
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        FullHttpResponse response;
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        boolean action = path.equals("/reload") || path.equals("/drain");
        if (request.decoderResult().isSuccess() && action) {
            if (!HttpMethod.POST.equals(request.method())) {
                FullHttpResponse wrongMethod = json(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED,
                        "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Use POST " + path + "\"}");
                wrongMethod.headers().set(HttpHeaderNames.ALLOW, HttpMethod.POST.name());
                send(ctx, wrongMethod, keepAlive);
                return;
            }
            if (!permitted(ctx, request, path)) {
                send(ctx, json(ctx, HttpResponseStatus.FORBIDDEN, FORBIDDEN), keepAlive);
                return;
            }
            if (path.equals("/drain")) {
                AdminApi.Answer answer = api.drain();
                send(ctx, json(ctx, HttpResponseStatus.valueOf(answer.status()), answer.json()), keepAlive);
                return;
            }
            // The reload reads a file: it runs elsewhere and the answer comes back to this loop.
            api.reload().whenComplete((answer, failure) -> ctx.executor().execute(() -> send(ctx, failure == null
                    ? json(ctx, HttpResponseStatus.valueOf(answer.status()), answer.json())
                    : json(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                            "{\"errcode\":\"M_UNKNOWN\",\"error\":\"reload failed\"}"), keepAlive)));
            return;
        }
        if (!request.decoderResult().isSuccess()) {
            response = json(ctx, HttpResponseStatus.BAD_REQUEST, "{\"errcode\":\"M_UNKNOWN\",\"error\":\"Malformed request\"}");
        } else if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            response = json(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Use GET\"}");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        } else if (path.equals("/live")) {
            response = json(ctx, HttpResponseStatus.OK, "{\"status\":\"live\"}");
        } else if (path.equals("/ready")) {
            response = api.ready()
                    ? json(ctx, HttpResponseStatus.OK, "{\"status\":\"ready\"}")
                    : json(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE,
                            api.draining() ? "{\"status\":\"draining\"}" : "{\"status\":\"starting\"}");
        } else if (path.equals("/endpoints")) {
            response = json(ctx, HttpResponseStatus.OK, api.endpointsJson());
        } else if (path.equals("/status")) {
            response = json(ctx, HttpResponseStatus.OK, api.statusJson());
        } else if (path.equals("/")) {
            response = json(ctx, HttpResponseStatus.OK, api.statusHtml());
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        } else if (path.equals("/metrics")) {
            response = text(ctx, api.metricsText());
        } else if (path.equals("/config")) {
            response = json(ctx, HttpResponseStatus.OK, api.configJson());
        } else {
            response = json(ctx, HttpResponseStatus.NOT_FOUND, "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Unknown admin path\"}");
        }
        send(ctx, response, keepAlive);
    }

    private boolean permitted(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        // Not an IP socket (a test's embedded channel): no address to allow, only the token counts.
        InetAddress peer = ctx.channel().remoteAddress() instanceof InetSocketAddress socket
                ? socket.getAddress() : null;
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (api.access().permits(peer == null ? new byte[0] : peer.getAddress(), authorization)) {
            return true;
        }
        String what = request.method() + " " + path; // not the raw target: its query is no business of the log
        String from = peer == null ? String.valueOf(ctx.channel().remoteAddress()) : peer.getHostAddress();
        refusals.log(System.Logger.Level.WARNING, "refused admin actions", () -> "admin listener refused " + what + " from "
                + from + ": not in admin.allow, and " + (authorization == null ? "no token" : "not the admin token"));
        return false;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse text(ChannelHandlerContext ctx, String body) {
        FullHttpResponse response = json(ctx, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        return response;
    }

    private static FullHttpResponse json(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        ByteBuf content = ctx.alloc().buffer().writeBytes(body.getBytes(StandardCharsets.UTF_8));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
