package org.switchboard.systemtest.support.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One rendered Kubernetes document, read through Jackson's tree so absent paths are {@code MissingNode}s. */
public record KubeObject(JsonNode node) {
    private static final List<String> WORKLOAD_KINDS = List.of("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job");

    public String kind() {
        return node.path("kind").asText();
    }

    public String apiVersion() {
        return node.path("apiVersion").asText();
    }

    public String name() {
        return node.path("metadata").path("name").asText();
    }

    public String namespace() {
        return node.path("metadata").path("namespace").asText("");
    }

    /** {@code Kind namespace/name}, for messages. */
    public String id() {
        return kind() + " " + namespace() + "/" + name();
    }

    public JsonNode spec() {
        return node.path("spec");
    }

    public Map<String, String> labels() {
        return strings(node.path("metadata").path("labels"));
    }

    public boolean isWorkload() {
        return WORKLOAD_KINDS.contains(kind());
    }

    /** The pod template of a workload (a CronJob's through its job template), or empty. */
    public Optional<JsonNode> podTemplate() {
        JsonNode template = switch (kind()) {
            case "Deployment", "StatefulSet", "DaemonSet", "Job" -> spec().path("template");
            case "CronJob" -> spec().path("jobTemplate").path("spec").path("template");
            default -> null;
        };
        return template == null || template.isMissingNode() ? Optional.empty() : Optional.of(template);
    }

    public JsonNode podSpec() {
        return podTemplate().map(t -> t.path("spec")).orElseThrow(() -> new IllegalStateException(id() + " has no pod template"));
    }

    public Map<String, String> podLabels() {
        return podTemplate().map(t -> strings(t.path("metadata").path("labels"))).orElse(Map.of());
    }

    /** Init containers and containers of the pod template. */
    public List<JsonNode> allContainers() {
        List<JsonNode> all = new ArrayList<>();
        podSpec().path("initContainers").forEach(all::add);
        podSpec().path("containers").forEach(all::add);
        return all;
    }

    public List<JsonNode> containers() {
        List<JsonNode> all = new ArrayList<>();
        podSpec().path("containers").forEach(all::add);
        return all;
    }

    public int replicas() {
        return spec().path("replicas").asInt(1);
    }

    public static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** Kubernetes label-selector semantics for {@code matchLabels} and {@code matchExpressions}; an empty selector matches all. */
    public static boolean selects(JsonNode selector, Map<String, String> labels) {
        JsonNode matchLabels = selector.has("matchLabels") || selector.has("matchExpressions") ? selector.path("matchLabels") : selector;
        for (Map.Entry<String, String> want : strings(matchLabels).entrySet()) {
            if (!want.getValue().equals(labels.get(want.getKey()))) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            List<String> values = new ArrayList<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            boolean ok = switch (expression.path("operator").asText()) {
                case "In" -> values.contains(labels.get(key));
                case "NotIn" -> !values.contains(labels.get(key));
                case "Exists" -> labels.containsKey(key);
                case "DoesNotExist" -> !labels.containsKey(key);
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
