package org.switchboard.proxy.admin;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.switchboard.proxy.logging.RateLimitedLog;

/**
 * The admin listener's pipeline. Its requests are small, so they are aggregated; its connections
 * are bounded in number and in how long they wait for a request ({@link AdminConnectionGuard}).
 */
public final class AdminChannelInitializer extends ChannelInitializer<Channel> {
    static final int MAX_ADMIN_REQUEST = 64 * 1024;
    private final AdminApi api;
    private final RateLimitedLog refusals = RateLimitedLog.every10Seconds(System.getLogger(AdminHandler.class.getName()));
    private final AtomicInteger open = new AtomicInteger();
    private final Queue<AdminConnectionGuard> connections = new ConcurrentLinkedQueue<>();

    public AdminChannelInitializer(AdminApi api) {
        this.api = api;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                .addLast("http", new HttpServerCodec())
                .addLast("aggregate", new AdminRequestAggregator())
                .addLast("guard", new AdminConnectionGuard(open, connections, refusals))
                .addLast("admin", new AdminHandler(api, refusals));
    }
}
