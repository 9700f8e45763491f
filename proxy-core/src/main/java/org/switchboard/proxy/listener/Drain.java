package org.switchboard.proxy.listener;

import java.util.function.IntSupplier;
import org.switchboard.proxy.http.DownstreamConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.switchboard.config.DrainSpec;
import org.switchboard.config.Durations;

/**
 * The graceful drain of a rollout, as HAProxy's soft stop and Envoy's listener drain do it, in
 * three steps:
 * <ol>
 *   <li>the signal: {@code /ready} answers 503 and everything else goes on, for {@code delay},
 *       while Kubernetes removes the pod from its Service (the removal and the signal race);</li>
 *   <li>the listeners close: idle client connections close at once, busy ones close after the
 *       response they are carrying ({@code Connection: close}), WebSocket tunnels' clients are
 *       sent a Close 1001 within {@code websocketSpread};</li>
 *   <li>{@code timeout} later, whatever is still open (a long poll, an upload) is closed and
 *       counted.</li>
 * </ol>
 * Started once, by SIGTERM or {@code POST /drain}; the future completes when no client
 * connection is left.
 */
public final class Drain {
    private static final System.Logger LOG = System.getLogger(Drain.class.getName());
    /** How often, once the listeners are closed, the connections left are counted. */
    private static final long POLL_MILLIS = 50;

    /** The gauge's values, in this order. */
    enum Phase { SERVING, DELAY, CLOSING, DONE }

    private volatile Phase phase = Phase.SERVING;
    /**
     * Every client connection open, from {@link #track} to {@link #untrack}. Not a Netty
     * ChannelGroup: that adds a close listener of its own to every connection, and the listener
     * that untracks a connection here is the one that also gives back its connection-limit count.
     */
    private final Set<Channel> clients = ConcurrentHashMap.newKeySet();
    private final Counter forcedCloses;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    public Drain(MeterRegistry registry) {
        this(registry, () -> 0);
    }

    /** @param http2Connections how many of the tracked connections speak HTTP/2 */
    public Drain(MeterRegistry registry, IntSupplier http2Connections) {
        Gauge.builder("switchboard_drain_phase", this, drain -> drain.phase.ordinal())
                .description("0 serving, 1 draining (ready answers 503, listeners open), 2 listeners closed, 3 drained")
                .register(registry);
        Gauge.builder("switchboard_client_connections", clients, group -> group.size() - http2Connections.getAsInt())
                .description("Open client connections by protocol, across listeners").tag("protocol", "h1")
                .register(registry);
        Gauge.builder("switchboard_client_connections", http2Connections, IntSupplier::getAsInt)
                .description("Open client connections by protocol, across listeners").tag("protocol", "h2")
                .register(registry);
        forcedCloses = Counter.builder("switchboard_drain_forced_closes")
                .description("Client connections still open at the drain's timeout, closed then").register(registry);
    }

    /** Completes when the drain is done. */
    public CompletableFuture<Void> done() {
        return done;
    }

    /**
     * Takes a new client connection into account, until {@link #untrack} (called when it closes).
     * One accepted as the listeners close is served all the same: its requests see
     * {@link #closing()} and get {@code Connection: close}.
     */
    public void track(Channel client) {
        clients.add(client);
    }

    /** The connection is closed. */
    public void untrack(Channel client) {
        clients.remove(client);
    }

    /** Fires {@code event} on every client connection open, each on its own event loop. */
    public void tellEveryConnection(Object event) {
        for (Channel client : clients) {
            client.pipeline().fireUserEventTriggered(event);
        }
    }

    /** The listeners are closed: no response keeps its connection alive any more. */
    public boolean closing() {
        return phase.compareTo(Phase.CLOSING) >= 0;
    }

    /** Started: {@code /ready} says no. */
    public boolean started() {
        return phase != Phase.SERVING;
    }

    /**
     * Starts the drain, or returns the one already running.
     *
     * @param closeListeners unbinds every client listener (the admin listener stays, for probes and metrics)
     */
    public synchronized CompletableFuture<Void> start(String trigger, DrainSpec spec, ScheduledExecutorService timer,
                                               Runnable closeListeners) {
        if (phase != Phase.SERVING) {
            return done;
        }
        phase = Phase.DELAY;
        LOG.log(System.Logger.Level.INFO, "drain started by " + trigger + ": /ready answers 503; listeners close in "
                + Durations.format(spec.delay()) + ", then requests in flight have " + Durations.format(spec.timeout())
                + " to finish (" + clients.size() + " client connections open)");
        timer.schedule(() -> closeListeners(spec, timer, closeListeners), spec.delay().toNanos(), TimeUnit.NANOSECONDS);
        return done;
    }

    /**
     * The connections are told before the listeners close: once a client can see the listener
     * gone, its connection has the news queued already, so no response after that point keeps
     * the connection alive. A connection accepted meanwhile learns it from {@link #closing()}.
     */
    private void closeListeners(DrainSpec spec, ScheduledExecutorService timer, Runnable closeListeners) {
        phase = Phase.CLOSING;
        int open = clients.size();
        tellEveryConnection(DownstreamConnection.CLOSE_WHEN_IDLE);
        try {
            closeListeners.run();
        } finally {
            LOG.log(System.Logger.Level.INFO, "drain: listeners closed; " + open + " client connections finishing");
            long deadline = System.nanoTime() + spec.timeout().toNanos();
            awaitClients(deadline, timer);
        }
    }

    private void awaitClients(long deadline, ScheduledExecutorService timer) {
        if (clients.isEmpty()) {
            finish(0);
            return;
        }
        if (System.nanoTime() - deadline >= 0) {
            List<Channel> left = List.copyOf(clients);
            forcedCloses.increment(left.size());
            AtomicInteger closing = new AtomicInteger(left.size());
            for (Channel client : left) {
                DownstreamConnection.closeForDrain(client, closed -> {
                    if (closing.decrementAndGet() == 0) {
                        finish(left.size());
                    }
                });
            }
            if (left.isEmpty()) {
                finish(0);
            }
            return;
        }
        timer.schedule(() -> awaitClients(deadline, timer), POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * The proxy stops without waiting: every client connection still open is closed now, its
     * requests logged as ended by the proxy. Waits for the closes (2 s at most in all); their
     * requests' lines are written as the loops go on, before the access log closes
     * ({@code Switchboard#close} lets the loops run their queued work first).
     */
    public void closeAllForStop() {
        List<Channel> left = List.copyOf(clients);
        List<ChannelFuture> closes = new ArrayList<>(left.size());
        for (Channel client : left) {
            closes.add(DownstreamConnection.closeForStop(client));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (ChannelFuture close : closes) {
            close.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private void finish(int forced) {
        phase = Phase.DONE;
        LOG.log(System.Logger.Level.INFO, forced == 0 ? "drain done: every client connection finished"
                : "drain timeout: closed " + forced + " client connections still open");
        done.complete(null);
    }
}
