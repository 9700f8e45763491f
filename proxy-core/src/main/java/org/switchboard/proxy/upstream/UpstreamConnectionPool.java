package org.switchboard.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.switchboard.config.HostPort;
import org.switchboard.config.UpstreamPoolSpec;
import org.switchboard.proxy.stats.UpstreamConnectionCounts;

/**
 * The keep-alive connections of one event loop, per endpoint address. They carry bytes: the
 * exchange that owns one frames what it reads itself. Only that event loop
 * touches it, so it needs no locks; a downstream channel always uses the pool of its own loop,
 * which keeps both sides of a proxied request on one thread.
 *
 * <p>Idle connections are reused most-recent-first, so a quiet period lets the surplus age out;
 * a sweep closes those idle longer than the idle timeout, before the upstream's own keep-alive
 * timeout could close them under a request.
 */
public final class UpstreamConnectionPool {
    private static final long SWEEP_INTERVAL_MILLIS = 1000;
    private final EventLoop eventLoop;
    private final Bootstrap bootstrap;
    private final int maxIdlePerEndpoint;
    private final long idleTimeoutNanos;
    private final int connectTimeoutMillis;
    private final Map<HostPort, EndpointConnections> byAddress = new HashMap<>();
    private final ScheduledFuture<?> sweeper;
    /** The addresses the config in force names, or null before the first reload (all are). */
    private Set<HostPort> inUse;

    private final UpstreamConnectionCounts counts;
    public UpstreamConnectionPool(EventLoop eventLoop, Bootstrap template, UpstreamPoolSpec spec, int connectTimeoutMillis,
                                  UpstreamConnectionCounts counts) {
        this.counts = counts;
        this.eventLoop = eventLoop;
        this.connectTimeoutMillis = connectTimeoutMillis;
        // The connect timeout is ours (see connect): Netty's epoll channel keeps its own timeout
        // task referenced after cancelling it, 128 bytes for the whole life of every connection.
        this.bootstrap = template.clone(eventLoop)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
        this.maxIdlePerEndpoint = spec.maxIdlePerEndpoint();
        this.idleTimeoutNanos = spec.idleTimeout().toNanos();
        this.sweeper = eventLoop.scheduleWithFixedDelay(this::closeExpired,
                SWEEP_INTERVAL_MILLIS, SWEEP_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** An idle, open connection to the address now owned by {@code owner}, or null when none. */
    public UpstreamConnection pollIdle(HostPort address, UpstreamListener owner) {
        EndpointConnections connections = byAddress.get(address);
        if (connections == null) {
            return null;
        }
        UpstreamConnection connection;
        while ((connection = connections.pollIdle()) != null) {
            if (connection.channel().isActive()) {
                connection.attach(owner);
                return connection;
            }
            connection.channel().close();
        }
        return null;
    }

    /**
     * Opens a new connection owned by {@code owner}. The future completes on this event loop; on
     * success the channel's {@link UpstreamConnection} is {@link #connectionOf(Channel)}.
     */
    public ChannelFuture connect(HostPort address, UpstreamListener owner) {
        EndpointConnections connections = byAddress.computeIfAbsent(address, key -> new EndpointConnections(key, counts));
        UpstreamConnection connection = new UpstreamConnection(connections);
        connection.attach(owner);
        ChannelFuture connect = bootstrap.clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("upstream", connection);
                    }
                })
                .connect(connections.socketAddress);
        if (!connect.isDone()) {
            ScheduledFuture<?> timeout = eventLoop.schedule(() -> {
                if (connect instanceof ChannelPromise promise && promise.tryFailure(
                        new ConnectTimeoutException("connection timed out after " + connectTimeoutMillis
                                + " ms: " + address))) {
                    promise.channel().close();
                }
            }, connectTimeoutMillis, TimeUnit.MILLISECONDS);
            connect.addListener(done -> timeout.cancel(false));
        }
        return connect;
    }

    public static UpstreamConnection connectionOf(Channel channel) {
        return channel.pipeline().get(UpstreamConnection.class);
    }

    /**
     * Gives a connection back. Only a connection whose request was fully written and whose
     * response was fully read may be {@code reusable}; anything else is closed, because the next
     * request on it would meet leftover bytes.
     */
    public void release(UpstreamConnection connection, boolean reusable) {
        EndpointConnections connections = connection.home();
        connection.detach(System.nanoTime());
        Channel channel = connection.channel();
        boolean retired = inUse != null && !inUse.contains(connections.address);
        if (!reusable || retired || !channel.isActive() || connections.idle.size() >= maxIdlePerEndpoint || sweeper.isDone()) {
            channel.close();
            return;
        }
        // Reading stays on while idle so that a close by the upstream is noticed at once.
        if (!channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
        connections.addIdle(connection);
    }

    /** Closes every idle connection; in-flight ones close as their exchanges end. */
    public void close() {
        sweeper.cancel(false);
        for (EndpointConnections connections : byAddress.values()) {
            UpstreamConnection connection;
            while ((connection = connections.pollIdle()) != null) {
                connection.channel().close();
            }
        }
    }

    /**
     * After a reload: idle connections to addresses no upstream names any more are closed, and
     * busy ones are closed when their request ends instead of going back to the pool.
     */
    public void closeIdleExcept(Set<HostPort> addresses) {
        this.inUse = Set.copyOf(addresses);
        for (Map.Entry<HostPort, EndpointConnections> entry : byAddress.entrySet()) {
            if (!addresses.contains(entry.getKey())) {
                UpstreamConnection connection;
                while ((connection = entry.getValue().pollIdle()) != null) {
                    connection.channel().close();
                }
            }
        }
    }

    public EventLoop eventLoop() {
        return eventLoop;
    }

    int idleCount(HostPort address) {
        EndpointConnections connections = byAddress.get(address);
        return connections == null ? 0 : connections.idle.size();
    }

    private void closeExpired() {
        long now = System.nanoTime();
        for (EndpointConnections connections : byAddress.values()) {
            // Oldest at the tail.
            Iterator<UpstreamConnection> oldestFirst = connections.idle.descendingIterator();
            while (oldestFirst.hasNext()) {
                UpstreamConnection connection = oldestFirst.next();
                if (now - connection.idleSinceNanos() < idleTimeoutNanos) {
                    break;
                }
                oldestFirst.remove();
                connections.idleCount.decrementAndGet();
                connection.channel().close();
            }
        }
    }

    /** The idle connections of one address in this loop, and this loop's count of them, which the metrics sum. */
    static final class EndpointConnections {
        final HostPort address;
        final SocketAddress socketAddress;
        final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
        final AtomicInteger idleCount;
        /** Open connections to the address across loops; each connection counts itself (see UpstreamConnection). */
        final AtomicInteger openCount;

        EndpointConnections(HostPort address, UpstreamConnectionCounts counts) {
            this.address = address;
            this.socketAddress = socketAddressOf(address);
            this.idleCount = counts.idleCounter(address);
            this.openCount = counts.openCounter(address);
        }

        /** The most recently used idle connection, or null. */
        UpstreamConnection pollIdle() {
            UpstreamConnection connection = idle.pollFirst();
            if (connection != null) {
                idleCount.decrementAndGet();
            }
            return connection;
        }

        void addIdle(UpstreamConnection connection) {
            idle.addFirst(connection);
            idleCount.incrementAndGet();
        }

        void forget(UpstreamConnection connection) {
            if (idle.remove(connection)) {
                idleCount.decrementAndGet();
            }
        }
    }

    /**
     * IP literals become addresses here, once; names stay unresolved so the bootstrap's
     * asynchronous resolver looks them up (respecting DNS TTLs) when connecting.
     */
    public static SocketAddress socketAddressOf(HostPort address) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(address.host());
        if (literal == null) {
            return InetSocketAddress.createUnresolved(address.host(), address.port());
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address.host(), literal), address.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address + ": " + e.getMessage(), e);
        }
    }
}
