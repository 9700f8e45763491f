package org.switchboard.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import org.switchboard.routing.RequestView;

/** Routing's view of a Netty request head; path and query are cut from the raw target once. */
final class NettyRequestView implements RequestView {
    private final HttpRequest request;
    private final String path;
    private final String query;
    private final String clientAddress;

    NettyRequestView(HttpRequest request, String clientAddress) {
        this.request = request;
        this.path = RequestView.pathOf(request.uri());
        this.query = RequestView.queryOf(request.uri());
        this.clientAddress = clientAddress;
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
    public String query() {
        return query;
    }

    @Override
    public String host() {
        return request.headers().get(HttpHeaderNames.HOST);
    }

    @Override
    public String header(String name) {
        return request.headers().get(name);
    }

    @Override
    public String clientAddress() {
        return clientAddress;
    }
}
