package org.switchboard.proxy.demo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.switchboard.config.AdminSpec;
import org.switchboard.config.EndpointSpec;
import org.switchboard.config.HostPort;
import org.switchboard.config.ListenerSpec;
import org.switchboard.config.PathMatchSpec;
import org.switchboard.config.RouteSpec;
import org.switchboard.config.RuntimeSpec;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.TimeoutsSpec;
import org.switchboard.config.UpstreamPoolSpec;
import org.switchboard.config.UpstreamSpec;

/** The {@code --demo} setup: fake workers, a config routing to them, and what to paste. */
public final class Demo {
    public static final HostPort LISTENER = HostPort.of("127.0.0.1", 8080);

    private Demo() {
    }

    public static DemoWorkers startWorkers() throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("main", 1);
        counts.put("synchrotron", 2);
        counts.put("generic", 2);
        counts.put("media", 1);
        return DemoWorkers.start(counts);
    }

    public static SwitchboardSpec config(DemoWorkers workers) {
        Map<String, UpstreamSpec> upstreams = new LinkedHashMap<>();
        workers.endpointsByUpstream().forEach((name, addresses) -> upstreams.put(name,
                UpstreamSpec.of(name, addresses.stream().map(EndpointSpec::of).toList())));
        List<RouteSpec> routes = new ArrayList<>();
        routes.add(route(PathMatchSpec.regex("^/_matrix/client/(r0|v3)/sync$"), "synchrotron", Set.of()));
        routes.add(route(PathMatchSpec.prefix("/_matrix/media/"), "media", Set.of()));
        routes.add(route(PathMatchSpec.prefix("/_matrix/client/v1/media/"), "media", Set.of()));
        routes.add(route(PathMatchSpec.prefix("/_matrix/client/"), "generic", Set.of("GET", "HEAD")));
        routes.add(route(PathMatchSpec.prefix("/"), "main", Set.of()));
        return new SwitchboardSpec(
                List.of(ListenerSpec.of("client", LISTENER)),
                AdminSpec.of(AdminSpec.DEFAULT_ADDRESS),
                upstreams, routes, TimeoutsSpec.DEFAULTS, UpstreamPoolSpec.DEFAULTS, RuntimeSpec.DEFAULTS);
    }

    private static RouteSpec route(PathMatchSpec path, String upstream, Set<String> methods) {
        return RouteSpec.of(path, upstream).withMethods(methods);
    }

    public static String instructions() {
        String base = "http://" + LISTENER;
        return String.join("\n",
                "Switchboard demo: fake Synapse workers are running on loopback behind " + base,
                "Each answer names the worker that served it. Try:",
                "  curl -s '" + base + "/_matrix/client/v3/sync?timeout=0'              # a synchrotron",
                "  curl -s " + base + "/_matrix/client/v3/profile/@alice:example.org   # a generic worker (round robin)",
                "  curl -s -X PUT -d '{}' " + base + "/_matrix/client/v3/profile/@alice:example.org/displayname  # main",
                "  curl -s " + base + "/_matrix/media/v3/config                        # the media worker",
                "  curl -s " + base + "/_synapse/admin/v1/server_version               # main",
                "  curl -s http://" + AdminSpec.DEFAULT_ADDRESS + "/ready                        # the admin listener",
                "Stop with Ctrl-C.");
    }
}
