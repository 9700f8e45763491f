package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.k8s.BaseManifests;
import org.switchboard.systemtest.support.k8s.KubeObject;
import org.switchboard.systemtest.support.k8s.KubeSchemas;
import org.switchboard.systemtest.support.k8s.RenderedTier;
import org.switchboard.systemtest.support.k8s.Stack;

/**
 * deploy/k8s/base read without kubectl (K8S.md §10): runs whether or not kubectl is installed, so a CI machine without
 * it still schema-validates the base. With kubectl, the loader is also checked against {@code kubectl kustomize} of the
 * base, document for document.
 */
class KubernetesBaseManifestsTest {

    @Test
    void everyDocumentOfTheBaseValidatesStrictlyWithoutKubectl() {
        RenderedTier base = BaseManifests.load().tier();
        KubeSchemas schemas = new KubeSchemas(BaseManifests.schemasDir());
        List<String> violations = new ArrayList<>();
        base.objects().forEach(o -> violations.addAll(schemas.violations(o)));
        assertEquals(List.of(), violations);

        // What it read: files of nested directories, several documents per file, and the generators.
        base.get("Namespace", "", "matrix");
        base.get("Deployment", "matrix", "switchboard");
        base.get("StatefulSet", "matrix", "synapse-main");
        base.get("Cluster", "matrix", "synapse-postgres");
        base.get("NetworkPolicy", "matrix", "default-deny-ingress");
        base.get("NetworkPolicy", "livekit", "default-deny-ingress");
        KubeObject config = base.get("ConfigMap", "matrix", "switchboard-config");
        assertTrue(config.node().path("data").has("switchboard.yaml"), "switchboard-config carries no switchboard.yaml key");
        assertEquals("switchboard", config.labels().get("app.kubernetes.io/name"));
        assertEquals(2, base.ofKind("ConfigMap").stream().filter(c -> c.name().equals("redis-scripts")).count(),
                "redis-scripts is generated in matrix and in livekit");
        assertTrue(base.get("ConfigMap", "matrix", "synapse-workers").node().path("data").has("main.yaml"),
                "a generator's file under a subdirectory is keyed by its file name");
    }

    /** The fallback can fail: what it loads goes through the same strict validation as the rendered overlays. */
    @Test
    void validatingTheLoadedBaseCatchesUnknownFieldsAndKinds() {
        RenderedTier base = BaseManifests.load().tier();
        KubeSchemas schemas = new KubeSchemas(BaseManifests.schemasDir());
        KubeObject deployment = base.get("Deployment", "matrix", "switchboard");
        assertFalse(schemas.violations(new KubeObject(withField(deployment.node(), "spec", "replicaz", "2"))).isEmpty(),
                "an unknown spec field of a Deployment read from the base must fail");
        KubeObject generated = base.get("ConfigMap", "matrix", "switchboard-config");
        assertFalse(schemas.violations(new KubeObject(withField(generated.node(), null, "date", "x"))).isEmpty(),
                "an unknown top-level field of a generated ConfigMap must fail");
        KubeObject cluster = base.ofKind("Cluster").get(0);
        assertFalse(schemas.violations(new KubeObject(withField(cluster.node(), "metadata", "nmae", "x"))).isEmpty(),
                "an unknown metadata field of a CRD read from the base must fail");
        assertFalse(schemas.violations(new KubeObject(withField(deployment.node(), null, "kind", "Deployment2"))).isEmpty(),
                "a kind without a schema must fail");
    }

    @Test
    void theLoaderFollowsResourcesSplitsDocumentsAndGenerates(@TempDir Path dir) throws IOException {
        write(dir.resolve("kustomization.yaml"), """
                resources:
                  - top.yaml
                  - nested
                configMapGenerator:
                  - name: plain
                    namespace: ns
                    literals: [a=1, "b='two'"]
                    files: [renamed=files/data.txt]
                    options:
                      disableNameSuffixHash: true
                      labels: {app: x}
                secretGenerator:
                  - name: creds
                    namespace: ns
                    literals: [password=hunter2]
                """);
        write(dir.resolve("top.yaml"), """
                apiVersion: v1
                kind: Namespace
                metadata: {name: ns}
                ---
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: sa, namespace: ns}
                """);
        write(dir.resolve("files/data.txt"), "hello\n");
        write(dir.resolve("nested/kustomization.yaml"), "resources: [deeper]\n");
        write(dir.resolve("nested/deeper/kustomization.yaml"), "resources: [cm.yaml]\nconfigMapGenerator:\n  - name: hashed\n    files: [cm.yaml]\n");
        write(dir.resolve("nested/deeper/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep, namespace: ns}\ndata: {k: v}\n");

        BaseManifests loaded = BaseManifests.load(dir);
        List<String> ids = loaded.objects().stream().map(KubeObject::id).toList();
        assertEquals(List.of("Namespace /ns", "ServiceAccount ns/sa", "ConfigMap ns/deep", "ConfigMap /hashed", "ConfigMap ns/plain", "Secret ns/creds"), ids);
        RenderedTier tier = loaded.tier();
        assertEquals(Map.of("a", "1", "b", "two", "renamed", "hello\n"), KubeObject.strings(tier.get("ConfigMap", "ns", "plain").node().path("data")));
        assertEquals(Map.of("app", "x"), tier.get("ConfigMap", "ns", "plain").labels());
        assertEquals("aHVudGVyMg==", tier.get("Secret", "ns", "creds").node().path("data").path("password").asText());
        assertTrue(tier.get("ConfigMap", "", "hashed").node().path("data").path("cm.yaml").asText().contains("name: deep"));
        assertEquals(Set.of("/hashed", "ns/creds"), loaded.hashSuffixed());
    }

    @Test
    void theLoaderRefusesWhatItCannotEmulate(@TempDir Path dir) throws IOException {
        write(dir.resolve("kustomization.yaml"), "resources: [sub]\n");
        write(dir.resolve("sub/kustomization.yaml"), "resources: []\npatches:\n  - path: p.yaml\n");
        IllegalStateException patches = assertThrows(IllegalStateException.class, () -> BaseManifests.load(dir));
        assertTrue(patches.getMessage().contains("`patches` is not emulated"), patches.getMessage());

        write(dir.resolve("sub/kustomization.yaml"), "resources: [missing.yaml]\n");
        assertThrows(IllegalStateException.class, () -> BaseManifests.load(dir), "a listed file that does not exist must fail");

        write(dir.resolve("sub/kustomization.yaml"), "resources: [a.yaml, a.yaml]\n");
        write(dir.resolve("sub/a.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
        assertThrows(IllegalStateException.class, () -> BaseManifests.load(dir), "an object defined twice must fail");
    }

    @Test
    void kubectlTooOldForComponentsIsNotUsed() {
        assertEquals(32, Stack.clientMinorVersion("{\"clientVersion\":{\"major\":\"1\",\"minor\":\"32+\"}}"));
        assertEquals(26, Stack.clientMinorVersion("{\"clientVersion\":{\"major\":\"1\",\"minor\":\"26\"}}"));
        assertEquals(-1, Stack.clientMinorVersion("Client Version: v1.32.4"));
        Stack.findKubectl().ifPresent(k -> assertTrue(Stack.kubectlProblem().isEmpty(), Stack.kubectlProblem()));
    }

    /**
     * With kubectl: {@code kubectl kustomize deploy/k8s/base} renders the same documents the loader reads, once the hash
     * suffixes kustomize gives generated names (and the references to them) are taken off.
     */
    @Test
    void theLoaderSeesWhatKubectlRendersOfTheBase() throws IOException, InterruptedException {
        Optional<Path> kubectl = Stack.findKubectl();
        Assumptions.assumeTrue(kubectl.isPresent(), Stack.kubectlProblem() + ": the loader was not compared with kubectl kustomize");
        BaseManifests loaded = BaseManifests.load();
        String rendered = Stack.kustomize(kubectl.get(), BaseManifests.baseDir());

        Map<String, JsonNode> expected = new TreeMap<>();
        loaded.objects().forEach(o -> expected.put(o.id(), o.node()));
        Map<String, JsonNode> actual = new TreeMap<>();
        for (KubeObject object : Stack.parse(withoutHashes(rendered, loaded))) {
            actual.put(object.id(), object.node());
        }
        assertEquals(expected.keySet(), actual.keySet(), "(kind, namespace, name) read without kubectl against kubectl kustomize");
        for (String id : expected.keySet()) {
            assertEquals(actual.get(id), expected.get(id), id + " differs from what kubectl kustomize renders");
        }
    }

    /** The rendered stream with each hash-suffixed generated name ({@code name-<10 chars>}) back to its plain name. */
    private static String withoutHashes(String rendered, BaseManifests loaded) {
        String out = rendered;
        for (String name : loaded.hashSuffixed().stream().map(n -> n.substring(n.indexOf('/') + 1)).distinct().toList()) {
            Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + "-[a-z0-9]{10}\\b").matcher(out);
            out = m.replaceAll(Matcher.quoteReplacement(name));
        }
        return out;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static JsonNode withField(JsonNode node, String under, String field, String value) {
        ObjectNode copy = node.deepCopy();
        ObjectNode target = under == null ? copy : (ObjectNode) copy.path(under);
        target.put(field, value);
        return copy;
    }
}
