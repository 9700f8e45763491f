package org.switchboard.proxy.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.switchboard.config.DrainSpec;
import org.switchboard.config.Durations;
import org.switchboard.config.HostPort;
import org.switchboard.config.ListenerSpec;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.proxy.admin.AdminAccess;
import org.switchboard.proxy.admin.AdminApi;
import org.switchboard.proxy.admin.AdminChannelInitializer;
import org.switchboard.proxy.admin.ConfigJson;
import org.switchboard.proxy.admin.EndpointsJson;
import org.switchboard.proxy.admin.StatusPage;
import org.switchboard.proxy.discovery.DnsDiscovery;
import org.switchboard.proxy.health.HealthChecking;
import org.switchboard.proxy.health.HttpHealthProbe;
import org.switchboard.proxy.health.SynapseVersionWatch;
import org.switchboard.proxy.http.DownstreamConnection;
import org.switchboard.proxy.http.ProxySnapshot;
import org.switchboard.proxy.http.RateLimiter;
import org.switchboard.proxy.http2.Http2Connection;
import org.switchboard.proxy.listener.ClientChannelInitializer;
import org.switchboard.proxy.listener.Drain;
import org.switchboard.proxy.logging.Json;
import org.switchboard.proxy.router.PassiveHealth;
import org.switchboard.proxy.router.WhoamiUserLookup;
import org.switchboard.proxy.stats.AccessLog;
import org.switchboard.proxy.stats.CoarseClock;
import org.switchboard.proxy.stats.ProxyMetrics;
import org.switchboard.proxy.tls.CertificateWatcher;
import org.switchboard.proxy.tls.ListenerTls;
import org.switchboard.proxy.tls.TicketKeys;
import org.switchboard.proxy.tls.TlsContexts;
import org.switchboard.proxy.tls.TlsStartException;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;
import org.switchboard.routing.FollowedSynapse;
import org.switchboard.routing.RouteWarnings;
import org.switchboard.routing.RoutingSnapshot;
import org.switchboard.routing.SynapsePreset;
import org.switchboard.routing.TokenUsers;

/**
 * A running proxy: its event loops, listeners, admin listener and upstream connection pools.
 * {@link #start} binds everything or fails; {@link #close} releases everything.
 */
public final class Switchboard implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Switchboard.class.getName());
    /** The backstop for lost watch events on certificate files. */
    private static final Duration CERTIFICATE_POLL_INTERVAL = Duration.ofSeconds(10);
    private static final Duration TICKET_KEY_ROTATION = Duration.ofHours(1);

    private final EventLoopGroup eventLoops;
    private final DnsAddressResolverGroup resolvers;
    private final AtomicReference<ProxySnapshot> snapshot;
    private final Map<EventLoop, UpstreamConnectionPool> pools;
    private final Transport transport;
    private final WhoamiUserLookup userLookup;
    private final HealthChecking healthChecking;
    /** Which Synapse release the built-in table follows (synapse.version, or asked with auto). */
    private final SynapseVersionWatch synapseVersion;
    /** One for the proxy's life, so its rate-limited log lines stay rate-limited across reloads. */
    private final PassiveHealth passiveHealth;
    private final DnsDiscovery discovery;
    /** Applies discovered membership changes one at a time, off the event loops. */
    private final ExecutorService membershipChanges = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "switchboard-discovery");
        thread.setDaemon(true);
        return thread;
    });
    /** The config in force as written; the snapshot's spec has the discovered endpoints filled in. */
    private SwitchboardSpec writtenSpec;
    private final CoarseClock metricsClock = new CoarseClock();
    private final ProxyMetrics metrics = new ProxyMetrics(metricsClock);
    private final AccessLog accessLog;
    private final Drain drain = new Drain(metrics.registry(), metrics::http2Connections);
    private final Map<String, Channel> listeners = new LinkedHashMap<>();
    private Channel admin;
    /** Who may use the admin actions: replaced, whole, by each reload. */
    private volatile AdminAccess adminAccess;
    private volatile boolean ready;
    private volatile boolean discoverySettled;
    /** The snapshot in force follows what main said of its release (or it failed to say, or it is pinned). */
    private volatile boolean synapseVersionSettled;
    private volatile boolean closed;
    /** Whether the release was settled when the first snapshot was compiled (pinned, or nothing to ask). */
    private final boolean synapseVersionSettledAtStart;
    /** Set when the proxy runs from a config file; without one there is nothing to reload. */
    private volatile Reloader reloader;
    private final TicketKeys ticketKeys = new TicketKeys();
    private final TlsContexts tlsContexts = TlsContexts.best(ticketKeys);
    /** The certificates of each TLS listener, by listener name, in config order. */
    private final Map<String, ListenerTls> tls = new LinkedHashMap<>();
    /** Where redirectToHttps sends clients: the first TLS listener's bound port, once bound. */
    private volatile int httpsPort;
    private CertificateWatcher certificateWatcher;

    private Switchboard(SwitchboardSpec spec, Transport transport) throws IOException {
        this.transport = transport;
        // First: it reads the token file and may refuse, before anything is opened.
        this.adminAccess = AdminAccess.of(spec.admin());
        // First, before anything is started: certificates that cannot be served stop the start.
        loadCertificates(spec);
        this.snapshot = new AtomicReference<>();
        this.accessLog = new AccessLog(spec.accessLog());
        this.resolvers = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(transport.datagramChannelType())
                .socketChannelType(transport.socketChannelType()));
        Bootstrap upstreamTemplate = new Bootstrap()
                .channel(transport.socketChannelType())
                .resolver(resolvers);
        transport.configure(upstreamTemplate);
        this.userLookup = spec.userLookup().enabled()
                ? new WhoamiUserLookup(spec.userLookup(), () -> snapshot.get().mainEndpoint())
                : null;
        HttpHealthProbe probe = new HttpHealthProbe(upstreamTemplate);
        this.synapseVersion = new SynapseVersionWatch(probe, metrics.registry(),
                () -> snapshot.get() == null ? 0 : snapshot.get().routing().heldBackCount(),
                this::followedChanged);
        this.healthChecking = new HealthChecking(probe, metrics, synapseVersion);
        // A request held on a worker that stopped answering its checks (frozen, not dead) goes elsewhere.
        healthChecking.whenUnhealthy(address -> drain.tellEveryConnection(new DownstreamConnection.EndpointUnhealthy(address)));
        this.passiveHealth = PassiveHealth.of(healthChecking);
        this.eventLoops = transport.newEventLoopGroup(spec.runtime().effectiveEventLoopThreads(), "switchboard");
        long tick = CoarseClock.TICK.toNanos();
        eventLoops.next().scheduleAtFixedRate(metricsClock::tick, tick, tick, TimeUnit.NANOSECONDS);
        this.discovery = new DnsDiscovery(eventLoops.next(), transport.datagramChannelType(), spec.discovery(), metrics,
                () -> membershipChanges.execute(this::applyDiscovered));
        this.writtenSpec = spec;
        SwitchboardSpec effective = withDiscovered(spec);
        synapseVersion.configure(effective);
        this.synapseVersionSettledAtStart = synapseVersion.settled();
        this.snapshot.set(ProxySnapshot.compile(1, effective, userLookup != null ? userLookup : TokenUsers.NONE,
                passiveHealth, metrics, null, synapseVersion.followed(effective)));
        metrics.endpoints(snapshot.get().routing());
        FunctionCounter.builder("switchboard_access_log_dropped_lines", accessLog, AccessLog::dropped)
                .description("Access-log lines dropped because the writer fell behind (a slow disk or pipe)")
                .register(metrics.registry());
        Gauge.builder("switchboard_config_generation", snapshot, s -> s.get().generation())
                .description("The config generation in force").register(metrics.registry());
        Gauge.builder("switchboard_rate_limit_addresses", snapshot, s -> {
            RateLimiter limiter = s.get().rateLimiter();
            return limiter == null ? 0 : limiter.addresses();
        }).description("Client addresses with rate-limit buckets (at most limits.rateLimitAddresses)")
                .register(metrics.registry());
        Gauge.builder("switchboard_version", () -> 1)
                // Not "..._info": the Prometheus registry keeps that suffix for its own info type and drops it.
                .description("Always 1; the tags say which Switchboard runs and which Synapse release its table follows")
                .tags("version", Version.SWITCHBOARD, "synapse", SynapsePreset.builtIn().synapseVersion())
                .register(metrics.registry());
        int connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, spec.timeouts().connect().toMillis());
        Map<EventLoop, UpstreamConnectionPool> poolsByLoop = new IdentityHashMap<>();
        for (EventExecutor executor : eventLoops) {
            EventLoop loop = (EventLoop) executor;
            poolsByLoop.put(loop, new UpstreamConnectionPool(loop, upstreamTemplate, spec.upstreamPool(), connectTimeoutMillis,
                    metrics.upstreamConnections()));
        }
        this.pools = poolsByLoop;
        // Last: a lookup's answer may be applied at once, to a proxy that must be whole by then.
        discovery.update(spec.upstreams().values());
    }

    private void loadCertificates(SwitchboardSpec spec) {
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < spec.listeners().size(); i++) {
            ListenerSpec listener = spec.listeners().get(i);
            if (listener.isTls()) {
                try {
                    tls.put(listener.name(), ListenerTls.load(i, listener, tlsContexts, metrics.registry()));
                } catch (TlsStartException e) {
                    errors.addAll(e.errors());
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("certificates that cannot be served:\n  " + String.join("\n  ", errors));
        }
    }

    /** Binds every listener and the admin listener; on failure releases what it took and throws. */
    public static Switchboard start(SwitchboardSpec spec, Transport transport) throws InterruptedException, IOException {
        Switchboard switchboard = new Switchboard(spec, transport);
        try {
            switchboard.bind(spec, transport);
        } catch (RuntimeException | InterruptedException | IOException e) {
            switchboard.close();
            throw e;
        }
        return switchboard;
    }

    private void bind(SwitchboardSpec spec, Transport transport) throws InterruptedException, IOException {
        // Health first: its map is complete before any client or probe result can look at it.
        healthChecking.start(snapshot.get().routing(), snapshot.get().spec(), eventLoops);
        // With auto, main is asked at once; /ready waits for its answer (or failure).
        synapseVersion.askMainNow(snapshot.get().routing().upstreams(), eventLoops);
        if (synapseVersionSettledAtStart) {
            // Pinned (or nothing to ask): said now. With auto, once main answered (applyFollowed).
            announceSynapseVersion(snapshot.get(), true);
        }
        // Every socket is tried before giving up, so that one start names every address in use.
        List<String> unbound = new ArrayList<>();
        for (ListenerSpec listener : spec.listeners()) {
            ServerBootstrap bootstrap = serverBootstrap(transport)
                    .childHandler(new ClientChannelInitializer(snapshot::get, pools, listener, metrics, accessLog, drain,
                            tls.get(listener.name()), redirectPort(listener)))
                    .childOption(ChannelOption.AUTO_READ, false)
                    // A client's FIN reaches ProxyHandler at once, in the read that saw it, so the
                    // upstream is released then, not after the transport's deferred close.
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            Channel channel;
            try {
                channel = bind(bootstrap, "listener " + listener.name(), listener.address());
            } catch (IOException e) {
                unbound.add(e.getMessage());
                continue;
            }
            listeners.put(listener.name(), channel);
            if (listener.isTls() && httpsPort == 0) {
                httpsPort = ((InetSocketAddress) channel.localAddress()).getPort();
            }
        }
        if (!tls.isEmpty()) {
            try {
                certificateWatcher = CertificateWatcher.start(List.copyOf(tls.values()), certificateFiles(spec), ticketKeys,
                        CERTIFICATE_POLL_INTERVAL, TICKET_KEY_ROTATION);
            } catch (IOException e) {
                throw new IllegalStateException("cannot watch the certificate files: " + e.getMessage(), e);
            }
        }
        try {
            admin = bind(serverBootstrap(transport).childHandler(new AdminChannelInitializer(adminApi())), "admin listener",
                    spec.admin().address());
        } catch (IOException e) {
            unbound.add(e.getMessage());
        }
        if (!unbound.isEmpty()) {
            throw new IOException(String.join("\n  ", unbound));
        }
        ready = true;
        LOG.log(System.Logger.Level.INFO, "Switchboard " + Version.SWITCHBOARD + " started (built-in table: Synapse "
                + Version.synapse() + "): " + describe(spec));
        logWarnings(spec, snapshot.get().routing());
    }

    /**
     * What a valid config does as written that its author likely did not mean: an admin listener
     * whose actions answer no one, a route that never matches, Synapse's admin API open to every
     * address. Said by {@code --check}, and in the log at start and at each reload.
     */
    public static List<String> warnings(SwitchboardSpec spec, RoutingSnapshot routing) {
        List<String> warnings = new ArrayList<>();
        String lockedOut = spec.admin().actionsLockedOut();
        if (lockedOut != null) {
            warnings.add(lockedOut);
        }
        warnings.addAll(RouteWarnings.of(routing));
        return warnings;
    }

    static void logWarnings(SwitchboardSpec spec, RoutingSnapshot routing) {
        warnings(spec, routing).forEach(warning -> LOG.log(System.Logger.Level.WARNING, warning));
    }

    /** Binds one socket; a failure names the listener, the address and the cause, not only the cause. */
    private static Channel bind(ServerBootstrap bootstrap, String what, HostPort address) throws InterruptedException, IOException {
        ChannelFuture bound = bootstrap.bind(bindAddress(address));
        try {
            return bound.sync().channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) { // sync() rethrows the bind's own failure, checked or not
            // Closed by Netty, asynchronously: waited for, so that its deregistration is queued on
            // the loop before close() lets the loops run out (else: "EventLoop rejected it" warnings).
            bound.channel().close().awaitUninterruptibly(1, TimeUnit.SECONDS);
            throw new IOException(what + ": cannot listen on " + address + " (" + cause(e) + ")", e);
        }
    }

    /** "Address already in use" rather than Netty's "bind(..) failed with error(-98): Address already in use". */
    private static String cause(Exception e) {
        if (e instanceof UnresolvedAddressException) {
            return "the host name does not resolve; an IP address is surest";
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        int colon = message.lastIndexOf("): ");
        return message.startsWith("bind(") && colon > 0 ? message.substring(colon + 3) : message;
    }

    /** The port a listener's redirects name: its own setting, or the first TLS listener's once bound. */
    private IntSupplier redirectPort(ListenerSpec listener) {
        int configured = listener.redirectPort();
        return configured != 0 ? () -> configured : this::httpsPort;
    }

    /** The first TLS listener's port, as bound; its configured port until then. */
    private int httpsPort() {
        int bound = httpsPort;
        if (bound != 0) {
            return bound;
        }
        return snapshot.get().spec().listeners().stream().filter(ListenerSpec::isTls).findFirst()
                .map(listener -> listener.address().port()).orElse(443);
    }

    private static List<Path> certificateFiles(SwitchboardSpec spec) {
        List<Path> files = new ArrayList<>();
        for (ListenerSpec listener : spec.listeners()) {
            if (listener.isTls()) {
                listener.tls().certificates().forEach(pair -> {
                    files.add(pair.cert());
                    files.add(pair.key());
                });
            }
        }
        return files;
    }

    private ServerBootstrap serverBootstrap(Transport transport) {
        ServerBootstrap listener = new ServerBootstrap()
                .group(eventLoops)
                .channel(transport.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true);
        transport.configure(listener);
        return listener;
    }

    private static InetSocketAddress bindAddress(HostPort address) {
        // Listener addresses are local interfaces; resolving one at startup (not on an event
        // loop) is fine.
        return new InetSocketAddress(address.host(), address.port());
    }

    /** The sockets, upstreams and every effective limit and timeout, for the start and reload lines. */
    private String describe(SwitchboardSpec spec) {
        StringBuilder line = new StringBuilder();
        listeners.forEach((name, channel) -> line.append("listener ").append(name).append('=').append(format(channel)).append(' '));
        line.append("admin=").append(format(admin));
        spec.upstreams().values().forEach(upstream -> line.append(" upstream ").append(upstream.name()).append('=')
                .append(upstream.dns() != null ? upstream.dns().type() + " " + upstream.dns().name()
                        : upstream.endpoints().stream().map(e -> e.id()).toList()));
        line.append(" eventLoops=").append(pools.size()).append(" transport=").append(transport.describe());
        if (!tls.isEmpty()) {
            line.append(" tls=").append(tlsContexts.describe());
            tls.forEach((name, listener) -> line.append(" certificates ").append(name).append('=')
                    .append(listener.current().certificates().stream().map(c -> c.name() + " until " + c.notAfter()).toList()));
        }
        List<String> http2 = spec.listeners().stream().filter(ListenerSpec::http2).map(ListenerSpec::name).toList();
        if (!http2.isEmpty()) {
            line.append(" http2=").append(http2).append(" (")
                    .append(Http2Connection.describeLimits(spec.limits().requestHeaders())).append(')');
        }
        line.append("; ").append(EffectiveSettings.of(spec));
        return line.toString();
    }

    private static String format(Channel channel) {
        InetSocketAddress address = (InetSocketAddress) channel.localAddress();
        return HostPort.of(address.getAddress().getHostAddress(), address.getPort()).toString();
    }

    /** Enables POST /reload and /config's reload fields. */
    public void setReloader(Reloader reloader) {
        this.reloader = reloader;
    }

    private Map<String, String> listenerAddresses() {
        Map<String, String> addresses = new LinkedHashMap<>();
        listeners.forEach((name, channel) -> addresses.put(name, format(channel)));
        return addresses;
    }

    ProxyMetrics metrics() {
        return metrics;
    }

    private AdminApi adminApi() {
        return new AdminApi() {
            @Override
            public boolean ready() {
                // Not before every DNS-discovered upstream has had its first answer (or failure);
                // once ready, a reload that adds one does not take the pod out of its Service.
                if (ready && !discoverySettled) {
                    discoverySettled = discovery.settled();
                }
                // Nor before the routes follow what main said about its Synapse release (or its failure to).
                return ready && discoverySettled && synapseVersionSettled && !drain.started();
            }

            @Override
            public boolean draining() {
                return drain.started();
            }

            @Override
            public String endpointsJson() {
                return EndpointsJson.of(snapshot.get(), healthChecking.views());
            }

            @Override
            public String statusJson() {
                Reloader current = reloader;
                return StatusPage.json(snapshot.get(), healthChecking.views(), listenerAddresses(),
                        "\"version\":" + Json.quote(Version.SWITCHBOARD) + ","
                                + (current == null ? "\"reloads\":null,\"lastReload\":null" : current.statusJsonFields()) + ","
                                + discovery.statusJsonField() + "," + tlsStatusJsonField() + ","
                                + synapseStatusJsonField(snapshot.get()), metrics.recentErrors());
            }

            @Override
            public String statusHtml() {
                Reloader current = reloader;
                return StatusPage.html(snapshot.get(), healthChecking.views(), listenerAddresses(),
                        current == null ? null : current.last(), metrics.recentErrors(), tlsStatusRows());
            }

            @Override
            public String metricsText() {
                return metrics.scrape();
            }

            @Override
            public String configJson() {
                Reloader current = reloader;
                ProxySnapshot inForce = snapshot.get();
                return "{\"generation\":" + inForce.generation()
                        + (current == null ? ",\"reloads\":null,\"lastReload\":null" : "," + current.statusJsonFields())
                        + ",\"config\":" + ConfigJson.of(inForce.spec()) + "}";
            }

            @Override
            public AdminAccess access() {
                return adminAccess;
            }

            @Override
            public CompletableFuture<Answer> reload() {
                Reloader current = reloader;
                return current != null ? current.reload("POST /reload")
                        : CompletableFuture.completedFuture(new Answer(404,
                                "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"No config file to reload: started without --config\"}"));
            }

            @Override
            public Answer drain() {
                DrainSpec spec = snapshot.get().spec().drain();
                Switchboard.this.drain("POST /drain");
                return new Answer(202, "{\"status\":\"draining\",\"delay\":\""
                        + Durations.format(spec.delay()) + "\",\"timeout\":\""
                        + Durations.format(spec.timeout()) + "\"}");
            }
        };
    }

    /** Completes when a drain, whatever started it, is done: nothing is left to serve. */
    public CompletableFuture<Void> drained() {
        return drain.done();
    }

    /**
     * Drains for a rollout (see {@link Drain}): {@code /ready} says no at once, the listeners close
     * after {@code drain.delay}, requests in flight get {@code drain.timeout} to finish. Started
     * once; the future completes when no client connection is left. {@link #close} still follows.
     */
    public CompletableFuture<Void> drain(String trigger) {
        return drain.start(trigger, snapshot.get().spec().drain(), eventLoops.next(), this::closeListeners);
    }

    /** Runs on an event loop: closes without waiting (a connection accepted meanwhile is told by its requests). */
    private void closeListeners() {
        for (Channel listener : listeners.values()) {
            listener.close();
        }
    }

    /** {@code "synapse":{...}} for GET /status: the Synapse release the table follows, how it is known, what it holds back. */
    private static String synapseStatusJsonField(ProxySnapshot inForce) {
        FollowedSynapse followed = inForce.routing().followed();
        return "\"synapse\":{\"follows\":" + (followed.known() ? Json.quote(followed.version().toString()) : "null")
                + ",\"source\":" + Json.quote(followed.source()) + ",\"heldBack\":" + inForce.routing().heldBackCount() + "}";
    }

    /** {@code "tls":{"provider":...,"listeners":[...]}} for GET /status; null without TLS listeners. */
    private String tlsStatusJsonField() {
        if (tls.isEmpty()) {
            return "\"tls\":null";
        }
        Instant now = Instant.now();
        StringBuilder json = new StringBuilder("\"tls\":{\"provider\":").append(Json.quote(tlsContexts.describe()))
                .append(",\"listeners\":[");
        boolean first = true;
        for (ListenerTls listener : tls.values()) {
            json.append(first ? "" : ",").append(listener.statusJson(now));
            first = false;
        }
        return json.append("]}").toString();
    }

    private List<String[]> tlsStatusRows() {
        Instant now = Instant.now();
        List<String[]> rows = new ArrayList<>();
        tls.values().forEach(listener -> rows.addAll(listener.statusRows(now)));
        return rows;
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

    /**
     * Puts a new config in force (Envoy's compile, carry over, then swap): requests already
     * running finish on the snapshot they started with; endpoints that stayed keep their health,
     * ejections and in-flight counts; idle pooled connections to endpoints that left are closed.
     * Sections read only at startup cannot change this way.
     *
     * @throws IllegalArgumentException naming what needs a restart instead
     */
    public synchronized ProxySnapshot apply(SwitchboardSpec spec) {
        ProxySnapshot current = snapshot.get();
        String restartNeeded = RestartOnly.changes(current.spec(), spec);
        if (restartNeeded != null) {
            throw new IllegalArgumentException(restartNeeded + " changed: that takes a restart, not a reload");
        }
        AdminAccess nextAccess = AdminAccess.of(spec.admin()); // reads the token file: refused whole if it cannot
        discovery.update(spec.upstreams().values());
        writtenSpec = spec;
        adminAccess = nextAccess;
        ProxySnapshot next = install(current.generation() + 1, withDiscovered(spec));
        if (certificateWatcher != null) {
            // A config reload reads the certificate files again too (refusals are logged there).
            certificateWatcher.reloadNow();
        }
        LOG.log(System.Logger.Level.INFO, "config generation " + next.generation() + " in force: " + describe(spec));
        return next;
    }

    /** Puts the endpoints discovery found in force: the same config generation, new membership. */
    private synchronized void applyDiscovered() {
        SwitchboardSpec effective = withDiscovered(writtenSpec);
        if (!effective.equals(snapshot.get().spec())) {
            install(snapshot.get().generation(), effective);
        }
    }

    private SwitchboardSpec withDiscovered(SwitchboardSpec spec) {
        return spec.withUpstreams(discovery.withDiscovered(spec.upstreams()));
    }

    /**
     * Puts in force the Synapse release the processes reported, when it changed: the same config
     * generation, routes held back or released.
     */
    private void followedChanged() {
        try {
            membershipChanges.execute(this::applyFollowed);
        } catch (RejectedExecutionException closing) {
            // The proxy is closing: nothing to put in force any more.
        }
    }

    private synchronized void applyFollowed() {
        if (closed) {
            return;
        }
        ProxySnapshot current = snapshot.get();
        try {
            // Also when only how it is known changed (main answered or failed for the first time):
            // the snapshot says so on /status, and /ready waits for it.
            install(current.generation(), current.spec());
        } catch (RejectedExecutionException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    /**
     * The log line and metric of the release followed; and /ready's condition once the snapshot in
     * force was compiled after main answered ({@code settled} is read before the release was).
     */
    private void announceSynapseVersion(ProxySnapshot inForce, boolean settled) {
        synapseVersion.announce(inForce.routing().followed(), inForce.routing().heldBackCount(), SynapsePreset.builtIn());
        if (settled) {
            synapseVersionSettled = true;
        }
    }

    /** Compiles, carrying over endpoint state, restarts health checking and swaps the snapshot. */
    private ProxySnapshot install(long generation, SwitchboardSpec effective) {
        synapseVersion.configure(effective);
        boolean settled = synapseVersion.settled();
        ProxySnapshot next = ProxySnapshot.compile(generation, effective,
                userLookup != null ? userLookup : TokenUsers.NONE, passiveHealth, metrics, snapshot.get(),
                synapseVersion.followed(effective));
        healthChecking.start(next.routing(), effective, eventLoops);
        snapshot.set(next);
        announceSynapseVersion(next, settled);
        metrics.endpoints(next.routing());
        Set<HostPort> addresses = new HashSet<>();
        effective.upstreams().values().forEach(u -> u.endpoints().forEach(e -> addresses.add(e.address())));
        for (UpstreamConnectionPool pool : pools.values()) {
            pool.eventLoop().execute(() -> pool.closeIdleExcept(addresses));
        }
        return next;
    }

    /**
     * Two rounds of every loop after the DNS channels were closed: io_uring hands a closed UDP
     * channel its cancelled read in a later round, and only then does Netty release that read's
     * buffer; a loop that ended first would leak it.
     */
    private void letTheLoopsTakeTheirCompletions() {
        for (int round = 0; round < 2; round++) {
            for (EventExecutor loop : eventLoops) {
                loop.submit(() -> { }).awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() {
        ready = false;
        closed = true;
        Reloader current = reloader;
        if (current != null) {
            current.close();
        }
        if (certificateWatcher != null) {
            certificateWatcher.close();
        }
        List<Channel> bound = new ArrayList<>(listeners.values());
        if (admin != null) {
            bound.add(admin);
        }
        for (Channel channel : bound) {
            channel.close().awaitUninterruptibly();
        }
        drain.closeAllForStop();
        // Lookups stop first, so none can hand a change to the applier after it has stopped.
        discovery.close();
        membershipChanges.shutdownNow();
        healthChecking.close();
        for (UpstreamConnectionPool pool : pools.values()) {
            pool.eventLoop().execute(pool::close);
        }
        resolvers.close();
        letTheLoopsTakeTheirCompletions();
        eventLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        accessLog.close();
        if (userLookup != null) {
            userLookup.close();
        }
        metrics.close();
    }
}
