package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.switchboard.config.Cidr;
import org.switchboard.config.ConfigLoader;
import org.switchboard.routing.RequestView;
import org.switchboard.routing.Route;
import org.switchboard.routing.RoutingSnapshot;
import org.switchboard.systemtest.support.k8s.BaseManifests;
import org.switchboard.systemtest.support.k8s.KubeObject;
import org.switchboard.systemtest.support.k8s.NetworkPolicies;
import org.switchboard.systemtest.support.k8s.PodShape;
import org.switchboard.systemtest.support.k8s.RenderedStackExtension;
import org.switchboard.systemtest.support.k8s.RenderedTier;
import org.switchboard.systemtest.support.k8s.Stack;
import org.switchboard.systemtest.support.k8s.Tiers;

/**
 * Switchboard at the edge as rendered per tier (or the base, without kubectl): TLS termination with the certificate
 * from Secret {@code switchboard-tls}, the redirect from plain HTTP, and LiveKit's signalling tunnelled as a WebSocket
 * (K8S.md §3, §6, §8; EDGE.md §1, §3).
 */
@ExtendWith(RenderedStackExtension.class)
class KubernetesSwitchboardEdgeTest {
    private static final String SECRET = "switchboard-tls";
    private static final Pattern SERVICE_HOST = Pattern.compile("([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local\\.?:(\\d+)");

    @Test
    void theHttpsListenerIsTheContainersHttpsPortBehind443And8448(Tiers tiers) {
        for (RenderedTier tier : tiers.tiers()) {
            Map<String, Object> config = KubernetesSwitchboardTest.config(tier);
            List<Map<?, ?>> listeners = listeners(config);
            Map<?, ?> client = listeners.get(0);
            assertEquals("client", client.get("name"), tier + ": the client listener comes first");
            assertEquals(null, client.get("tls"), tier + ": the client listener is plain HTTP");
            assertEquals(true, client.get("redirectToHttps"), tier + ": plain HTTP is redirected to https");
            Map<?, ?> https = listeners.stream().filter(l -> l.get("tls") != null).findFirst().orElse(null);
            assertNotNull(https, tier + ": no TLS listener");
            assertEquals("https", https.get("name"), tier + ": the TLS listener");
            assertEquals("TLSv1.2", ((Map<?, ?>) https.get("tls")).get("minVersion"), tier + ": TLS 1.2 and 1.3 (Mozilla intermediate)");

            KubeObject deployment = tier.get("Deployment", "matrix", "switchboard");
            Map<String, Integer> ports = containerPorts(deployment.containers().get(0));
            int httpsPort = port(https);
            assertEquals(httpsPort, ports.get("https"), tier + ": the container's https port is the https listener's");
            assertEquals(port(client), ports.get("client"), tier + ": the container's client port is the client listener's");

            KubeObject lb = tier.get("Service", "matrix", "switchboard");
            Map<Integer, Integer> forwarded = new HashMap<>();
            lb.spec().path("ports").forEach(p -> forwarded.put(p.path("port").asInt(), containerPort(p.path("targetPort"), ports)));
            assertEquals(port(client), forwarded.get(80), tier + ": LoadBalancer port 80 reaches the client listener");
            assertEquals(httpsPort, forwarded.get(443), tier + ": LoadBalancer port 443 reaches the https listener");
            assertEquals(httpsPort, forwarded.get(8448), tier + ": LoadBalancer port 8448 (federation) reaches the https listener");

            // redirectToHttps sends clients to https://<host>[:port], the port being the first TLS listener's own
            // (left out when 443): it must be a LoadBalancer port that reaches that listener.
            int redirectPort = httpsPort;
            assertEquals(httpsPort, forwarded.get(redirectPort),
                    tier + ": the redirect names port " + redirectPort + ", which the LoadBalancer does not forward to the https listener");
            assertMayBind(tier, deployment, httpsPort);
        }
    }

    /** A non-root process binds a port under 1024 only with NET_BIND_SERVICE or the pod's unprivileged-port sysctl. */
    private static void assertMayBind(RenderedTier tier, KubeObject deployment, int port) {
        if (port >= 1024) {
            return;
        }
        int unprivilegedFrom = 1024;
        for (JsonNode sysctl : deployment.podSpec().path("securityContext").path("sysctls")) {
            if (sysctl.path("name").asText().equals("net.ipv4.ip_unprivileged_port_start")) {
                unprivilegedFrom = Integer.parseInt(sysctl.path("value").asText());
            }
        }
        boolean capability = deployment.containers().get(0).path("securityContext").path("capabilities").path("add").toString()
                .contains("NET_BIND_SERVICE");
        assertTrue(port >= unprivilegedFrom || capability, tier + ": uid 10001 cannot bind port " + port);
        assertFalse(capability, tier + ": NET_BIND_SERVICE is for coturn and LiveKit only; use the sysctl");
    }

    @Test
    void certificatesComeFromTheSecretMountedAsADirectory(Tiers tiers) throws Exception {
        Path template = BaseManifests.baseDir().resolveSibling("secrets").resolve(SECRET + ".yaml");
        assertTrue(Files.isRegularFile(template), "no Secret template " + template);
        KubeObject secret = Stack.parse(Files.readString(template)).get(0);
        assertEquals("Secret", secret.kind());
        assertEquals("matrix/" + SECRET, secret.namespace() + "/" + secret.name());
        assertEquals("kubernetes.io/tls", secret.node().path("type").asText(), "what cert-manager writes");
        Set<String> keys = new TreeSet<>();
        secret.node().path("stringData").fieldNames().forEachRemaining(keys::add);
        assertEquals(Set.of("tls.crt", "tls.key"), keys, template + ": the keys of a kubernetes.io/tls Secret");

        for (RenderedTier tier : tiers.tiers()) {
            KubeObject deployment = tier.get("Deployment", "matrix", "switchboard");
            JsonNode container = deployment.containers().get(0);
            List<Map<?, ?>> certificates = KubernetesSwitchboardTest.certificates(KubernetesSwitchboardTest.config(tier));
            assertFalse(certificates.isEmpty(), tier + ": no certificate");
            for (Map<?, ?> certificate : certificates) {
                for (String field : List.of("cert", "key")) {
                    Path file = Path.of(certificate.get(field).toString());
                    JsonNode mount = mountAt(container, file.getParent());
                    assertNotNull(mount, tier + ": nothing is mounted at " + file.getParent() + ", where the config reads " + file);
                    assertTrue(mount.path("subPath").isMissingNode() && mount.path("subPathExpr").isMissingNode(),
                            tier + ": the certificate is mounted with subPath, which the kubelet never updates: no reload on renewal");
                    assertTrue(mount.path("readOnly").asBoolean(false), tier + ": the certificate mount is read-only");
                    JsonNode volume = volume(deployment, mount.path("name").asText());
                    assertEquals(SECRET, volume.path("secret").path("secretName").asText(), tier + ": " + file + " comes from Secret " + SECRET);
                    assertTrue(volume.path("secret").path("items").isMissingNode(), tier + ": the whole Secret, under its own key names");
                    assertTrue(keys.contains(file.getFileName().toString()), tier + ": " + file + " is not a key of " + SECRET);
                }
                assertEquals("tls.crt", Path.of(certificate.get("cert").toString()).getFileName().toString(), tier + ": cert");
                assertEquals("tls.key", Path.of(certificate.get("key").toString()).getFileName().toString(), tier + ": key");
            }
            assertNoMountInsideAnother(tier, container);
        }
    }

    /** A mount point inside another volume (the Secret in the ConfigMap's directory) sits in a directory the kubelet rewrites. */
    private static void assertNoMountInsideAnother(RenderedTier tier, JsonNode container) {
        List<Path> paths = new ArrayList<>();
        container.path("volumeMounts").forEach(m -> paths.add(Path.of(m.path("mountPath").asText())));
        for (Path outer : paths) {
            for (Path inner : paths) {
                assertFalse(!inner.equals(outer) && inner.startsWith(outer), tier + ": " + inner + " is mounted inside the mount at " + outer);
            }
        }
    }

    @Test
    void theNetworkPolicyAdmitsHttpsFromAnywhereAndSwitchboardReachesLiveKit(Tiers tiers) {
        for (RenderedTier tier : tiers.tiers()) {
            NetworkPolicies policies = new NetworkPolicies(tier);
            List<PodShape> pods = PodShape.of(tier);
            PodShape switchboard = pod(pods, "Deployment matrix/switchboard");
            PodShape livekit = pod(pods, "DaemonSet livekit/livekit");
            PodShape outside = NetworkPolicies.outside();
            assertTrue(policies.allowed(outside, switchboard, switchboard.ports().get("https"), "TCP"), tier + ": clients reach https");
            assertTrue(policies.allowed(outside, switchboard, switchboard.ports().get("client"), "TCP"), tier + ": clients reach client");
            assertFalse(policies.allowed(outside, switchboard, switchboard.ports().get("admin"), "TCP"), tier + ": the admin port stays inside");
            assertTrue(policies.allowed(switchboard, livekit, livekit.ports().get("http"), "TCP"), tier + ": Switchboard reaches LiveKit's signalling");
            assertFalse(policies.allowed(switchboard, livekit, livekit.ports().get("rtc-tcp"), "TCP"), tier + ": media never goes through Switchboard");
        }
    }

    /**
     * The config's own route table (as Switchboard compiles it) sends LiveKit's signalling paths to a WebSocket route
     * whose upstream is the rendered {@code livekit} Service's port, and lk-jwt-service's paths to lk-jwt-service.
     */
    @Test
    void liveKitSignallingIsAWebSocketRouteToTheLiveKitService(Tiers tiers) throws Exception {
        for (RenderedTier tier : tiers.tiers()) {
            RoutingSnapshot snapshot = RoutingSnapshot.compile(ConfigLoader.parse(KubernetesSwitchboardTest.configText(tier), tier + " switchboard.yaml"));
            String host = liveKitHost(tier);
            for (String path : List.of("/rtc", "/rtc/v1", "/rtc/validate", "/rtc/v1/validate")) {
                Route route = snapshot.route(new Get(host, path));
                assertNotNull(route, tier + ": nothing routes " + host + path);
                assertTrue(route.webSocket(), tier + ": " + host + path + " is not a WebSocket route");
                assertEquals("livekit", route.upstream().name(), tier + ": " + host + path);
            }
            for (String path : List.of("/sfu/get", "/get_token")) {
                Route route = snapshot.route(new Get(host, path));
                assertEquals("lk-jwt", route.upstream().name(), tier + ": " + host + path);
                assertFalse(route.webSocket(), tier + ": " + host + path + " takes no WebSocket");
            }
            Route elsewhere = snapshot.route(new Get("matrix.example.com", "/rtc"));
            assertFalse(elsewhere != null && elsewhere.webSocket(), tier + ": /rtc of another host is tunnelled to LiveKit");

            Map<?, ?> upstream = (Map<?, ?>) ((Map<?, ?>) KubernetesSwitchboardTest.config(tier).get("upstreams")).get("livekit");
            List<?> endpoints = (List<?>) upstream.get("endpoints");
            assertEquals(1, endpoints.size(), tier + ": LiveKit is reached through its Service");
            Matcher m = SERVICE_HOST.matcher(endpoints.get(0).toString());
            assertTrue(m.matches(), tier + ": " + endpoints.get(0) + " is not a Service's DNS name");
            KubeObject service = tier.get("Service", m.group(2), m.group(1));
            assertEquals("livekit/livekit", service.namespace() + "/" + service.name(), tier + ": the livekit upstream");
            JsonNode servicePort = null;
            for (JsonNode p : service.spec().path("ports")) {
                if (p.path("port").asInt() == Integer.parseInt(m.group(3))) {
                    servicePort = p;
                }
            }
            assertNotNull(servicePort, tier + ": " + service.id() + " has no port " + m.group(3));
            List<KubeObject> workloads = tier.workloadsSelectedBy("livekit", service.spec().path("selector"));
            assertEquals(1, workloads.size(), tier + ": " + service.id() + " fronts the LiveKit DaemonSet");
            KubeObject livekit = workloads.get(0);
            assertEquals("DaemonSet livekit/livekit", livekit.id());
            int target = containerPort(servicePort.path("targetPort"), containerPorts(livekit.containers().get(0)));
            assertEquals(target, liveKitPort(tier, livekit), tier + ": the Service sends Switchboard where LiveKit does not listen");
        }
    }

    /**
     * Synapse Admin and the admin API are for the admin networks only, on every Host a client may
     * send (a host-bound rule would leave the API open through any other name).
     */
    @Test
    void adminSurfacesAnswerTheAdminNetworksOnlyWhateverTheHost(Tiers tiers) throws Exception {
        byte[] outsider = {(byte) 192, 0, 2, 1};
        for (RenderedTier tier : tiers.tiers()) {
            RoutingSnapshot snapshot = RoutingSnapshot.compile(ConfigLoader.parse(KubernetesSwitchboardTest.configText(tier), tier + " switchboard.yaml"));
            for (String host : List.of("matrix.example.com", "example.com", "element.example.com", "admin.example.com", "unknown.invalid")) {
                for (String path : List.of("/_synapse/admin/v1/server_version", "/_synapse/admin/v2/users/@a:example.com",
                        "/_synapse/admin/v1/media/example.com/abc")) {
                    Route route = snapshot.route(new Get(host, path));
                    assertNotNull(route, tier + ": nothing routes " + host + path);
                    if (route.upstream().name().equals("element-web")) {
                        continue; // Element Web's host sends every path to its static files, never to Synapse
                    }
                    Cidr[] allow = route.actions().allow();
                    assertTrue(allow != null && allow.length > 0, tier + ": " + host + path + " is open to everyone");
                    for (Cidr range : allow) {
                        assertFalse(range.contains(outsider), tier + ": " + host + path + " admits a public address");
                    }
                }
            }
            assertEquals("synapse-admin", snapshot.route(new Get("admin.example.com", "/")).upstream().name());
            assertEquals("media", snapshot.route(new Get("matrix.example.com", "/_synapse/admin/v1/media/example.com/abc"))
                    .upstream().name(), tier + ": the media admin API is the media workers'");
        }
    }

    /** The discovery documents Switchboard answers say what Synapse's own config says. */
    @Test
    @SuppressWarnings("unchecked")
    void theWellKnownDocumentsAgreeWithSynapse(Tiers tiers) {
        for (RenderedTier tier : tiers.tiers()) {
            Map<String, Object> homeserver = (Map<String, Object>) new org.yaml.snakeyaml.Yaml(
                    new org.yaml.snakeyaml.constructor.SafeConstructor(new org.yaml.snakeyaml.LoaderOptions()))
                    .load(tier.configMapData("matrix", tier.configMapName("matrix", "synapse-config")).get("homeserver.yaml"));
            Map<?, ?> wellKnown = (Map<?, ?>) KubernetesSwitchboardTest.config(tier).get("wellKnown");
            assertNotNull(wellKnown, tier + ": Switchboard answers the well-known documents");
            Map<?, ?> client = (Map<?, ?>) wellKnown.get("client");
            String baseUrl = ((Map<?, ?>) client.get("m.homeserver")).get("base_url").toString();
            assertEquals(homeserver.get("public_baseurl").toString().replaceFirst("/$", ""), baseUrl.replaceFirst("/$", ""),
                    tier + ": m.homeserver.base_url is Synapse's public_baseurl");
            Map<?, ?> extra = (Map<?, ?>) homeserver.get("extra_well_known_client_content");
            assertEquals(extra.get("org.matrix.msc4143.rtc_foci"), client.get("org.matrix.msc4143.rtc_foci"),
                    tier + ": the LiveKit focus is Synapse's");
            String serverName = homeserver.get("server_name").toString();
            assertTrue(((List<?>) wellKnown.get("hosts")).contains(serverName), tier + ": answered on the server name " + serverName);
            String server = ((Map<?, ?>) wellKnown.get("server")).get("m.server").toString();
            assertEquals(baseUrl.replaceFirst("^https://", "").replaceFirst("/$", "") + ":443", server,
                    tier + ": federation goes to the same host, on the https listener behind 443");
        }
    }

    /** {@code port:} of LiveKit's own config ({@code LIVEKIT_CONFIG}): its HTTP and WebSocket port. */
    private static int liveKitPort(RenderedTier tier, KubeObject livekit) {
        for (JsonNode env : livekit.containers().get(0).path("env")) {
            if (env.path("name").asText().equals("LIVEKIT_CONFIG")) {
                Matcher m = Pattern.compile("(?m)^port: (\\d+)$").matcher(env.path("value").asText());
                assertTrue(m.find(), tier + ": LIVEKIT_CONFIG sets no top-level port");
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError(tier + ": LiveKit has no LIVEKIT_CONFIG");
    }

    /** The host lk-jwt-service tells clients to connect to ({@code LIVEKIT_URL}, wss://). */
    private static String liveKitHost(RenderedTier tier) {
        KubeObject jwt = tier.get("Deployment", "livekit", "lk-jwt-service");
        for (JsonNode env : jwt.containers().get(0).path("env")) {
            if (env.path("name").asText().equals("LIVEKIT_URL")) {
                String url = env.path("value").asText();
                assertTrue(url.startsWith("wss://"), tier + ": LIVEKIT_URL " + url + " is not wss://, which Switchboard's https listener serves");
                return url.substring("wss://".length()).replaceFirst("[:/].*", "");
            }
        }
        throw new AssertionError(tier + ": lk-jwt-service has no LIVEKIT_URL");
    }

    /** A bodiless GET as routing sees it. */
    private record Get(String host, String path) implements RequestView {
        @Override
        public String method() {
            return "GET";
        }

        @Override
        public String query() {
            return null;
        }

        @Override
        public String header(String name) {
            return name.equalsIgnoreCase("host") ? host : null;
        }

        @Override
        public String clientAddress() {
            return "192.0.2.1";
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<?, ?>> listeners(Map<String, Object> config) {
        return (List<Map<?, ?>>) config.get("listeners");
    }

    private static int port(Map<?, ?> listener) {
        String address = listener.get("address").toString();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    private static Map<String, Integer> containerPorts(JsonNode container) {
        Map<String, Integer> ports = new HashMap<>();
        container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        return ports;
    }

    private static int containerPort(JsonNode targetPort, Map<String, Integer> ports) {
        return targetPort.isInt() ? targetPort.asInt() : ports.getOrDefault(targetPort.asText(), -1);
    }

    private static JsonNode mountAt(JsonNode container, Path directory) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (Path.of(m.path("mountPath").asText()).equals(directory)) {
                return m;
            }
        }
        return null;
    }

    private static JsonNode volume(KubeObject workload, String name) {
        for (JsonNode v : workload.podSpec().path("volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError(workload.id() + " has no volume " + name);
    }

    private static PodShape pod(List<PodShape> pods, String owner) {
        return pods.stream().filter(p -> p.owner().equals(owner)).findFirst()
                .orElseThrow(() -> new AssertionError("no pod of " + owner));
    }
}
