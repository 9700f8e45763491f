package org.switchboard.systemtest.support.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Strict validation against {@code ../shared/k8s-schemas}: built-in kinds by kubeconform's file naming in the strict
 * (no unknown fields) set, CRDs under {@code crds/<group>/<kind>_<version>.json}. Draft 4, format assertions off,
 * {@code $schema} dropped. A kind with no schema is an error, never a skip. CRD schemas leave the top level and
 * {@code metadata} open, so those are checked here against the object-meta fields of the built-in schemas.
 */
public final class KubeSchemas {
    private static final String BUILTIN = "v1.32.2-standalone-strict";

    private final Path root;
    private final ObjectMapper mapper = new ObjectMapper();
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(false).build()));
    private final Map<String, Schema> schemas = new HashMap<>();
    private final Set<String> objectMetaFields = new HashSet<>();

    public KubeSchemas(Path root) {
        this.root = root;
        JsonNode meta = read(root.resolve(BUILTIN).resolve("configmap-v1.json")).path("properties").path("metadata").path("properties");
        meta.fieldNames().forEachRemaining(objectMetaFields::add);
        if (objectMetaFields.isEmpty()) {
            throw new IllegalStateException("no ObjectMeta fields found in the built-in ConfigMap schema under " + root);
        }
    }

    /** Every way {@code object} breaks its schema, each as one line; empty when it validates. */
    public List<String> violations(KubeObject object) {
        Path file = schemaFile(object);
        if (file == null || !Files.isRegularFile(file)) {
            return List.of(object.id() + " (" + object.apiVersion() + "): no schema " + (file == null ? "" : root.relativize(file))
                    + " for this kind; add one or do without the kind");
        }
        Schema schema = schemas.computeIfAbsent(file.toString(), f -> load(file));
        List<String> out = new ArrayList<>();
        schema.validate(object.node()).forEach(e -> out.add(object.id() + ": " + e.getInstanceLocation() + ": " + e.getMessage()));
        if (isCustom(object)) {
            JsonNode declared = schema.getSchemaNode().path("properties");
            object.node().fieldNames().forEachRemaining(field -> {
                if (!declared.has(field)) {
                    out.add(object.id() + ": unknown top-level field " + field);
                }
            });
            object.node().path("metadata").fieldNames().forEachRemaining(field -> {
                if (!objectMetaFields.contains(field)) {
                    out.add(object.id() + ": unknown metadata field " + field);
                }
            });
        }
        return out;
    }

    private static boolean isCustom(KubeObject object) {
        String group = group(object.apiVersion());
        return group.contains(".") && !group.endsWith(".k8s.io");
    }

    private Path schemaFile(KubeObject object) {
        String apiVersion = object.apiVersion();
        String kind = object.kind().toLowerCase(Locale.ROOT);
        if (kind.isEmpty() || apiVersion.isEmpty()) {
            return null;
        }
        String group = group(apiVersion);
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        if (isCustom(object)) {
            return root.resolve("crds").resolve(group).resolve(kind + "_" + version + ".json");
        }
        String name = group.isEmpty() ? kind + "-" + version : kind + "-" + group.split("\\.")[0] + "-" + version;
        return root.resolve(BUILTIN).resolve(name + ".json");
    }

    private static String group(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    private Schema load(Path file) {
        ObjectNode node = (ObjectNode) read(file);
        node.remove("$schema");
        return registry.getSchema(node);
    }

    private JsonNode read(Path file) {
        try {
            return mapper.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
