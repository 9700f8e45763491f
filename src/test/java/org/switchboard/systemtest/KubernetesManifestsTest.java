package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.switchboard.systemtest.support.k8s.KubeObject;
import org.switchboard.systemtest.support.k8s.KubeSchemas;
import org.switchboard.systemtest.support.k8s.Quantities;
import org.switchboard.systemtest.support.k8s.References;
import org.switchboard.systemtest.support.k8s.RenderedStackExtension;
import org.switchboard.systemtest.support.k8s.RenderedTier;
import org.switchboard.systemtest.support.k8s.Stack;

/**
 * deploy/k8s rendered per tier: every document valid against ../shared/k8s-schemas, every namespace created, the
 * tiers only ever growing, and each tier holding the whole stack of K8S.md §10.9.
 */
@ExtendWith(RenderedStackExtension.class)
class KubernetesManifestsTest {

    @Test
    void everyDocumentOfEveryTierValidatesStrictly(Stack stack) {
        KubeSchemas schemas = new KubeSchemas(stack.shared().resolve("k8s-schemas"));
        List<String> violations = new ArrayList<>();
        for (RenderedTier tier : stack.tiers()) {
            assertFalse(tier.objects().isEmpty(), tier + " rendered nothing");
            tier.objects().forEach(o -> schemas.violations(o).forEach(v -> violations.add(tier + ": " + v)));
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void schemaValidationRejectsUnknownFieldsAndUnknownKinds(Stack stack) {
        KubeSchemas schemas = new KubeSchemas(stack.shared().resolve("k8s-schemas"));
        KubeObject service = stack.tier("1k").get("Service", "matrix", "switchboard");
        KubeObject typo = new KubeObject(withField(service.node(), "spec", "externalTraficPolicy", "Local"));
        assertFalse(schemas.violations(typo).isEmpty(), "an unknown spec field must fail");
        KubeObject crdTypo = new KubeObject(withField(stack.tier("1k").ofKind("Cluster").get(0).node(), "metadata", "nmae", "x"));
        assertFalse(schemas.violations(crdTypo).isEmpty(), "an unknown metadata field of a CRD must fail");
        KubeObject unknownKind = new KubeObject(withField(service.node(), null, "kind", "Ingress2"));
        assertFalse(schemas.violations(unknownKind).isEmpty(), "a kind without a schema must fail");
    }

    @Test
    void everyNamespacedObjectNamesANamespaceThatIsCreated(Stack stack) {
        Set<String> clusterScoped = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding", "StorageClass", "PriorityClass");
        for (RenderedTier tier : stack.tiers()) {
            Set<String> created = new TreeSet<>();
            tier.ofKind("Namespace").forEach(n -> created.add(n.name()));
            for (KubeObject object : tier.objects()) {
                if (clusterScoped.contains(object.kind())) {
                    assertTrue(object.namespace().isEmpty(), tier + ": " + object.id() + " is cluster-scoped");
                    continue;
                }
                assertFalse(object.namespace().isEmpty(), tier + ": " + object.id() + " has no metadata.namespace");
                assertTrue(created.contains(object.namespace()), tier + ": " + object.id() + " is in a namespace no Namespace object creates");
            }
        }
    }

    /** A larger tier never has fewer pods, a lower autoscaling bound or a smaller volume than a smaller one. */
    @Test
    void tiersOnlyGrow(Stack stack) {
        List<RenderedTier> tiers = stack.tiers();
        for (int i = 1; i < tiers.size(); i++) {
            Map<String, Long> smaller = sizes(tiers.get(i - 1));
            Map<String, Long> larger = sizes(tiers.get(i));
            for (Map.Entry<String, Long> entry : smaller.entrySet()) {
                assertTrue(larger.containsKey(entry.getKey()), tiers.get(i) + " lost " + entry.getKey());
                assertTrue(larger.get(entry.getKey()) >= entry.getValue(),
                        entry.getKey() + " shrinks from " + entry.getValue() + " (" + tiers.get(i - 1) + ") to " + larger.get(entry.getKey()) + " (" + tiers.get(i) + ")");
            }
        }
    }

    @Test
    void everyTierHoldsTheWholeStack(Stack stack) {
        for (RenderedTier tier : stack.tiers()) {
            for (String deployment : List.of("switchboard", "element-web", "synapse-admin")) {
                tier.get("Deployment", "matrix", deployment);
            }
            tier.get("Deployment", "livekit", "lk-jwt-service");
            for (String process : List.of("main", "synchrotron", "generic", "media", "event-persister", "federation-sender")) {
                tier.get("StatefulSet", "matrix", "synapse-" + process);
            }
            tier.get("Cluster", "matrix", "synapse-postgres");
            tier.get("Pooler", "matrix", "synapse-postgres-pooler-rw");
            tier.get("ScheduledBackup", "matrix", "synapse-postgres-daily");
            tier.get("ObjectStore", "matrix", "synapse-backups");
            for (KubeObject redis : List.of(tier.get("StatefulSet", "matrix", "redis-synapse"), tier.get("StatefulSet", "livekit", "redis-livekit"))) {
                assertTrue(redis.containers().stream().anyMatch(c -> c.path("name").asText().equals("sentinel")), redis.id() + " runs no sentinel");
            }
            tier.get("Tenant", "minio", "synapse-media");
            tier.get("DaemonSet", "matrix", "coturn");
            tier.get("DaemonSet", "livekit", "livekit");
            assertFalse(tier.ofKind("ServiceMonitor").isEmpty(), tier + ": no ServiceMonitor");
            assertFalse(tier.ofKind("PrometheusRule").isEmpty(), tier + ": no PrometheusRule");
            tier.get("ConfigMap", "matrix", "switchboard-dashboard");
            List<String> cronJobs = tier.ofKind("CronJob").stream().map(KubeObject::name).toList();
            assertTrue(cronJobs.stream().anyMatch(n -> n.contains("cleanup")), tier + ": no media cleanup CronJob in " + cronJobs);
            assertTrue(cronJobs.stream().anyMatch(n -> n.contains("backup") || n.contains("mirror")), tier + ": no backup CronJob in " + cronJobs);
            assertFalse(tier.ofKind("NetworkPolicy").isEmpty(), tier + ": no NetworkPolicy");
            assertFalse(tier.ofKind("PodDisruptionBudget").isEmpty(), tier + ": no PodDisruptionBudget");
            for (String scaled : List.of("switchboard", "synapse-synchrotron", "synapse-generic")) {
                tier.get("HorizontalPodAutoscaler", "matrix", scaled);
            }
        }
    }

    @Test
    void everyReferenceResolves(Stack stack) {
        for (RenderedTier tier : stack.tiers()) {
            assertEquals(List.of(), References.problems(tier), tier + ": broken references");
        }
    }

    @Test
    void noTierRendersASecretAndEverySecretReadHasATemplateWithItsKeys(Stack stack) throws IOException {
        Map<String, Set<String>> templates = secretTemplates(stack.k8sDir().resolve("secrets"));
        for (RenderedTier tier : stack.tiers()) {
            assertEquals(List.of(), tier.ofKind("Secret").stream().map(KubeObject::id).toList(), tier + " renders Secrets: they belong in secrets/ templates");
            Set<String> generated = new TreeSet<>();
            tier.ofKind("Cluster").forEach(c -> generated.add(c.namespace() + "/" + c.name() + "-app"));
            for (Map.Entry<String, Set<String>> read : References.secretsRead(tier).entrySet()) {
                if (generated.contains(read.getKey())) {
                    continue;
                }
                assertTrue(templates.containsKey(read.getKey()), tier + ": Secret " + read.getKey() + " is read but secrets/ has no template for it");
                Set<String> missing = new TreeSet<>(read.getValue());
                missing.removeAll(templates.get(read.getKey()));
                assertEquals(Set.of(), missing, tier + ": keys of Secret " + read.getKey() + " read but not in its template");
            }
        }
    }

    @Test
    void imagesArePinned(Stack stack) {
        for (RenderedTier tier : stack.tiers()) {
            for (KubeObject workload : tier.workloads()) {
                for (JsonNode container : workload.allContainers()) {
                    String image = container.path("image").asText();
                    String tag = image.contains("@") ? "digest" : image.substring(image.lastIndexOf('/') + 1).replaceFirst("^[^:]*:?", "");
                    assertFalse(tag.isEmpty() || tag.equals("latest"), tier + ": " + workload.id() + " image " + image + " is not pinned");
                }
            }
        }
    }

    private static Map<String, Long> sizes(RenderedTier tier) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (KubeObject workload : tier.workloads()) {
            if (workload.kind().equals("Deployment") || workload.kind().equals("StatefulSet")) {
                sizes.put(workload.id() + " replicas", (long) workload.replicas());
            }
        }
        for (KubeObject hpa : tier.ofKind("HorizontalPodAutoscaler")) {
            sizes.put(hpa.id() + " minReplicas", hpa.spec().path("minReplicas").asLong(1));
            sizes.put(hpa.id() + " maxReplicas", hpa.spec().path("maxReplicas").asLong());
        }
        for (KubeObject pvc : tier.ofKind("PersistentVolumeClaim")) {
            sizes.put(pvc.id() + " storage", Quantities.bytes(pvc.spec().path("resources").path("requests").path("storage").asText()));
        }
        for (KubeObject cluster : tier.ofKind("Cluster")) {
            sizes.put(cluster.id() + " instances", cluster.spec().path("instances").asLong());
            sizes.put(cluster.id() + " storage", Quantities.bytes(cluster.spec().path("storage").path("size").asText()));
        }
        for (KubeObject pooler : tier.ofKind("Pooler")) {
            sizes.put(pooler.id() + " instances", pooler.spec().path("instances").asLong());
        }
        for (KubeObject tenant : tier.ofKind("Tenant")) {
            long servers = 0;
            for (JsonNode pool : tenant.spec().path("pools")) {
                servers += pool.path("servers").asLong() * pool.path("volumesPerServer").asLong()
                        * Quantities.bytes(pool.path("volumeClaimTemplate").path("spec").path("resources").path("requests").path("storage").asText());
            }
            sizes.put(tenant.id() + " raw bytes", servers);
        }
        return sizes;
    }

    private static Map<String, Set<String>> secretTemplates(Path dir) throws IOException {
        Map<String, Set<String>> templates = new LinkedHashMap<>();
        assertTrue(Files.isDirectory(dir), "no " + dir);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                String text = Files.readString(file);
                assertFalse(file.getFileName().toString().equals("kustomization.yaml"), "secrets/ must not be a kustomization");
                for (KubeObject secret : Stack.parse(text)) {
                    assertEquals("Secret", secret.kind(), file + " holds a " + secret.kind());
                    Set<String> keys = new TreeSet<>();
                    secret.node().path("stringData").fieldNames().forEachRemaining(keys::add);
                    secret.node().path("data").fieldNames().forEachRemaining(keys::add);
                    secret.node().path("stringData").forEach(v -> assertTrue(v.asText().contains("CHANGE_ME"),
                            file + ": every value of a template is a CHANGE_ME placeholder, found " + v.asText()));
                    assertTrue(secret.node().path("data").isEmpty(), file + ": templates use stringData with CHANGE_ME, never data");
                    templates.put(secret.namespace() + "/" + secret.name(), keys);
                }
            }
        }
        return templates;
    }

    private static JsonNode withField(JsonNode node, String under, String field, String value) {
        ObjectNode copy = node.deepCopy();
        ObjectNode target = under == null ? copy : (ObjectNode) copy.path(under);
        target.put(field, value);
        return copy;
    }
}
