package org.switchboard.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.switchboard.config.HostPort;
import org.switchboard.config.ListenerSpec;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.proxy.admin.AdminChannelInitializer;
import org.switchboard.proxy.health.HealthChecking;
import org.switchboard.proxy.health.HttpHealthProbe;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;
import org.switchboard.routing.TokenUsers;

/**
 * A running proxy: its event loops, listeners, admin listener and upstream connection pools.
 * {@link #start} binds everything or fails; {@link #close} releases everything.
 */
public final class Switchboard implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Switchboard.class.getName());

    private final EventLoopGroup eventLoops;
    private final DnsAddressResolverGroup resolvers;
    private final AtomicReference<ProxySnapshot> snapshot;
    private final Map<EventLoop, UpstreamConnectionPool> pools;
    private final WhoamiUserLookup userLookup;
    private final HealthChecking healthChecking;
    private final Map<String, Channel> listeners = new LinkedHashMap<>();
    private Channel admin;
    private volatile boolean ready;

    private Switchboard(SwitchboardSpec spec, Transport transport) {
        this.snapshot = new AtomicReference<>();
        this.resolvers = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(transport.datagramChannelType())
                .socketChannelType(transport.socketChannelType()));
        Bootstrap upstreamTemplate = new Bootstrap()
                .channel(transport.socketChannelType())
                .resolver(resolvers);
        this.userLookup = spec.userLookup().enabled()
                ? new WhoamiUserLookup(spec.userLookup(), () -> snapshot.get().mainEndpoint())
                : null;
        this.healthChecking = new HealthChecking(spec, new HttpHealthProbe(upstreamTemplate));
        this.snapshot.set(ProxySnapshot.compile(1, spec, userLookup != null ? userLookup : TokenUsers.NONE,
                PassiveHealth.of(healthChecking)));
        this.eventLoops = transport.newEventLoopGroup(spec.runtime().effectiveEventLoopThreads(), "switchboard");
        int connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, spec.timeouts().connect().toMillis());
        Map<EventLoop, UpstreamConnectionPool> poolsByLoop = new IdentityHashMap<>();
        for (EventExecutor executor : eventLoops) {
            EventLoop loop = (EventLoop) executor;
            poolsByLoop.put(loop, new UpstreamConnectionPool(loop, upstreamTemplate, spec.upstreamPool(), connectTimeoutMillis));
        }
        this.pools = poolsByLoop;
    }

    /** Binds every listener and the admin listener; on failure releases what it took and throws. */
    public static Switchboard start(SwitchboardSpec spec, Transport transport) throws InterruptedException {
        Switchboard switchboard = new Switchboard(spec, transport);
        try {
            switchboard.bind(spec, transport);
        } catch (RuntimeException | InterruptedException e) {
            switchboard.close();
            throw e;
        }
        return switchboard;
    }

    private void bind(SwitchboardSpec spec, Transport transport) throws InterruptedException {
        // Health first: its map is complete before any client or probe result can look at it.
        healthChecking.start(snapshot.get().routing(), eventLoops);
        for (ListenerSpec listener : spec.listeners()) {
            Channel channel = serverBootstrap(transport)
                    .childHandler(new ClientChannelInitializer(snapshot::get, pools, listener))
                    .childOption(ChannelOption.AUTO_READ, false)
                    .bind(bindAddress(listener.address()))
                    .sync()
                    .channel();
            listeners.put(listener.name(), channel);
        }
        admin = serverBootstrap(transport)
                .childHandler(new AdminChannelInitializer(() -> ready, () -> EndpointsJson.of(snapshot.get(), healthChecking.views())))
                .bind(bindAddress(spec.admin().address()))
                .sync()
                .channel();
        ready = true;
        LOG.log(System.Logger.Level.INFO, describe(spec));
    }

    private ServerBootstrap serverBootstrap(Transport transport) {
        return new ServerBootstrap()
                .group(eventLoops)
                .channel(transport.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true);
    }

    private static InetSocketAddress bindAddress(HostPort address) {
        // Listener addresses are local interfaces; resolving one at startup (not on an event
        // loop) is fine.
        return new InetSocketAddress(address.host(), address.port());
    }

    private String describe(SwitchboardSpec spec) {
        StringBuilder line = new StringBuilder("Switchboard started:");
        listeners.forEach((name, channel) -> line.append(" listener ").append(name).append('=').append(format(channel)));
        line.append(" admin=").append(format(admin));
        spec.upstreams().values().forEach(upstream -> line.append(" upstream ").append(upstream.name())
                .append('=').append(upstream.endpoints().stream().map(e -> e.id()).toList()));
        line.append(" eventLoops=").append(pools.size());
        return line.toString();
    }

    private static String format(Channel channel) {
        InetSocketAddress address = (InetSocketAddress) channel.localAddress();
        return HostPort.of(address.getAddress().getHostAddress(), address.getPort()).toString();
    }

    /** The bound address of a listener (its real port when configured with port 0). */
    public InetSocketAddress listenerAddress(String name) {
        Channel channel = listeners.get(name);
        if (channel == null) {
            throw new IllegalArgumentException("no listener named " + name);
        }
        return (InetSocketAddress) channel.localAddress();
    }

    public InetSocketAddress adminAddress() {
        return (InetSocketAddress) admin.localAddress();
    }

    public ProxySnapshot snapshot() {
        return snapshot.get();
    }

    @Override
    public void close() {
        ready = false;
        List<Channel> bound = new ArrayList<>(listeners.values());
        if (admin != null) {
            bound.add(admin);
        }
        for (Channel channel : bound) {
            channel.close().awaitUninterruptibly();
        }
        healthChecking.close();
        for (UpstreamConnectionPool pool : pools.values()) {
            pool.eventLoop().execute(pool::close);
        }
        eventLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        resolvers.close();
        if (userLookup != null) {
            userLookup.close();
        }
    }
}
