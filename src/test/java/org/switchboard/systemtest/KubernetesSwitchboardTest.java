package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.config.Durations;
import org.switchboard.proxy.Main;
import org.switchboard.systemtest.support.TlsMaterial;
import org.switchboard.systemtest.support.k8s.KubeObject;
import org.switchboard.systemtest.support.k8s.RenderedStackExtension;
import org.switchboard.systemtest.support.k8s.RenderedTier;
import org.switchboard.systemtest.support.k8s.Stack;
import org.switchboard.systemtest.support.k8s.SynapseProcess;
import org.switchboard.systemtest.support.k8s.Tiers;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Switchboard's Deployment and config as rendered per tier (K8S.md §3, §10.3, §10.4): the config passes
 * {@code --check}, is hot-reloadable where it is mounted, the probes and Services use its ports, and every upstream
 * resolves to the Synapse processes (or web apps) it is meant for.
 */
@ExtendWith(RenderedStackExtension.class)
class KubernetesSwitchboardTest {
    private static final Pattern SRV = Pattern.compile("_([a-z0-9-]+)\\._tcp\\.([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local\\.");
    private static final Pattern SERVICE_HOST = Pattern.compile("([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local\\.?:(\\d+)");

    @TempDir
    Path dir;

    /**
     * {@code --check} loads every certificate pair, which in the cluster comes from a Secret: the test's own pair
     * (src/test/resources/tls/matrix.*, a matching RSA key and certificate) stands in for it, in a directory per
     * directory the config names.
     */
    @Test
    void configIsAStableConfigMapMountedAsADirectoryAndPassesCheck(Tiers tiers) throws Exception {
        for (RenderedTier tier : tiers.tiers()) {
            String configMapText = configText(tier);
            String text = withTestCertificates(tier, configMapText, Files.createDirectories(dir.resolve(tier.name() + "-tls")));
            Path file = Files.writeString(dir.resolve(tier.name() + "-switchboard.yaml"), text);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Main.run(new String[] {"--check", "--config", file.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, status, tier + ": switchboard --check refuses the ConfigMap's config:\n" + err.toString(StandardCharsets.UTF_8));
            assertFalse(text.contains("trustedProxies"), tier + ": no trusted proxies: clients reach Switchboard directly through MetalLB");
        }
    }

    /** The config with each certificate directory it names replaced by a directory holding the test pair. */
    private static String withTestCertificates(RenderedTier tier, String text, Path certificates) throws IOException {
        Set<String> directories = new TreeSet<>();
        for (Map<?, ?> certificate : certificates(config(tier))) {
            for (String file : List.of("cert", "key")) {
                directories.add(Path.of(certificate.get(file).toString()).getParent().toString());
            }
        }
        assertFalse(directories.isEmpty(), tier + ": no TLS listener names a certificate");
        String out = text;
        int n = 0;
        for (String directory : directories) {
            Path copy = certificates.resolve(String.valueOf(n++));
            TlsMaterial.copyPair(TlsMaterial.MATRIX, copy);
            out = out.replace(directory + "/", copy + "/");
        }
        return out;
    }

    /** Every {@code {cert, key}} of every TLS listener. */
    static List<Map<?, ?>> certificates(Map<String, Object> config) {
        List<Map<?, ?>> out = new ArrayList<>();
        for (Object listener : (List<?>) config.get("listeners")) {
            Object tls = ((Map<?, ?>) listener).get("tls");
            if (tls != null) {
                ((List<?>) ((Map<?, ?>) tls).get("certificates")).forEach(c -> out.add((Map<?, ?>) c));
            }
        }
        return out;
    }

    @Test
    void probesAndServicesUseTheConfigsPorts(Tiers tiers) {
        for (RenderedTier tier : tiers.tiers()) {
            Map<String, Object> config = config(tier);
            int admin = port(((Map<?, ?>) config.get("admin")).get("address").toString());
            int client = port(((Map<?, ?>) ((List<?>) config.get("listeners")).get(0)).get("address").toString());
            KubeObject deployment = tier.get("Deployment", "matrix", "switchboard");
            JsonNode container = deployment.containers().get(0);
            Map<String, Integer> ports = new HashMap<>();
            container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
            assertEquals(admin, ports.get("admin"), tier + ": the container's admin port is the config's admin port");
            assertEquals(client, ports.get("client"), tier + ": the container's client port is the config's listener");
            assertProbe(tier, container, "readinessProbe", "/ready");
            assertProbe(tier, container, "livenessProbe", "/live");
            assertProbe(tier, container, "startupProbe", "/live");
            assertDrainFitsTheGracePeriod(tier, config, deployment, container);
            assertTrue(deployment.replicas() >= 2, tier + ": Switchboard runs at least 2 replicas");
            assertFalse(deployment.podSpec().path("topologySpreadConstraints").isEmpty(), tier + ": replicas spread across nodes");
            String options = container.path("env").findValues("value").toString();
            for (String flag : List.of("-XX:MaxRAMPercentage=75", "-XX:+UseSerialGC", "-Xmn16m", "-XX:TrimNativeHeapInterval=1000",
                    "-XX:+ExitOnOutOfMemoryError", "-Dio.netty.native.workdir=/tmp")) {
                assertTrue(options.contains(flag), tier + ": JAVA_TOOL_OPTIONS lacks " + flag);
            }

            KubeObject lb = tier.get("Service", "matrix", "switchboard");
            assertEquals("LoadBalancer", lb.spec().path("type").asText());
            assertEquals("Local", lb.spec().path("externalTrafficPolicy").asText(), tier + ": Local keeps client addresses");
            lb.spec().path("ports").forEach(p -> assertNotEquals("admin", p.path("targetPort").asText(), tier + ": the admin port is never on the LoadBalancer"));
            KubeObject adminService = tier.get("Service", "matrix", "switchboard-admin");
            assertEquals("ClusterIP", adminService.spec().path("type").asText("ClusterIP"));
            assertEquals("admin", adminService.spec().path("ports").path(0).path("targetPort").asText());
        }
    }

    /**
     * SIGTERM starts Switchboard's drain: the delay must cover the endpoint's removal from the
     * Service, the timeout a 30 s /sync poll, and the grace period all of it (plus any preStop).
     */
    private static void assertDrainFitsTheGracePeriod(RenderedTier tier, Map<String, Object> config, KubeObject deployment,
                                                      JsonNode container) {
        Map<?, ?> drain = (Map<?, ?>) config.get("drain");
        assertNotNull(drain, tier + ": the config sets its drain");
        Duration delay = Durations.parse(drain.get("delay").toString(), true);
        Duration timeout = Durations.parse(drain.get("timeout").toString());
        assertTrue(delay.toSeconds() >= 5, tier + ": the drain keeps serving while the endpoint leaves the Service");
        assertTrue(timeout.toSeconds() > 30, tier + ": the drain lets a 30 s /sync poll finish");
        long preStop = container.path("lifecycle").path("preStop").path("sleep").path("seconds").asLong(0);
        assertTrue(deployment.podSpec().path("terminationGracePeriodSeconds").asLong() > preStop + delay.toSeconds() + timeout.toSeconds(),
                tier + ": the grace period outlasts the drain");
    }

    @Test
    void everyUpstreamResolvesToRenderedServicesAndTheRightSynapseListeners(Stack stack) {
        for (RenderedTier tier : stack.tiers()) {
            Map<String, SynapseProcess> synapse = SynapseProcess.of(tier);
            Map<String, String> upstreamToStatefulSet = new TreeMap<>();
            Map<?, ?> upstreams = (Map<?, ?>) config(tier).get("upstreams");
            for (Map.Entry<?, ?> upstream : upstreams.entrySet()) {
                String name = upstream.getKey().toString();
                Map<?, ?> spec = (Map<?, ?>) upstream.getValue();
                if (spec.containsKey("dns")) {
                    upstreamToStatefulSet.put(name, srvTarget(tier, synapse, name, (Map<?, ?>) spec.get("dns")));
                } else {
                    for (Object endpoint : (List<?>) spec.get("endpoints")) {
                        endpointTarget(tier, name, endpoint instanceof Map<?, ?> m ? m.get("address").toString() : endpoint.toString());
                    }
                }
            }
            assertEquals("synapse-main", upstreamToStatefulSet.get("main"), tier + ": the main upstream is the main process");
            assertEquals(1, synapse.get("synapse-main").statefulSet().replicas(), tier + ": one main process");
            Set<String> distinct = new HashSet<>();
            for (String role : List.of("main", "synchrotron", "generic", "media")) {
                assertTrue(upstreamToStatefulSet.containsKey(role), tier + ": no " + role + " upstream");
                assertTrue(distinct.add(upstreamToStatefulSet.get(role)), tier + ": " + role + " shares its pods with another role");
            }
            assertWritersRoutedUnderTheirRole(tier, synapse, upstreamToStatefulSet);
        }
    }

    /** A stream writer's endpoints must reach it under its role; sent to main, the write fails. */
    private static void assertWritersRoutedUnderTheirRole(RenderedTier tier, Map<String, SynapseProcess> synapse, Map<String, String> upstreams) {
        JsonNode writers = synapse.get("synapse-main").config().path("stream_writers");
        writers.fields().forEachRemaining(stream -> {
            if (stream.getKey().equals("events")) {
                return;
            }
            String owner = statefulSetOf(synapse, stream.getValue().path(0).asText());
            assertEquals(owner, upstreams.get(stream.getKey()), tier + ": the " + stream.getKey() + " writer is not Switchboard's " + stream.getKey() + " upstream");
        });
    }

    private static String statefulSetOf(Map<String, SynapseProcess> synapse, String pod) {
        return synapse.values().stream().filter(p -> p.pods().contains(pod)).map(SynapseProcess::name).findFirst()
                .orElseGet(() -> fail("no StatefulSet makes pod " + pod));
    }

    /** SRV of a headless Service's named TCP port; returns the Synapse StatefulSet behind it. */
    private static String srvTarget(RenderedTier tier, Map<String, SynapseProcess> synapse, String upstream, Map<?, ?> dns) {
        String name = dns.get("name").toString();
        assertEquals("SRV", String.valueOf(dns.containsKey("type") ? dns.get("type") : "SRV"), tier + ": upstream " + upstream);
        Matcher m = SRV.matcher(name);
        assertTrue(m.matches(), tier + ": upstream " + upstream + " " + name + " is not a fully qualified SRV name of a Service port");
        KubeObject service = tier.get("Service", m.group(3), m.group(2));
        assertEquals("None", service.spec().path("clusterIP").asText(), tier + ": " + service.id() + " must be headless: SRV targets then name pods");
        assertFalse(service.spec().path("publishNotReadyAddresses").asBoolean(false), tier + ": " + service.id() + " publishes not-ready pods");
        JsonNode port = null;
        for (JsonNode p : service.spec().path("ports")) {
            if (p.path("name").asText().equals(m.group(1)) && p.path("protocol").asText("TCP").equals("TCP")) {
                port = p;
            }
        }
        assertTrue(port != null, tier + ": " + service.id() + " has no TCP port named " + m.group(1));
        List<KubeObject> workloads = tier.workloadsSelectedBy(service.namespace(), service.spec().path("selector"));
        assertEquals(1, workloads.size(), tier + ": " + service.id() + " should front exactly one StatefulSet");
        SynapseProcess process = synapse.get(workloads.get(0).name());
        assertTrue(process != null, tier + ": upstream " + upstream + " reaches " + workloads.get(0).id() + ", which is not a Synapse process");
        String target = port.path("targetPort").asText(port.path("name").asText());
        int containerPort = -1;
        for (JsonNode p : process.statefulSet().containers().get(0).path("ports")) {
            if (p.path("name").asText().equals(target)) {
                containerPort = p.path("containerPort").asInt();
            }
        }
        JsonNode listener = process.listener(containerPort);
        assertTrue(listener.path("x_forwarded").asBoolean(false), tier + ": " + process.name() + " listener " + containerPort + " lacks x_forwarded: true");
        // A listener's option (Synapse 1.68+), not a top-level one: Synapse ignores it there.
        assertEquals("X-Request-ID", listener.path("request_id_header").asText(), tier + ": " + process.name() + " listener "
                + containerPort + " does not log Switchboard's X-Request-ID");
        assertTrue(process.serves(containerPort, "client"), tier + ": " + process.name() + " listener " + containerPort + " does not serve client");
        if (upstream.equals("media")) {
            assertTrue(process.serves(containerPort, "media"), tier + ": the media upstream's listener does not serve media");
        }
        return process.name();
    }

    private static void endpointTarget(RenderedTier tier, String upstream, String endpoint) {
        Matcher m = SERVICE_HOST.matcher(endpoint);
        assertTrue(m.matches(), tier + ": upstream " + upstream + " endpoint " + endpoint + " is not a Service's DNS name (no IP literals)");
        KubeObject service = tier.get("Service", m.group(2), m.group(1));
        int port = Integer.parseInt(m.group(3));
        List<Integer> ports = new ArrayList<>();
        service.spec().path("ports").forEach(p -> ports.add(p.path("port").asInt()));
        assertTrue(ports.contains(port), tier + ": " + service.id() + " has no port " + port + " for upstream " + upstream);
    }

    private static void assertProbe(RenderedTier tier, JsonNode container, String probe, String path) {
        assertEquals(path, container.path(probe).path("httpGet").path("path").asText(), tier + ": " + probe);
        assertEquals("admin", container.path(probe).path("httpGet").path("port").asText(), tier + ": " + probe + " is on the admin port");
    }

    /** The config the Deployment's {@code --config} names, read from the ConfigMap mounted at its directory. */
    static String configText(RenderedTier tier) {
        KubeObject deployment = tier.get("Deployment", "matrix", "switchboard");
        JsonNode container = deployment.containers().get(0);
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        int flag = args.indexOf("--config");
        assertTrue(flag >= 0 && flag + 1 < args.size(), tier + ": Switchboard is not started with --config");
        Path path = Path.of(args.get(flag + 1));
        JsonNode mount = null;
        for (JsonNode m : container.path("volumeMounts")) {
            Path mountPath = Path.of(m.path("mountPath").asText());
            assertFalse(mountPath.equals(path) && m.has("subPath"),
                    tier + ": the config is mounted with subPath, which the kubelet never updates: no hot reload");
            if (mountPath.equals(path.getParent())) {
                mount = m;
            }
        }
        assertTrue(mount != null, tier + ": nothing is mounted at " + path.getParent());
        assertTrue(mount.path("subPath").isMissingNode() && mount.path("subPathExpr").isMissingNode(),
                tier + ": the config is mounted with subPath, which the kubelet never updates: no hot reload");
        String volumeName = mount.path("name").asText();
        JsonNode volume = null;
        for (JsonNode v : deployment.podSpec().path("volumes")) {
            if (v.path("name").asText().equals(volumeName)) {
                volume = v;
            }
        }
        assertTrue(volume != null && volume.has("configMap"), tier + ": the config volume is not a ConfigMap");
        String configMap = volume.path("configMap").path("name").asText();
        assertEquals("switchboard-config", configMap, tier + ": the ConfigMap's name must be stable (no hash suffix), so an edit reloads instead of rolling");
        String text = tier.configMapData("matrix", configMap).get(path.getFileName().toString());
        assertTrue(text != null, tier + ": ConfigMap " + configMap + " has no key " + path.getFileName());
        return text;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> config(RenderedTier tier) {
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(configText(tier));
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
}
