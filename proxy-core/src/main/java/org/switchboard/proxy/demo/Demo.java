package org.switchboard.proxy.demo;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.switchboard.config.AccessLogSpec;
import org.switchboard.config.AdminSpec;
import org.switchboard.config.ClientAddressSpec;
import org.switchboard.config.ClientHalfClose;
import org.switchboard.config.DiscoverySpec;
import org.switchboard.config.DrainSpec;
import org.switchboard.config.EndpointSpec;
import org.switchboard.config.HostPort;
import org.switchboard.config.LimitsSpec;
import org.switchboard.config.ListenerSpec;
import org.switchboard.config.LoggingSpec;
import org.switchboard.config.PresetSpec;
import org.switchboard.config.RuntimeSpec;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.SynapseSpec;
import org.switchboard.config.TimeoutsSpec;
import org.switchboard.config.UpstreamPoolSpec;
import org.switchboard.config.UpstreamSpec;
import org.switchboard.config.UserLookupSpec;
import org.switchboard.routing.SynapsePreset;

/** The {@code --demo} setup: fake workers, a config routing to them, and what to paste. */
public final class Demo {
    public static final HostPort LISTENER = HostPort.of("127.0.0.1", 8080);
    /** Nothing routes to a demo through a Service: Ctrl-C need not wait for endpoint removal. */
    private static final DrainSpec DEMO_DRAIN = new DrainSpec(Duration.ZERO, Duration.ofSeconds(5), Duration.ZERO);

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
        return new SwitchboardSpec(
                List.of(ListenerSpec.of("client", LISTENER)),
                AdminSpec.of(AdminSpec.DEFAULT_ADDRESS),
                upstreams, List.of(PresetSpec.synapse("demo")), Map.of(), TimeoutsSpec.DEFAULTS, UpstreamPoolSpec.DEFAULTS,
                UserLookupSpec.DEFAULTS, ClientAddressSpec.DEFAULTS,
                LimitsSpec.DEFAULTS, AccessLogSpec.DEFAULTS, RuntimeSpec.DEFAULTS,
                DiscoverySpec.DEFAULTS, LoggingSpec.DEFAULTS,
                ClientHalfClose.ABANDON, DEMO_DRAIN)
                // The fake workers are no Synapse to ask: the table as of its own release.
                .withSynapse(SynapseSpec.pinned(
                        SynapsePreset.builtIn().newest()));
    }

    public static String instructions() {
        String base = "http://" + LISTENER;
        return String.join("\n",
                "Switchboard demo: fake Synapse workers are running on loopback behind " + base,
                "Each answer names the worker that served it. Try:",
                "  curl -s -H 'Authorization: Bearer syt_YWxpY2U_x_y' '" + base + "/_matrix/client/v3/sync?since=s1'  # alice's synchrotron, every time",
                "  curl -s -H 'Authorization: Bearer syt_Ym9i_x_y' '" + base + "/_matrix/client/v3/sync?since=s1'      # bob's synchrotron",
                "  curl -s " + base + "/_matrix/client/v3/profile/@alice:example.org   # a generic worker (least busy)",
                "  curl -s -X PUT -d '{}' " + base + "/_matrix/client/v3/rooms/%21r%3Aexample.org/typing/@alice:example.org  # typing writer: none, so main",
                "  curl -s " + base + "/_matrix/media/v3/config                        # the media worker",
                "  curl -s " + base + "/_synapse/admin/v1/server_version               # main",
                "  curl -s http://" + AdminSpec.DEFAULT_ADDRESS + "/ready                        # the admin listener",
                "Stop with Ctrl-C.");
    }
}
