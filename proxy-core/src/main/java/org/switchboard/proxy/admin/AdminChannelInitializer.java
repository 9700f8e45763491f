package org.switchboard.proxy.admin;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import org.switchboard.proxy.logging.RateLimitedLog;

/** The admin listener's pipeline. Its requests are small, so they are aggregated. */
public final class AdminChannelInitializer extends ChannelInitializer<Channel> {
    private static final int MAX_ADMIN_REQUEST = 64 * 1024;
    private final AdminApi api;
    private final RateLimitedLog refusals = RateLimitedLog.every10Seconds(System.getLogger(AdminHandler.class.getName()));

    public AdminChannelInitializer(AdminApi api) {
        this.api = api;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                .addLast("http", new HttpServerCodec())
                .addLast("aggregate", new HttpObjectAggregator(MAX_ADMIN_REQUEST))
                .addLast("admin", new AdminHandler(api, refusals));
    }
}
