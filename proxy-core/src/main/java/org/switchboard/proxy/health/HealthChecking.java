package org.switchboard.proxy.health;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.switchboard.config.HealthCheckSpec;
import org.switchboard.config.HostPort;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.UpstreamSpec;
import org.switchboard.health.HealthState;
import org.switchboard.health.HealthView;
import org.switchboard.health.Jitter;
import org.switchboard.health.Transition;
import org.switchboard.health.UpstreamHealth;
import org.switchboard.proxy.stats.ProxyMetrics;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;
import org.switchboard.routing.Endpoint;
import org.switchboard.routing.RoutingSnapshot;
import org.switchboard.routing.Upstream;

/**
 * Active health checks and outlier ejection for every upstream, wired to the routing snapshot's
 * availability flags. Each upstream's {@link UpstreamHealth} has one owner event loop, where its
 * probes run and where every result about it is applied, so it needs no locks; exchanges on other
 * loops hand their results over. Availability changes on a transition, never per request.
 */
public final class HealthChecking implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HealthChecking.class.getName());

    private final HttpHealthProbe probe;
    private final Jitter jitter = new Jitter(ThreadLocalRandom.current().nextLong());
    /** Replaced whole on a reload; read by every loop. */
    private volatile Map<String, Owned> byUpstream = Map.of();
    private volatile boolean closed;

    private final ProxyMetrics metrics;
    /** Told of each address an endpoint's checks gave up on (it became unhealthy), on its owner loop. */
    private volatile Consumer<HostPort> unhealthy = address -> { };
    /** Told of every check's outcome, on the upstream's loop: a health pass others ride along (the Synapse release). */
    private final CheckOutcomes outcomes;

    /** Told, on the upstream's owner loop, that a check of {@code endpoint} passed (or failed). */
    @FunctionalInterface
    public interface CheckOutcomes {
        void passed(Upstream upstream, Endpoint endpoint, EventLoop loop);

        default void failed(Upstream upstream, Endpoint endpoint) {
        }
    }

    public HealthChecking(HttpHealthProbe probe, ProxyMetrics metrics) {
        this(probe, metrics, (upstream, endpoint, loop) -> { });
    }

    public HealthChecking(HttpHealthProbe probe, ProxyMetrics metrics, CheckOutcomes outcomes) {
        this.probe = probe;
        this.metrics = metrics;
        this.outcomes = outcomes;
    }

    /**
     * Checks the endpoints of {@code routing}. On a reload, an upstream keeps its owner loop and
     * its endpoints keep their health (never reset by a reload); new endpoints start unknown,
     * removed ones stop being probed.
     */
    public synchronized void start(RoutingSnapshot routing, SwitchboardSpec spec, EventLoopGroup loops) {
        Map<String, Owned> previous = byUpstream;
        Map<String, Owned> next = new LinkedHashMap<>();
        Iterator<EventExecutor> owners = loops.iterator();
        for (Upstream upstream : routing.upstreams().values()) {
            if (!owners.hasNext()) {
                owners = loops.iterator();
            }
            EventLoop nextLoop = (EventLoop) owners.next();
            Owned before = previous.get(upstream.name());
            EventLoop loop = before != null ? before.loop : nextLoop;
            UpstreamSpec upstreamSpec = spec.upstreams().get(upstream.name());
            UpstreamHealth health = UpstreamHealth.of(upstreamSpec, System::nanoTime, this::onTransition);
            Owned owned = new Owned(upstream, upstreamSpec.healthCheck(), health, loop);
            next.put(upstream.name(), owned);
            loop.execute(() -> {
                if (before != null) {
                    before.stop();
                    health.carryOver(before.health);
                }
                owned.syncAll();
                owned.publishViews();
                owned.armRefresh();
                for (Endpoint endpoint : upstream.endpoints()) {
                    Duration first = jitter.firstDelay(endpoint.id(), upstreamSpec.healthCheck().interval());
                    owned.schedule(() -> owned.check(endpoint, 0), first.toNanos());
                }
            });
        }
        byUpstream = Map.copyOf(next);
        previous.forEach((name, owned) -> {
            if (!next.containsKey(name)) {
                owned.loop.execute(owned::stop);
            }
        });
    }

    /** A request's outcome at an endpoint (passive health); any thread, never blocks. */
    public void requestSucceeded(Endpoint endpoint) {
        Owned owned = byUpstream.get(endpoint.upstream());
        if (owned != null && owned.recentFailures) {
            owned.run(() -> owned.apply(endpoint, owned.health.onRequestSuccess(endpoint.id())));
        }
    }

    public void requestFailed(Endpoint endpoint, String reason) {
        Owned owned = byUpstream.get(endpoint.upstream());
        if (owned != null) {
            owned.recentFailures = true;
            owned.run(() -> owned.apply(endpoint, owned.health.onRequestFailure(endpoint.id(), reason)));
        }
    }

    /** The latest view of every endpoint, for the admin listener. */
    public List<HealthView> views() {
        List<HealthView> views = new ArrayList<>();
        byUpstream.values().forEach(owned -> views.addAll(owned.views));
        return views;
    }

    @Override
    public void close() {
        closed = true;
        byUpstream.values().forEach(owned -> owned.loop.execute(owned::stop));
    }

    /** Whom to tell when an endpoint becomes unhealthy (requests waiting there may go elsewhere). */
    public void whenUnhealthy(Consumer<HostPort> listener) {
        this.unhealthy = listener;
    }

    private void onTransition(Transition transition) {
        metrics.healthTransition(transition.upstream(), transition.to().name().toLowerCase(Locale.ROOT));
        log(transition);
        // From taking requests to unhealthy (not an ejection ending on failing checks: the
        // endpoint took none meanwhile). Told in a task of its own on the owner loop, which runs
        // after this check's result made the endpoint unavailable: a request moved then cannot
        // be given the same endpoint again.
        if (transition.to() == HealthState.UNHEALTHY && transition.from() != HealthState.EJECTED) {
            Owned owned = byUpstream.get(transition.upstream());
            Endpoint endpoint = owned == null ? null : owned.endpointsById.get(transition.endpoint());
            if (endpoint != null) {
                owned.later(() -> unhealthy.accept(endpoint.address()));
            }
        }
    }

    private static void log(Transition transition) {
        boolean bad = transition.to().name().equals("UNHEALTHY") || transition.to().name().equals("EJECTED");
        LOG.log(bad ? System.Logger.Level.WARNING : System.Logger.Level.INFO, "endpoint " + transition);
    }

    /** One upstream's health and the loop that owns it. */
    private final class Owned {
        final Upstream upstream;
        final HealthCheckSpec check;
        final UpstreamHealth health;
        final EventLoop loop;
        final List<ScheduledFuture<?>> timers = new ArrayList<>();
        final Map<String, Endpoint> endpointsById = new LinkedHashMap<>();
        /** A failure was reported lately: successes are worth handing over (they reset streaks). */
        volatile boolean recentFailures;
        volatile List<HealthView> views = List.of();
        ScheduledFuture<?> refresh;
        /** Replaced by a reload (or closed): no more probes, results ignored. */
        boolean stopped;

        Owned(Upstream upstream, HealthCheckSpec check, UpstreamHealth health, EventLoop loop) {
            this.upstream = upstream;
            this.check = check;
            this.health = health;
            this.loop = loop;
            upstream.endpoints().forEach(endpoint -> endpointsById.put(endpoint.id(), endpoint));
        }

        void run(Runnable task) {
            if (loop.inEventLoop()) {
                task.run();
            } else if (!closed) {
                loop.execute(task);
            }
        }

        /** After the task running now; not once the proxy is closing (its loops may be gone). */
        void later(Runnable task) {
            try {
                if (!closed) {
                    loop.execute(task);
                }
            } catch (RejectedExecutionException closing) {
                // The loops are shutting down: nobody is left to tell.
            }
        }

        void stop() {
            stopped = true;
            timers.forEach(timer -> timer.cancel(false));
            timers.clear();
        }

        void schedule(Runnable task, long delayNanos) {
            if (!closed && !stopped) {
                timers.removeIf(ScheduledFuture::isDone);
                timers.add(loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS));
            }
        }

        void check(Endpoint endpoint, long round) {
            if (closed || stopped) {
                return;
            }
            SocketAddress address = UpstreamConnectionPool.socketAddressOf(endpoint.address());
            probe.probe(loop, endpoint.address(), address, check.path(), check.timeout(), (healthy, reason) -> {
                if (stopped) {
                    return;
                }
                metrics.healthCheck(upstream.name(), healthy ? "healthy" : "unhealthy");
                boolean changed = healthy ? health.onCheckSuccess(endpoint.id()) : health.onCheckFailure(endpoint.id(), reason);
                apply(endpoint, changed);
                publishViews();
                if (healthy) {
                    outcomes.passed(upstream, endpoint, loop);
                } else {
                    outcomes.failed(upstream, endpoint);
                }
                Duration next = jitter.nextDelay(endpoint.id(), round + 1, check.interval());
                schedule(() -> check(endpoint, round + 1), next.toNanos());
            });
        }

        /** On the owner loop: mirror availability into routing and watch for ejections running out. */
        void apply(Endpoint endpoint, boolean changed) {
            if (!changed || stopped) {
                return;
            }
            syncAll();
            publishViews();
            armRefresh();
        }

        void syncAll() {
            boolean anyFailing = false;
            for (HealthView view : health.views()) {
                Endpoint endpoint = endpointsById.get(view.endpoint());
                if (endpoint != null) {
                    endpoint.load().setAvailable(view.available());
                }
                anyFailing |= view.consecutiveRequestFailures() > 0;
            }
            recentFailures = anyFailing;
        }

        void armRefresh() {
            OptionalLong next = health.nextReturnNanos();
            if (next.isEmpty() || refresh != null && !refresh.isDone()) {
                return;
            }
            long delay = Math.max(0, next.getAsLong() - System.nanoTime());
            refresh = loop.schedule(() -> {
                refresh = null;
                if (health.refresh()) {
                    syncAll();
                    publishViews();
                }
                armRefresh();
            }, delay, TimeUnit.NANOSECONDS);
            timers.add(refresh);
        }

        void publishViews() {
            views = List.copyOf(health.views());
        }
    }
}
