package org.switchboard.systemtest.support.k8s;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The documents {@code kubectl kustomize} rendered for one overlay ({@code 1k}, {@code 10k}, {@code 20k}). */
public record RenderedTier(String name, List<KubeObject> objects) {

    public List<KubeObject> ofKind(String kind) {
        return objects.stream().filter(o -> o.kind().equals(kind)).toList();
    }

    public Optional<KubeObject> find(String kind, String namespace, String name) {
        return objects.stream()
                .filter(o -> o.kind().equals(kind) && o.namespace().equals(namespace) && o.name().equals(name))
                .findFirst();
    }

    public KubeObject get(String kind, String namespace, String name) {
        return find(kind, namespace, name).orElseGet(() -> fail(this.name + ": no " + kind + " " + namespace + "/" + name + " rendered"));
    }

    public List<KubeObject> workloads() {
        return objects.stream().filter(KubeObject::isWorkload).toList();
    }

    /** Workloads in {@code namespace} whose pod template carries labels the selector matches. */
    public List<KubeObject> workloadsSelectedBy(String namespace, JsonNode selector) {
        return workloads().stream()
                .filter(w -> w.namespace().equals(namespace) && KubeObject.selects(selector, w.podLabels()))
                .toList();
    }

    /** A ConfigMap's data by key, found by its rendered (possibly hash-suffixed) name. */
    public Map<String, String> configMapData(String namespace, String renderedName) {
        return KubeObject.strings(get("ConfigMap", namespace, renderedName).node().path("data"));
    }

    /** The rendered name of a generated ConfigMap: the name itself or the name plus kustomize's hash suffix. */
    public String configMapName(String namespace, String generatorName) {
        List<String> names = ofKind("ConfigMap").stream()
                .filter(c -> c.namespace().equals(namespace))
                .map(KubeObject::name)
                .filter(n -> n.equals(generatorName) || n.matches(Pattern.quote(generatorName) + "-[a-z0-9]{10}"))
                .collect(Collectors.toList());
        if (names.size() != 1) {
            fail(name + ": expected one ConfigMap named " + generatorName + " (with or without hash) in " + namespace + ", found " + names);
        }
        return names.get(0);
    }

    @Override
    public String toString() {
        return name;
    }
}
