package org.switchboard.systemtest.support.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a pod looks like from the network: its labels and named ports. Pods of our workloads come from their templates;
 * pods the operators make (CloudNativePG instances and poolers, MinIO servers) from the labels and ports those
 * operators are documented to give them.
 *
 * @param ports container port name to number (unnamed ports under their number)
 */
public record PodShape(String owner, String namespace, Map<String, String> labels, Map<String, Integer> ports, boolean hostNetwork) {

    public static List<PodShape> of(RenderedTier tier) {
        List<PodShape> pods = new ArrayList<>();
        for (KubeObject workload : tier.workloads()) {
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (JsonNode container : workload.containers()) {
                for (JsonNode port : container.path("ports")) {
                    ports.put(port.path("name").asText(String.valueOf(port.path("containerPort").asInt())), port.path("containerPort").asInt());
                }
            }
            pods.add(new PodShape(workload.id(), workload.namespace(), workload.podLabels(), ports, workload.podSpec().path("hostNetwork").asBoolean()));
        }
        for (KubeObject cluster : tier.ofKind("Cluster")) {
            pods.add(new PodShape(cluster.id(), cluster.namespace(),
                    Map.of("cnpg.io/cluster", cluster.name(), "cnpg.io/podRole", "instance"),
                    Map.of("postgresql", 5432, "metrics", 9187), false));
        }
        for (KubeObject pooler : tier.ofKind("Pooler")) {
            pods.add(new PodShape(pooler.id(), pooler.namespace(),
                    Map.of("cnpg.io/poolerName", pooler.name(), "cnpg.io/podRole", "pooler", "cnpg.io/cluster", pooler.spec().path("cluster").path("name").asText()),
                    Map.of("pgbouncer", 5432, "metrics", 9127), false));
        }
        for (KubeObject tenant : tier.ofKind("Tenant")) {
            pods.add(new PodShape(tenant.id(), tenant.namespace(), Map.of("v1.min.io/tenant", tenant.name()), Map.of("http-minio", 9000), false));
        }
        return pods;
    }

    public boolean selectedBy(JsonNode selector) {
        return KubeObject.selects(selector, labels);
    }

    /** The number of a named or numeric target port on this pod, or -1. */
    public int port(JsonNode target) {
        if (target.isInt()) {
            return ports.containsValue(target.asInt()) ? target.asInt() : -1;
        }
        return ports.getOrDefault(target.asText(), -1);
    }
}
