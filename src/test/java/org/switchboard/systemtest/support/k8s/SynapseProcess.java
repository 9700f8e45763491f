package org.switchboard.systemtest.support.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * One Synapse StatefulSet as Synapse itself would see it: the {@code -c} files of its command, read from the
 * ConfigMaps its projected volume maps them from, merged by top-level key in order (as Synapse merges them), with
 * {@code /run/synapse/instance.yaml} standing for the {@code worker_name: <pod name>} line the command writes.
 */
public record SynapseProcess(KubeObject statefulSet, List<String> configFiles, ObjectNode config, boolean workerNameFromPod) {
    private static final Pattern CONFIG_ARG = Pattern.compile("\\s-c\\s+(/\\S+)");
    private static final String INSTANCE_FILE = "/run/synapse/instance.yaml";

    /** Every StatefulSet labelled {@code app.kubernetes.io/name: synapse}, by name. */
    public static Map<String, SynapseProcess> of(RenderedTier tier) {
        Map<String, SynapseProcess> processes = new TreeMap<>();
        for (KubeObject sts : tier.ofKind("StatefulSet")) {
            if ("synapse".equals(sts.podLabels().get("app.kubernetes.io/name"))) {
                processes.put(sts.name(), read(tier, sts));
            }
        }
        return processes;
    }

    static SynapseProcess read(RenderedTier tier, KubeObject sts) {
        JsonNode container = sts.containers().get(0);
        StringBuilder command = new StringBuilder();
        container.path("command").forEach(c -> command.append(c.asText()).append(' '));
        container.path("args").forEach(c -> command.append(c.asText()).append(' '));
        Map<String, String> files = mountedFiles(tier, sts, container);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode merged = mapper.createObjectNode();
        List<String> order = new ArrayList<>();
        Matcher m = CONFIG_ARG.matcher(command);
        while (m.find()) {
            String path = m.group(1);
            order.add(path);
            if (path.equals(INSTANCE_FILE)) {
                continue;
            }
            String text = files.get(path);
            if (text == null) {
                throw new AssertionError(sts.id() + " reads " + path + ", which no mounted ConfigMap key provides (mounted: " + files.keySet() + ")");
            }
            Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
            ((ObjectNode) mapper.valueToTree(loaded)).fields().forEachRemaining(e -> merged.set(e.getKey(), e.getValue()));
        }
        boolean podEnv = false;
        for (JsonNode env : container.path("env")) {
            if (env.path("name").asText().equals("POD_NAME") && env.path("valueFrom").path("fieldRef").path("fieldPath").asText().equals("metadata.name")) {
                podEnv = true;
            }
        }
        boolean writesWorkerName = order.contains(INSTANCE_FILE) && podEnv
                && command.indexOf("printf \"worker_name: %s\\n\" \"$POD_NAME\" > " + INSTANCE_FILE) >= 0
                && order.indexOf(INSTANCE_FILE) == order.size() - 1;
        return new SynapseProcess(sts, order, merged, writesWorkerName);
    }

    /** File path inside the container to its text, for ConfigMap-backed volumes (plain and projected). */
    private static Map<String, String> mountedFiles(RenderedTier tier, KubeObject sts, JsonNode container) {
        Map<String, String> files = new HashMap<>();
        Map<String, String> mounts = new HashMap<>();
        container.path("volumeMounts").forEach(mt -> mounts.put(mt.path("name").asText(), mt.path("mountPath").asText()));
        for (JsonNode volume : sts.podSpec().path("volumes")) {
            String dir = mounts.get(volume.path("name").asText());
            if (dir == null) {
                continue;
            }
            List<JsonNode> sources = new ArrayList<>();
            if (volume.has("configMap")) {
                sources.add(volume.path("configMap"));
            }
            volume.path("projected").path("sources").forEach(s -> {
                if (s.has("configMap")) {
                    sources.add(s.path("configMap"));
                }
            });
            for (JsonNode source : sources) {
                Map<String, String> data = tier.configMapData(sts.namespace(), source.path("name").asText());
                if (source.has("items")) {
                    source.path("items").forEach(i -> files.put(dir + "/" + i.path("path").asText(), data.get(i.path("key").asText())));
                } else {
                    data.forEach((key, text) -> files.put(dir + "/" + key, text));
                }
            }
        }
        return files;
    }

    public String name() {
        return statefulSet.name();
    }

    /** The pod names the StatefulSet makes at its rendered replica count. */
    public List<String> pods() {
        List<String> pods = new ArrayList<>();
        for (int i = 0; i < statefulSet.replicas(); i++) {
            pods.add(name() + "-" + i);
        }
        return pods;
    }

    public boolean isMain() {
        return !config.has("worker_app");
    }

    /** {@code listeners} of main, {@code worker_listeners} of a worker. */
    public List<JsonNode> listeners() {
        List<JsonNode> out = new ArrayList<>();
        config.path(isMain() ? "listeners" : "worker_listeners").forEach(out::add);
        return out;
    }

    /** The HTTP listener on {@code port} serving {@code resource}, if any. */
    public boolean serves(int port, String resource) {
        for (JsonNode listener : listeners()) {
            if (listener.path("port").asInt() == port && listener.path("type").asText().equals("http")) {
                for (JsonNode group : listener.path("resources")) {
                    for (JsonNode name : group.path("names")) {
                        if (name.asText().equals(resource)) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    public JsonNode listener(int port) {
        return listeners().stream().filter(l -> l.path("port").asInt() == port).findFirst().orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
    }

    public int cpMax() {
        return config.path("database").path("args").path("cp_max").asInt(-1);
    }
}
