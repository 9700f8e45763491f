package org.switchboard.systemtest.support.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The repository's {@code deploy/k8s} rendered with {@code kubectl kustomize}, one {@link RenderedTier} per overlay
 * (without a kubectl able to render, {@link BaseManifests} reads the base alone),
 * and where the shared design material ({@code ../shared} beside the repository) is.
 */
public final class Stack {
    public static final List<String> TIERS = List.of("1k", "10k", "20k");

    private final Path repoRoot;
    private final Map<String, RenderedTier> tiers;

    private Stack(Path repoRoot, Map<String, RenderedTier> tiers) {
        this.repoRoot = repoRoot;
        this.tiers = tiers;
    }

    /** Renders every overlay; fails when an overlay is missing or does not render. */
    public static Stack render(Path kubectl) throws IOException, InterruptedException {
        Path root = findRepoRoot();
        Map<String, RenderedTier> tiers = new LinkedHashMap<>();
        for (String tier : TIERS) {
            Path overlay = root.resolve("deploy/k8s/overlays").resolve(tier);
            if (!Files.isDirectory(overlay)) {
                throw new AssertionError("overlay " + tier + " is missing: " + overlay);
            }
            tiers.put(tier, new RenderedTier(tier, parse(kustomize(kubectl, overlay))));
        }
        return new Stack(root, tiers);
    }

    public Path repoRoot() {
        return repoRoot;
    }

    /** {@code ../shared}, beside the repository (so in CI's clone too). */
    public Path shared() {
        return repoRoot.resolve("..").resolve("shared").normalize();
    }

    public Path k8sDir() {
        return repoRoot.resolve("deploy/k8s");
    }

    public RenderedTier tier(String name) {
        return tiers.get(name);
    }

    public List<RenderedTier> tiers() {
        return List.copyOf(tiers.values());
    }

    /** The system property naming the kubectl to use: a path, or a bare name looked up on the PATH. */
    public static final String KUBECTL_PROPERTY = "switchboard.kubectl";
    /** Kustomize components (used by the overlays) need kubectl 1.27 or later. */
    static final int MIN_KUBECTL_MINOR = 27;

    private static volatile KubectlLookup kubectlLookup;

    /** A kubectl that can render the overlays (named by {@value #KUBECTL_PROPERTY}, else on the PATH), if any. */
    public static Optional<Path> findKubectl() {
        return kubectlLookup().path();
    }

    /** Why {@link #findKubectl()} is empty, for skip messages; empty when a usable kubectl was found. */
    public static String kubectlProblem() {
        return kubectlLookup().problem();
    }

    private record KubectlLookup(Optional<Path> path, String problem) {}

    private static KubectlLookup kubectlLookup() {
        KubectlLookup lookup = kubectlLookup;
        if (lookup == null) {
            lookup = lookUpKubectl();
            kubectlLookup = lookup;
        }
        return lookup;
    }

    private static KubectlLookup lookUpKubectl() {
        String name = System.getProperty(KUBECTL_PROPERTY, "kubectl");
        Optional<Path> found = Optional.empty();
        if (name.contains("/") || name.contains(File.separator)) {
            found = Optional.of(Path.of(name)).filter(Files::isExecutable);
        } else {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                    found = Optional.of(candidate);
                    break;
                }
            }
        }
        if (found.isEmpty()) {
            return new KubectlLookup(Optional.empty(), "no kubectl (" + KUBECTL_PROPERTY + "=" + name + " is not an executable"
                    + (name.contains("/") ? "" : " on the PATH") + ")");
        }
        String version;
        try {
            version = run(found.get(), List.of("version", "--client", "-o", "json"), 30);
        } catch (IOException | InterruptedException | AssertionError e) {
            return new KubectlLookup(Optional.empty(), found.get() + " did not report its version: " + e.getMessage());
        }
        int minor = clientMinorVersion(version);
        if (minor < MIN_KUBECTL_MINOR) {
            return new KubectlLookup(Optional.empty(), found.get() + " is too old to render the overlays (client minor version "
                    + (minor < 0 ? "unreadable" : "1." + minor) + ", kustomize components need 1." + MIN_KUBECTL_MINOR + " or later)");
        }
        return new KubectlLookup(found, "");
    }

    /**
     * The minor version of a 1.x client in {@code kubectl version --client -o json} output ({@code "32+"} reads as 32);
     * -1 when it cannot be read or the major version is not 1.
     */
    public static int clientMinorVersion(String versionJson) {
        try {
            JsonNode client = new ObjectMapper().readTree(versionJson).path("clientVersion");
            if (!client.path("major").asText().replaceAll("\\D", "").equals("1")) {
                return -1;
            }
            String minor = client.path("minor").asText().replaceAll("\\D.*", "");
            return minor.isEmpty() ? -1 : Integer.parseInt(minor);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The directory holding {@code deploy/k8s} and the root {@code pom.xml}, found upwards from the working directory. */
    static Path findRepoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve("deploy/k8s")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new AssertionError("no deploy/k8s above " + Path.of("").toAbsolutePath());
    }

    /** {@code kubectl kustomize dir}: the rendered YAML stream. */
    public static String kustomize(Path kubectl, Path dir) throws IOException, InterruptedException {
        return run(kubectl, List.of("kustomize", dir.toString()), 120);
    }

    private static String run(Path kubectl, List<String> args, int timeoutSeconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(kubectl.toString());
        command.addAll(args);
        String shown = "kubectl " + String.join(" ", args);
        Path out = Files.createTempFile("kubectl", ".out");
        Path err = Files.createTempFile("kubectl", ".err");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(shown + " took over " + timeoutSeconds + " s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(shown + " failed: " + Files.readString(err, StandardCharsets.UTF_8));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The documents of a YAML stream, empty ones dropped. */
    public static List<KubeObject> parse(String yaml) {
        ObjectMapper mapper = new ObjectMapper();
        List<KubeObject> objects = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (document != null) {
                objects.add(new KubeObject(mapper.valueToTree(document)));
            }
        }
        return objects;
    }
}
