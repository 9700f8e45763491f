package org.switchboard.systemtest.support.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/** Cross-object references of one tier: what is named must be rendered (K8S.md §10.2). */
public final class References {
    private References() {
    }

    /** Every broken reference, one line each. */
    public static List<String> problems(RenderedTier tier) {
        List<String> problems = new ArrayList<>();
        List<PodShape> pods = PodShape.of(tier);
        for (KubeObject service : tier.ofKind("Service")) {
            JsonNode selector = service.spec().path("selector");
            List<PodShape> selected = pods.stream().filter(p -> p.namespace().equals(service.namespace()) && p.selectedBy(selector)).toList();
            if (selected.isEmpty()) {
                problems.add(service.id() + " selects no pod");
            }
            for (JsonNode port : service.spec().path("ports")) {
                JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
                selected.stream().filter(p -> p.port(target) < 0).forEach(p -> problems.add(service.id() + " port " + port.path("name").asText() + ": " + p.owner() + " has no port " + target.asText()));
            }
        }
        for (KubeObject workload : tier.workloads()) {
            workloadProblems(tier, workload, problems);
        }
        for (KubeObject pdb : tier.ofKind("PodDisruptionBudget")) {
            if (pods.stream().noneMatch(p -> p.namespace().equals(pdb.namespace()) && p.selectedBy(pdb.spec().path("selector")))) {
                problems.add(pdb.id() + " selects no pod");
            }
        }
        for (KubeObject policy : tier.ofKind("NetworkPolicy")) {
            if (pods.stream().noneMatch(p -> p.namespace().equals(policy.namespace()) && p.selectedBy(policy.spec().path("podSelector")))) {
                problems.add(policy.id() + " selects no pod");
            }
        }
        for (KubeObject hpa : tier.ofKind("HorizontalPodAutoscaler")) {
            JsonNode target = hpa.spec().path("scaleTargetRef");
            if (tier.find(target.path("kind").asText(), hpa.namespace(), target.path("name").asText()).isEmpty()) {
                problems.add(hpa.id() + " scales " + target.path("kind").asText() + " " + target.path("name").asText() + ", which is not rendered");
            }
        }
        return problems;
    }

    /** Secrets read by workloads and by the operators' resources: {@code namespace/name} to the keys read. */
    public static Map<String, Set<String>> secretsRead(RenderedTier tier) {
        Map<String, Set<String>> read = new TreeMap<>();
        for (KubeObject workload : tier.workloads()) {
            String ns = workload.namespace();
            for (JsonNode volume : workload.podSpec().path("volumes")) {
                if (volume.has("secret")) {
                    addSecret(read, ns, volume.path("secret").path("secretName").asText(), volume.path("secret").path("items"));
                }
                for (JsonNode source : volume.path("projected").path("sources")) {
                    if (source.has("secret")) {
                        addSecret(read, ns, source.path("secret").path("name").asText(), source.path("secret").path("items"));
                    }
                }
            }
            for (JsonNode container : workload.allContainers()) {
                for (JsonNode env : container.path("env")) {
                    JsonNode ref = env.path("valueFrom").path("secretKeyRef");
                    if (!ref.isMissingNode()) {
                        read.computeIfAbsent(ns + "/" + ref.path("name").asText(), k -> new TreeSet<>()).add(ref.path("key").asText());
                    }
                }
                for (JsonNode from : container.path("envFrom")) {
                    if (from.has("secretRef")) {
                        read.computeIfAbsent(ns + "/" + from.path("secretRef").path("name").asText(), k -> new TreeSet<>());
                    }
                }
            }
        }
        for (KubeObject store : tier.ofKind("ObjectStore")) {
            JsonNode s3 = store.spec().path("configuration").path("s3Credentials");
            for (String field : List.of("accessKeyId", "secretAccessKey", "region")) {
                if (s3.has(field)) {
                    read.computeIfAbsent(store.namespace() + "/" + s3.path(field).path("name").asText(), k -> new TreeSet<>()).add(s3.path(field).path("key").asText());
                }
            }
        }
        for (KubeObject tenant : tier.ofKind("Tenant")) {
            JsonNode configuration = tenant.spec().path("configuration");
            if (configuration.has("name")) {
                read.computeIfAbsent(tenant.namespace() + "/" + configuration.path("name").asText(), k -> new TreeSet<>()).add("config.env");
            }
        }
        return read;
    }

    private static void addSecret(Map<String, Set<String>> read, String ns, String name, JsonNode items) {
        Set<String> keys = read.computeIfAbsent(ns + "/" + name, k -> new TreeSet<>());
        items.forEach(item -> keys.add(item.path("key").asText()));
    }

    private static void workloadProblems(RenderedTier tier, KubeObject workload, List<String> problems) {
        String ns = workload.namespace();
        JsonNode pod = workload.podSpec();
        Consumer<String> problem = p -> problems.add(workload.id() + ": " + p);
        String account = pod.path("serviceAccountName").asText("default");
        if (!account.equals("default") && tier.find("ServiceAccount", ns, account).isEmpty()) {
            problem.accept("ServiceAccount " + account + " is not rendered");
        }
        Set<String> volumes = new HashSet<>();
        for (JsonNode volume : pod.path("volumes")) {
            volumes.add(volume.path("name").asText());
            if (volume.has("configMap")) {
                configMap(tier, ns, volume.path("configMap").path("name").asText(), volume.path("configMap").path("items"), problem);
            }
            for (JsonNode source : volume.path("projected").path("sources")) {
                if (source.has("configMap")) {
                    configMap(tier, ns, source.path("configMap").path("name").asText(), source.path("configMap").path("items"), problem);
                }
            }
            if (volume.has("persistentVolumeClaim")) {
                String claim = volume.path("persistentVolumeClaim").path("claimName").asText();
                if (tier.find("PersistentVolumeClaim", ns, claim).isEmpty()) {
                    problem.accept("PersistentVolumeClaim " + claim + " is not rendered");
                }
            }
        }
        workload.spec().path("volumeClaimTemplates").forEach(t -> volumes.add(t.path("metadata").path("name").asText()));
        for (JsonNode container : workload.allContainers()) {
            String name = container.path("name").asText();
            for (JsonNode mount : container.path("volumeMounts")) {
                if (!volumes.contains(mount.path("name").asText())) {
                    problem.accept("container " + name + " mounts volume " + mount.path("name").asText() + ", which the pod does not have");
                }
            }
            for (JsonNode env : container.path("env")) {
                JsonNode ref = env.path("valueFrom").path("configMapKeyRef");
                if (!ref.isMissingNode()) {
                    configMap(tier, ns, ref.path("name").asText(), List.of(ref), problem);
                }
            }
            Set<String> ports = new HashSet<>();
            container.path("ports").forEach(p -> ports.add(p.path("name").asText()));
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                JsonNode port = container.path(probe).path("httpGet").path("port");
                if (port.isMissingNode()) {
                    port = container.path(probe).path("tcpSocket").path("port");
                }
                if (port.isTextual() && !ports.contains(port.asText())) {
                    problem.accept("container " + name + " " + probe + " uses port " + port.asText() + ", which it does not declare");
                }
            }
        }
    }

    private static void configMap(RenderedTier tier, String ns, String name, Iterable<JsonNode> items, Consumer<String> problem) {
        var configMap = tier.find("ConfigMap", ns, name);
        if (configMap.isEmpty()) {
            problem.accept("ConfigMap " + ns + "/" + name + " is not rendered");
            return;
        }
        JsonNode data = configMap.get().node().path("data");
        for (JsonNode item : items) {
            if (!data.has(item.path("key").asText())) {
                problem.accept("ConfigMap " + name + " has no key " + item.path("key").asText());
            }
        }
    }
}
