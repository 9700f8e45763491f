package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.switchboard.systemtest.support.k8s.KubeObject;
import org.switchboard.systemtest.support.k8s.NetworkPolicies;
import org.switchboard.systemtest.support.k8s.PodShape;
import org.switchboard.systemtest.support.k8s.RenderedStackExtension;
import org.switchboard.systemtest.support.k8s.RenderedTier;
import org.switchboard.systemtest.support.k8s.Stack;
import org.switchboard.systemtest.support.k8s.SynapseProcess;

/** The flows the NetworkPolicies must allow and deny (K8S.md §10.6), and what Prometheus scrapes (§10.7). */
@ExtendWith(RenderedStackExtension.class)
class KubernetesNetworkAndMonitoringTest {
    private static final PodShape PROMETHEUS = NetworkPolicies.external("monitoring", Map.of("app.kubernetes.io/name", "prometheus"), Map.of());
    private static final PodShape KUBE_DNS = NetworkPolicies.external("kube-system", Map.of("k8s-app", "kube-dns"), Map.of("dns", 53));

    @Test
    void policiesAllowTheDesignedFlowsAndDenyReplicationFromSwitchboard(Stack stack) {
        for (RenderedTier tier : stack.tiers()) {
            NetworkPolicies policies = new NetworkPolicies(tier);
            List<PodShape> pods = PodShape.of(tier);
            PodShape switchboard = pod(pods, "Deployment matrix/switchboard");
            PodShape outside = NetworkPolicies.outside();
            List<String> wrong = new ArrayList<>();
            expect(wrong, policies, outside, switchboard, 8080, true);
            expect(wrong, policies, outside, switchboard, 9901, false);
            expect(wrong, policies, PROMETHEUS, switchboard, 9901, true);
            expect(wrong, policies, switchboard, KUBE_DNS, 53, "UDP", true);
            for (SynapseProcess process : SynapseProcess.of(tier).values()) {
                PodShape synapse = pod(pods, process.statefulSet().id());
                expect(wrong, policies, PROMETHEUS, synapse, 9090, true);
                expect(wrong, policies, outside, synapse, 8008, false);
                if (synapse.ports().containsKey("http")) {
                    expect(wrong, policies, switchboard, synapse, synapse.ports().get("http"), true);
                }
                if (synapse.ports().containsKey("replication")) {
                    expect(wrong, policies, switchboard, synapse, 9093, false);
                    expect(wrong, policies, pod(pods, "StatefulSet matrix/synapse-generic"), synapse, 9093, true);
                }
                expect(wrong, policies, synapse, pod(pods, "Pooler matrix/synapse-postgres-pooler-rw"), 5432, true);
                expect(wrong, policies, synapse, pod(pods, "Deployment matrix/redis-synapse-proxy"), 6379, true);
            }
            PodShape media = pod(pods, "StatefulSet matrix/synapse-media");
            expect(wrong, policies, media, pod(pods, "Tenant minio/synapse-media"), 9000, true);
            expect(wrong, policies, pod(pods, "CronJob matrix/synapse-media-cleanup"), pod(pods, "Pooler matrix/synapse-postgres-pooler-rw"), 5432, true);
            expect(wrong, policies, pod(pods, "CronJob minio/minio-mirror"), pod(pods, "Tenant minio/synapse-media"), 9000, true);
            expect(wrong, policies, pod(pods, "Pooler matrix/synapse-postgres-pooler-rw"), pod(pods, "Cluster matrix/synapse-postgres"), 5432, true);
            expect(wrong, policies, switchboard, pod(pods, "Cluster matrix/synapse-postgres"), 5432, false);
            for (String app : List.of("Deployment matrix/element-web", "Deployment matrix/synapse-admin", "Deployment livekit/lk-jwt-service")) {
                expect(wrong, policies, switchboard, pod(pods, app), 8080, true);
                expect(wrong, policies, outside, pod(pods, app), 8080, false);
            }
            assertEquals(List.of(), wrong, tier + ": flows");
        }
    }

    @Test
    void prometheusScrapesSwitchboardSynapseAndTheDatabase(Stack stack) {
        for (RenderedTier tier : stack.tiers()) {
            List<PodShape> pods = PodShape.of(tier);
            Set<String> scrapedServices = new TreeSet<>();
            for (KubeObject monitor : tier.ofKind("ServiceMonitor")) {
                assertEquals("kube-prometheus-stack", monitor.labels().get("release"), monitor.id());
                for (KubeObject service : tier.ofKind("Service")) {
                    if (service.namespace().equals(monitor.namespace()) && KubeObject.selects(monitor.spec().path("selector"), service.labels())) {
                        for (JsonNode endpoint : monitor.spec().path("endpoints")) {
                            assertTrue(service.spec().path("ports").findValues("name").stream().anyMatch(n -> n.asText().equals(endpoint.path("port").asText())),
                                    tier + ": " + monitor.id() + " scrapes port " + endpoint.path("port").asText() + ", which " + service.id() + " lacks");
                        }
                        scrapedServices.add(service.name());
                    }
                }
            }
            assertTrue(scrapedServices.contains("switchboard-admin"), tier + ": Switchboard is not scraped: " + scrapedServices);
            int admin = Integer.parseInt(((Map<?, ?>) KubernetesSwitchboardTest.config(tier).get("admin")).get("address").toString().replaceAll(".*:", ""));
            assertEquals(admin, pod(pods, "Deployment matrix/switchboard").ports().get("admin"), tier + ": scraped port is the config's admin port");
            for (SynapseProcess process : SynapseProcess.of(tier).values()) {
                assertTrue(scrapedServices.contains(process.name()), tier + ": " + process.name() + " is not scraped");
                int metrics = pod(pods, process.statefulSet().id()).ports().getOrDefault("metrics", -1);
                assertEquals("metrics", process.listener(metrics).path("type").asText(), tier + ": " + process.name() + " has no metrics listener on its metrics port");
            }
            for (String scraped : List.of("Cluster matrix/synapse-postgres", "Pooler matrix/synapse-postgres-pooler-rw")) {
                PodShape pod = pod(pods, scraped);
                assertTrue(tier.ofKind("PodMonitor").stream().anyMatch(m -> m.namespace().equals(pod.namespace())
                        && pod.selectedBy(m.spec().path("selector"))
                        && pod.ports().containsKey(m.spec().path("podMetricsEndpoints").path(0).path("port").asText())), tier + ": " + scraped + " is not scraped");
            }
        }
    }

    @Test
    void alertsAndTheDashboardUseOnlyDocumentedMetricsAndDefinedVariables(Stack stack) throws Exception {
        String readme = Files.readString(stack.repoRoot().resolve("README.md"));
        Set<String> documented = new TreeSet<>();
        Matcher names = Pattern.compile("`(switchboard_[a-z_]+)`").matcher(readme);
        while (names.find()) {
            documented.add(names.group(1));
        }
        assertFalse(documented.isEmpty(), "README's metrics table not found");
        RenderedTier tier = stack.tier("1k");
        String dashboard = tier.configMapData("matrix", "switchboard-dashboard").get("switchboard-dashboard.json");
        StringBuilder used = new StringBuilder(dashboard);
        tier.ofKind("PrometheusRule").forEach(r -> used.append(r.spec().toString()));
        Matcher metric = Pattern.compile("switchboard_[a-z_]+").matcher(used);
        Set<String> undocumented = new TreeSet<>();
        while (metric.find()) {
            String name = metric.group().replaceAll("_(bucket|count|sum)$", "");
            if (!documented.contains(name)) {
                undocumented.add(name);
            }
        }
        assertEquals(Set.of(), undocumented, "metrics used by alerts or the dashboard that README does not list");

        JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dashboard);
        Set<String> defined = new TreeSet<>();
        json.path("templating").path("list").forEach(v -> defined.add(v.path("name").asText()));
        Matcher variable = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)").matcher(dashboard);
        while (variable.find()) {
            String name = variable.group(1);
            assertTrue(name.startsWith("__") || defined.contains(name), "dashboard uses $" + name + ", which its templating does not define (sidecar provisioning ignores __inputs)");
        }
    }

    private static void expect(List<String> wrong, NetworkPolicies policies, PodShape from, PodShape to, int port, boolean allowed) {
        expect(wrong, policies, from, to, port, "TCP", allowed);
    }

    private static void expect(List<String> wrong, NetworkPolicies policies, PodShape from, PodShape to, int port, String protocol, boolean allowed) {
        if (policies.allowed(from, to, port, protocol) != allowed) {
            wrong.add(from.owner() + " -> " + to.owner() + ":" + port + "/" + protocol + " should be " + (allowed ? "allowed" : "denied"));
        }
    }

    private static PodShape pod(List<PodShape> pods, String owner) {
        return pods.stream().filter(p -> p.owner().equals(owner)).findFirst().orElseThrow(() -> new AssertionError("no pods of " + owner));
    }
}
