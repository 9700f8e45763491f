package org.switchboard.proxy.discovery;

import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.switchboard.config.DiscoverySpec;
import org.switchboard.config.DnsSpec;
import org.switchboard.config.EndpointSpec;
import org.switchboard.config.HostPort;
import org.switchboard.config.UpstreamSpec;
import org.switchboard.proxy.logging.Json;
import org.switchboard.proxy.stats.ProxyMetrics;

/**
 * Keeps the endpoints of every upstream written with {@code dns:} up to date: each is looked up
 * at once and then every {@code refresh}, on one event loop with Netty's asynchronous resolver
 * (no cache of its own, so each refresh asks the nameserver). A failed or empty lookup keeps the
 * last known endpoints. When an upstream's membership changes, {@code onChange} is called (on the
 * event loop: it should hand the work off) and the change is logged and counted.
 */
public final class DnsDiscovery implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DnsDiscovery.class.getName());

    private final EventLoop loop;
    private final DnsNameResolver resolver;
    private final ProxyMetrics metrics;
    private final Runnable onChange;
    private final Map<String, Lookup> lookups = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public DnsDiscovery(EventLoop loop, Class<? extends DatagramChannel> datagramChannelType, DiscoverySpec spec,
                        ProxyMetrics metrics, Runnable onChange) {
        this.loop = loop;
        this.metrics = metrics;
        this.onChange = onChange;
        DnsNameResolverBuilder builder = new DnsNameResolverBuilder(loop)
                .datagramChannelType(datagramChannelType)
                .queryTimeoutMillis(spec.queryTimeout().toMillis())
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                .resolveCache(NoopDnsCache.INSTANCE)
                .cnameCache(NoopDnsCnameCache.INSTANCE)
                .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE);
        if (spec.nameservers().isEmpty()) {
            builder.nameServerProvider(DnsServerAddressStreamProviders.platformDefault());
        } else {
            List<InetSocketAddress> servers = new ArrayList<>();
            for (HostPort server : spec.nameservers()) {
                servers.add(new InetSocketAddress(server.host(), server.port())); // IP literals: no lookup
            }
            builder.nameServerProvider(new SequentialDnsServerAddressStreamProvider(servers));
        }
        this.resolver = builder.build();
    }

    /**
     * Looks up the {@code dns:} upstreams of a new config: new ones start, removed ones stop, and
     * one whose {@code dns:} changed is looked up again at once. Each keeps its last known
     * endpoints meanwhile, so a reload never empties an upstream.
     */
    public synchronized void update(Collection<UpstreamSpec> upstreams) {
        Set<String> wanted = new HashSet<>();
        for (UpstreamSpec upstream : upstreams) {
            if (upstream.dns() == null) {
                continue;
            }
            wanted.add(upstream.name());
            Lookup running = lookups.get(upstream.name());
            if (running != null && running.spec.equals(upstream.dns())) {
                continue;
            }
            Lookup next = new Lookup(upstream.name(), upstream.dns(), running == null ? List.of() : running.known,
                    running != null && running.settled);
            if (running != null) {
                running.stop();
            }
            lookups.put(upstream.name(), next);
            loop.execute(next::run);
        }
        lookups.entrySet().removeIf(entry -> {
            boolean gone = !wanted.contains(entry.getKey());
            if (gone) {
                entry.getValue().stop();
            }
            return gone;
        });
    }

    /** The upstreams as written, with each {@code dns:} upstream's endpoints as last found. */
    public Map<String, UpstreamSpec> withDiscovered(Map<String, UpstreamSpec> upstreams) {
        Map<String, UpstreamSpec> effective = new LinkedHashMap<>();
        upstreams.forEach((name, upstream) -> {
            Lookup lookup = upstream.dns() == null ? null : lookups.get(name);
            effective.put(name, lookup == null ? upstream : upstream.withEndpoints(lookup.known));
        });
        return effective;
    }

    /**
     * {@code "discovery":[...]}, a JSON field for {@code /status}: per {@code dns:} upstream its
     * name and type, the endpoints in use and how the last lookup went.
     */
    public String statusJsonField() {
        StringBuilder json = new StringBuilder("\"discovery\":[");
        boolean first = true;
        for (Lookup lookup : lookups.values()) {
            String error = lookup.lastError;
            json.append(first ? "" : ",").append("{\"upstream\":").append(Json.quote(lookup.upstream))
                    .append(",\"name\":").append(Json.quote(lookup.spec.name()))
                    .append(",\"type\":").append(Json.quote(lookup.spec.type().name()))
                    .append(",\"endpoints\":").append(lookup.known.size())
                    .append(",\"lastLookup\":").append(Json.quote(lookup.lastResult))
                    .append(",\"lastError\":").append(error == null ? "null" : Json.quote(error)).append('}');
            first = false;
        }
        return json.append(']').toString();
    }

    /** True once every {@code dns:} upstream has had its first answer or failure. */
    public boolean settled() {
        for (Lookup lookup : lookups.values()) {
            if (!lookup.settled) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        lookups.values().forEach(Lookup::stop);
        lookups.clear();
        if (loop.inEventLoop()) {
            resolver.close();
        } else if (!loop.isShuttingDown()) {
            loop.execute(resolver::close);
        }
    }

    /** The repeating lookup of one upstream; its fields are written on the event loop. */
    private final class Lookup {
        final String upstream;
        final DnsSpec spec;
        volatile List<EndpointSpec> known;
        volatile boolean settled;
        /** pending (no answer yet), unchanged, changed or failed; for /status. */
        volatile String lastResult = "pending";
        volatile String lastError;
        private volatile boolean stopped;
        private ScheduledFuture<?> next;

        Lookup(String upstream, DnsSpec spec, List<EndpointSpec> known, boolean settled) {
            this.upstream = upstream;
            this.spec = spec;
            this.known = known;
            this.settled = settled;
        }

        void run() {
            if (stopped || closed) {
                return;
            }
            DnsLookup.endpoints(loop, resolver, spec).addListener((Future<List<EndpointSpec>> answer) -> {
                if (stopped || closed) {
                    return;
                }
                if (answer.isSuccess()) {
                    found(answer.getNow());
                    lastError = null;
                } else {
                    lastResult = "failed";
                    lastError = String.valueOf(answer.cause().getMessage());
                    metrics.discoveryLookup(upstream, "failed");
                    LOG.log(System.Logger.Level.WARNING, "upstream " + upstream + ": DNS lookup of " + spec.type() + " "
                            + spec.name() + " failed (" + answer.cause().getMessage() + "); keeping the "
                            + known.size() + " endpoints last found");
                }
                settled = true;
                next = loop.schedule(this::run, spec.refresh().toMillis(), TimeUnit.MILLISECONDS);
            });
        }

        private void found(List<EndpointSpec> endpoints) {
            if (endpoints.equals(known)) {
                lastResult = "unchanged";
                metrics.discoveryLookup(upstream, "unchanged");
                return;
            }
            lastResult = "changed";
            String change = MembershipChange.describe(known, endpoints);
            known = endpoints;
            metrics.discoveryLookup(upstream, "changed");
            LOG.log(System.Logger.Level.INFO, "upstream " + upstream + ": " + spec.type() + " " + spec.name() + " now has "
                    + endpoints.size() + " endpoints: " + change);
            onChange.run();
        }

        void stop() {
            stopped = true;
            loop.execute(() -> {
                if (next != null) {
                    next.cancel(false);
                }
            });
        }
    }
}
