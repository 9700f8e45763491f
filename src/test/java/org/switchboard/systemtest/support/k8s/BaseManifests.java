package org.switchboard.systemtest.support.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code deploy/k8s/base} read without kubectl (K8S.md §10: when no kubectl can render, the base is still validated).
 * Follows {@code resources:} from {@code kustomization.yaml} down through every directory listed, collects every
 * document of every YAML file listed, and emulates {@code configMapGenerator} and {@code secretGenerator} (files,
 * literals, env files, {@code options} and {@code generatorOptions}). Generated names are left without kustomize's
 * hash suffix; {@link #hashSuffixed()} says which ones kubectl would suffix. Any other kustomization field (patches,
 * namespace, labels, images, components, ...) transforms what kubectl renders, so it is refused rather than ignored:
 * extend this class when the base starts using one.
 */
public final class BaseManifests {
    private static final Set<String> KUSTOMIZATION_NAMES = Set.of("kustomization.yaml", "kustomization.yml", "Kustomization");
    private static final Set<String> SUPPORTED_FIELDS =
            Set.of("apiVersion", "kind", "resources", "configMapGenerator", "secretGenerator", "generatorOptions");
    private static final Set<String> SUPPORTED_GENERATOR_FIELDS =
            Set.of("name", "namespace", "behavior", "files", "literals", "envs", "env", "options", "type");
    private static final Set<String> SUPPORTED_OPTIONS = Set.of("disableNameSuffixHash", "labels", "annotations", "immutable");

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<KubeObject> objects = new ArrayList<>();
    private final Set<String> hashSuffixed = new TreeSet<>();
    private final Set<Path> visited = new HashSet<>();

    private BaseManifests() {}

    /** {@code deploy/k8s/base} of this repository. */
    public static BaseManifests load() {
        return load(baseDir());
    }

    /** {@code deploy/k8s/base} of this repository. */
    public static Path baseDir() {
        return Stack.findRepoRoot().resolve("deploy/k8s/base");
    }

    /** The kustomization in {@code dir}, read the way described above; fails on what it cannot emulate. */
    public static BaseManifests load(Path dir) {
        BaseManifests base = new BaseManifests();
        base.readKustomization(dir.toAbsolutePath().normalize(), Map.of());
        Set<String> ids = new HashSet<>();
        for (KubeObject object : base.objects) {
            if (!ids.add(object.id())) {
                throw new IllegalStateException(dir + ": " + object.id() + " is defined twice (kubectl kustomize refuses that too)");
            }
        }
        return base;
    }

    /** {@code ../shared/k8s-schemas}, beside the repository. */
    public static Path schemasDir() {
        return Stack.findRepoRoot().resolve("..").resolve("shared").resolve("k8s-schemas").normalize();
    }

    public List<KubeObject> objects() {
        return List.copyOf(objects);
    }

    /** The objects as a tier named {@code base}, for its finders. */
    public RenderedTier tier() {
        return new RenderedTier("base", objects());
    }

    /** {@code namespace/name} of each generated object whose rendered name kubectl suffixes with a content hash. */
    public Set<String> hashSuffixed() {
        return Set.copyOf(hashSuffixed);
    }

    private void readKustomization(Path dir, Map<String, Object> inheritedOptions) {
        Path file = KUSTOMIZATION_NAMES.stream().map(dir::resolve).filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> new IllegalStateException(dir + " is listed as a resource but holds no kustomization.yaml"));
        if (!visited.add(dir)) {
            throw new IllegalStateException(dir + " is reached twice through resources:");
        }
        Map<String, Object> kustomization = yamlMap(file);
        for (String field : kustomization.keySet()) {
            if (!SUPPORTED_FIELDS.contains(field)) {
                throw new IllegalStateException(file + ": `" + field + "` is not emulated by " + BaseManifests.class.getSimpleName()
                        + " (the kubectl-less fallback); teach it, or keep the base free of transformers");
            }
        }
        for (Object resource : list(kustomization.get("resources"), file, "resources")) {
            String entry = String.valueOf(resource);
            if (entry.contains("://") || entry.startsWith("github.com/")) {
                throw new IllegalStateException(file + ": remote resource " + entry + " cannot be read without kubectl");
            }
            Path path = dir.resolve(entry).normalize();
            if (Files.isDirectory(path)) {
                readKustomization(path, Map.of());
            } else if (Files.isRegularFile(path)) {
                objects.addAll(documents(path));
            } else {
                throw new IllegalStateException(file + ": resource " + entry + " does not exist");
            }
        }
        Map<String, Object> generatorOptions = map(kustomization.get("generatorOptions"), file, "generatorOptions");
        for (String option : generatorOptions.keySet()) {
            if (!SUPPORTED_OPTIONS.contains(option)) {
                throw new IllegalStateException(file + ": generatorOptions." + option + " is not emulated");
            }
        }
        for (Object generator : list(kustomization.get("configMapGenerator"), file, "configMapGenerator")) {
            objects.add(generate("ConfigMap", dir, file, map(generator, file, "configMapGenerator"), generatorOptions));
        }
        for (Object generator : list(kustomization.get("secretGenerator"), file, "secretGenerator")) {
            objects.add(generate("Secret", dir, file, map(generator, file, "secretGenerator"), generatorOptions));
        }
    }

    /** Every document of a YAML file ({@code ---}-separated, empty ones dropped, {@code kind: List} expanded). */
    private List<KubeObject> documents(Path file) {
        List<KubeObject> out = new ArrayList<>();
        for (KubeObject document : Stack.parse(read(file))) {
            if (document.kind().equals("List") && document.node().has("items")) {
                document.node().path("items").forEach(item -> out.add(new KubeObject(item)));
            } else {
                out.add(document);
            }
        }
        return out;
    }

    private KubeObject generate(String kind, Path dir, Path file, Map<String, Object> generator, Map<String, Object> globalOptions) {
        for (String field : generator.keySet()) {
            if (!SUPPORTED_GENERATOR_FIELDS.contains(field)) {
                throw new IllegalStateException(file + ": " + kind + " generator field `" + field + "` is not emulated");
            }
        }
        String name = String.valueOf(generator.get("name"));
        Object behavior = generator.getOrDefault("behavior", "create");
        if (!"create".equals(behavior)) {
            throw new IllegalStateException(file + ": generator " + name + " has behavior " + behavior + ", only create is emulated");
        }
        Map<String, Object> options = new LinkedHashMap<>(globalOptions);
        Map<String, Object> own = map(generator.get("options"), file, "options");
        for (String option : own.keySet()) {
            if (!SUPPORTED_OPTIONS.contains(option)) {
                throw new IllegalStateException(file + ": generator " + name + " option " + option + " is not emulated");
            }
        }
        options.putAll(own);

        Map<String, String> text = new TreeMap<>();
        Map<String, String> binary = new TreeMap<>();
        for (Object literal : list(generator.get("literals"), file, "literals")) {
            String[] kv = keyValue(String.valueOf(literal), file);
            text.put(kv[0], unquote(kv[1]));
        }
        List<Object> envs = new ArrayList<>(list(generator.get("envs"), file, "envs"));
        if (generator.get("env") != null) {
            envs.add(generator.get("env"));
        }
        for (Object env : envs) {
            for (String line : read(dir.resolve(String.valueOf(env))).split("\n")) {
                String trimmed = line.strip();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                    String[] kv = keyValue(trimmed, file);
                    text.put(kv[0], kv[1]);
                }
            }
        }
        for (Object source : list(generator.get("files"), file, "files")) {
            String entry = String.valueOf(source);
            int eq = entry.indexOf('=');
            Path path = dir.resolve(eq < 0 ? entry : entry.substring(eq + 1)).normalize();
            String key = eq < 0 ? path.getFileName().toString() : entry.substring(0, eq);
            byte[] bytes = bytes(path);
            try {
                text.put(key, StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString());
            } catch (CharacterCodingException e) {
                binary.put(key, Base64.getEncoder().encodeToString(bytes));
            }
        }

        ObjectNode node = mapper.createObjectNode();
        node.put("apiVersion", "v1");
        node.put("kind", kind);
        ObjectNode metadata = node.putObject("metadata");
        metadata.put("name", name);
        String namespace = generator.get("namespace") == null ? "" : String.valueOf(generator.get("namespace"));
        if (!namespace.isEmpty()) {
            metadata.put("namespace", namespace);
        }
        for (String field : List.of("labels", "annotations")) {
            Map<String, Object> values = map(options.get(field), file, field);
            if (!values.isEmpty()) {
                ObjectNode target = metadata.putObject(field);
                values.forEach((k, v) -> target.put(k, String.valueOf(v)));
            }
        }
        if (kind.equals("Secret")) {
            node.put("type", String.valueOf(generator.getOrDefault("type", "Opaque")));
            binary.putAll(encodeAll(text));
            text.clear();
        }
        if (!text.isEmpty()) {
            ObjectNode data = node.putObject("data");
            text.forEach(data::put);
        }
        if (!binary.isEmpty()) {
            ObjectNode data = node.putObject(kind.equals("Secret") ? "data" : "binaryData");
            binary.forEach(data::put);
        }
        if (Boolean.TRUE.equals(options.get("immutable"))) {
            node.put("immutable", true);
        }
        if (!Boolean.TRUE.equals(options.get("disableNameSuffixHash"))) {
            hashSuffixed.add(namespace + "/" + name);
        }
        return new KubeObject(node);
    }

    private static Map<String, String> encodeAll(Map<String, String> text) {
        Map<String, String> out = new TreeMap<>();
        text.forEach((k, v) -> out.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return out;
    }

    private static String[] keyValue(String entry, Path file) {
        int eq = entry.indexOf('=');
        if (eq <= 0) {
            throw new IllegalStateException(file + ": `" + entry + "` is not KEY=VALUE");
        }
        return new String[] {entry.substring(0, eq).strip(), entry.substring(eq + 1)};
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yamlMap(Path file) {
        Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(read(file));
        if (!(loaded instanceof Map)) {
            throw new IllegalStateException(file + " is not a YAML mapping");
        }
        return (Map<String, Object>) loaded;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, Path file, String field) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map)) {
            throw new IllegalStateException(file + ": `" + field + "` is not a mapping");
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value, Path file, String field) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List)) {
            throw new IllegalStateException(file + ": `" + field + "` is not a list");
        }
        return (List<Object>) value;
    }

    private static String read(Path file) {
        return new String(bytes(file), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
