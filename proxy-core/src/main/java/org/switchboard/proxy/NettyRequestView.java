package org.switchboard.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import org.switchboard.routing.RequestView;

/** Routing's view of a Netty request head; the path is cut from the raw target once. */
final class NettyRequestView implements RequestView {
    private final HttpRequest request;
    private final String path;

    NettyRequestView(HttpRequest request) {
        this.request = request;
        this.path = RequestView.pathOf(request.uri());
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String host() {
        return request.headers().get(HttpHeaderNames.HOST);
    }
}
