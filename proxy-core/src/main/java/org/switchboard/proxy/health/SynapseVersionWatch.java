package org.switchboard.proxy.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import org.switchboard.config.EndpointSpec;
import org.switchboard.config.PresetSpec;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.UpstreamSpec;
import org.switchboard.health.SynapseVersions;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;
import org.switchboard.routing.Endpoint;
import org.switchboard.routing.FollowedSynapse;
import org.switchboard.routing.SynapsePreset;
import org.switchboard.routing.Upstream;

/**
 * {@code synapse: {version: auto}}: asks the Synapse processes which release they run
 * ({@code GET /_matrix/federation/v1/version}) on each passed health check of their endpoints,
 * and main's at once at start, never on a request's path; {@link SynapseVersions} keeps the
 * answers. When the release to follow changes, {@code onChange} is told (on an event loop; it
 * hands the recompile to a thread of its own). Also the metric and the log line saying which
 * release the built-in table follows.
 */
public final class SynapseVersionWatch implements HealthChecking.CheckOutcomes {
    private static final System.Logger LOG = System.getLogger(SynapseVersionWatch.class.getName());
    static final String PATH = "/_matrix/federation/v1/version";

    private final HttpHealthProbe probe;
    private final Runnable onChange;
    private final MeterRegistry registry;
    private final SynapseVersions versions = new SynapseVersions();
    /** What to ask, replaced whole by {@link #configure}; read on the event loops. */
    private volatile Plan plan = Plan.NONE;
    /** Whether onChange has been told that main answered (or failed) once since the last configure. */
    private volatile boolean toldSettled;
    private Gauge followedGauge;
    private String announced;

    /**
     * @param upstreams     the upstreams to ask (those serving a role of the built-in table), each
     *                      with its health check's timeout; empty unless auto and the table is in use
     * @param main          the upstream serving main
     * @param table         whether the config uses the built-in table (else there is nothing to follow)
     * @param mainEndpoints how many endpoints main has (none yet while DNS has not answered)
     */
    private record Plan(Map<String, Duration> upstreams, String main, boolean table, int mainEndpoints) {
        static final Plan NONE = new Plan(Map.of(), "main", false, 0);

        boolean auto() {
            return !upstreams.isEmpty();
        }
    }

    /**
     * @param heldBack how many routes the snapshot in force holds back (for its gauge)
     */
    public SynapseVersionWatch(HttpHealthProbe probe, MeterRegistry registry, IntSupplier heldBack, Runnable onChange) {
        this.probe = probe;
        this.registry = registry;
        this.onChange = onChange;
        Gauge.builder("switchboard_synapse_routes_held_back", heldBack::getAsInt)
                .description("Routes of the built-in table sent to main because the Synapse release followed lacks them on workers")
                .register(registry);
    }

    /**
     * Takes a config in force: what to ask (nothing when pinned), and forgets endpoints that left
     * (a pinned release keeps what the others said, for a return to auto).
     */
    public synchronized void configure(SwitchboardSpec spec) {
        Map<String, Duration> roleUpstreams = new LinkedHashMap<>();
        String main = spec.roles().getOrDefault("main", "main");
        boolean table = spec.routes().stream().anyMatch(PresetSpec.class::isInstance);
        if (table) {
            for (String role : PresetSpec.SYNAPSE_ROLES) {
                UpstreamSpec upstream = spec.upstreams().get(spec.roles().getOrDefault(role, role));
                if (upstream != null) {
                    roleUpstreams.put(upstream.name(), upstream.healthCheck().timeout());
                }
            }
        }
        Set<String> endpoints = new HashSet<>();
        List<String> required = new ArrayList<>();
        for (String name : roleUpstreams.keySet()) {
            for (EndpointSpec endpoint : spec.upstreams().get(name).endpoints()) {
                endpoints.add(key(name, endpoint.id()));
                if (name.equals(main)) {
                    required.add(key(name, endpoint.id()));
                }
            }
        }
        versions.retain(endpoints, required);
        plan = new Plan(spec.synapse().auto() ? Map.copyOf(roleUpstreams) : Map.of(), main, table, required.size());
        toldSettled = versions.settled();
    }

    /** The release to follow for {@code spec}: the pinned one, else what the processes said. */
    public FollowedSynapse followed(SwitchboardSpec spec) {
        return spec.synapse().auto() ? versions.followed() : FollowedSynapse.of(spec);
    }

    /** Whether the release is settled: pinned, not needed, or main answered (or failed) once. */
    public boolean settled() {
        return !plan.auto() || versions.settled();
    }

    /** At start: asks main's endpoints now rather than at their first health check. */
    public void askMainNow(Map<String, Upstream> upstreams, EventLoopGroup loops) {
        Plan current = plan;
        Upstream main = upstreams.get(current.main());
        if (current.auto() && main != null) {
            for (Endpoint endpoint : main.endpoints()) {
                ask(main, endpoint, loops.next());
            }
        }
    }

    @Override
    public void passed(Upstream upstream, Endpoint endpoint, EventLoop loop) {
        if (plan.upstreams().containsKey(upstream.name()) && versions.shouldAsk(key(upstream.name(), endpoint.id()))) {
            ask(upstream, endpoint, loop);
        }
    }

    /** A failed check may be a restart, perhaps onto another release: the next passed one asks. */
    @Override
    public void failed(Upstream upstream, Endpoint endpoint) {
        versions.checkFailed(key(upstream.name(), endpoint.id()));
    }

    private void ask(Upstream upstream, Endpoint endpoint, EventLoop loop) {
        Duration timeout = plan.upstreams().getOrDefault(upstream.name(), Duration.ofSeconds(1));
        probe.get(loop, endpoint.address(), UpstreamConnectionPool.socketAddressOf(endpoint.address()), PATH, timeout,
                answer -> {
                    boolean changed = versions.answered(key(upstream.name(), endpoint.id()), upstream.name(),
                            endpoint.address().toString(), answer.status(), answer.body(), answer.failure());
                    boolean settledNow = !toldSettled && versions.settled();
                    if (settledNow) {
                        toldSettled = true;
                    }
                    if (changed || settledNow) {
                        onChange.run();
                    }
                });
    }

    private static String key(String upstream, String endpointId) {
        return upstream + "/" + endpointId;
    }

    /**
     * After a snapshot is put in force: one log line and the gauge when the release followed (or
     * the number of routes it holds back) changed. Nothing before the release is settled, so a
     * start says it once, with what main answered.
     */
    public synchronized void announce(FollowedSynapse followed, int heldBack, SynapsePreset preset) {
        Plan current = plan;
        // Nothing to say without the table, or before main (once DNS named it) answered or failed.
        if (!current.table() || current.auto() && (current.mainEndpoints() == 0 || !versions.settled())) {
            return;
        }
        String version = followed.known() ? followed.version().toString() : "unknown";
        String line = version + "/" + heldBack;
        if (line.equals(announced)) {
            return;
        }
        announced = line;
        LOG.log(followed.known() ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                "built-in table follows Synapse " + followed.describe(preset) + ": " + (heldBack == 0 ? "no route"
                        : heldBack + " routes") + " held back on main until the release whose workers serve them");
        if (followedGauge != null) {
            registry.remove(followedGauge);
        }
        String source = !followed.known() ? "unknown" : followed.source().equals("synapse.version") ? "config" : "reported";
        followedGauge = Gauge.builder("switchboard_synapse_version", () -> 1)
                .description("Always 1; the tags say which Synapse release the built-in table follows and how it is known")
                .tags("version", version, "source", source).register(registry);
    }

    /**
     * For {@code --print-routes} (the command line, not an event loop): with auto and the built-in
     * table in use, asks main's endpoints once, blocking at most {@code timeout} in all (a name
     * that does not resolve here must not hang the command), and returns the oldest release they
     * report, or why none; otherwise what the config says.
     */
    public static FollowedSynapse askOnce(SwitchboardSpec spec, Duration timeout) {
        if (!spec.synapse().auto() || spec.routes().stream().noneMatch(PresetSpec.class::isInstance)) {
            return FollowedSynapse.of(spec);
        }
        CompletableFuture<FollowedSynapse> asked = new CompletableFuture<>();
        Thread thread = new Thread(() -> asked.complete(askMain(spec, timeout)), "switchboard-print-routes");
        thread.setDaemon(true);
        thread.start();
        try {
            return asked.get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return FollowedSynapse.unknown("main did not answer within " + timeout.toSeconds() + "s");
        } catch (ExecutionException e) {
            return FollowedSynapse.unknown("main could not be asked: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FollowedSynapse.unknown("interrupted");
        }
    }

    private static FollowedSynapse askMain(SwitchboardSpec spec, Duration timeout) {
        UpstreamSpec main = spec.upstreams().get(spec.roles().getOrDefault("main", "main"));
        if (main == null || main.endpoints().isEmpty()) {
            return FollowedSynapse.unknown("no main endpoint to ask");
        }
        SynapseVersions answers = new SynapseVersions();
        List<String> keys = main.endpoints().stream().map(e -> key(main.name(), e.id())).toList();
        answers.retain(Set.copyOf(keys), keys);
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        for (EndpointSpec endpoint : main.endpoints()) {
            int status = 0;
            String body = "";
            String failure = null;
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create("http://" + endpoint.address() + PATH)).timeout(timeout)
                        .header("User-Agent", "switchboard-print-routes").GET().build(), HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                body = response.body();
            } catch (IOException e) {
                failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "interrupted";
            }
            answers.answered(key(main.name(), endpoint.id()), main.name(), endpoint.address().toString(), status, body,
                    failure);
        }
        return answers.followed();
    }
}
