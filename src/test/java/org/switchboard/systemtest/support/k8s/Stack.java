package org.switchboard.systemtest.support.k8s;

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
 * The repository's {@code deploy/k8s} rendered with {@code kubectl kustomize}, one {@link RenderedTier} per overlay,
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

    /** kubectl on the PATH, if any. */
    public static Optional<Path> findKubectl() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "kubectl");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
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

    private static String kustomize(Path kubectl, Path dir) throws IOException, InterruptedException {
        Path out = Files.createTempFile("kustomize", ".yaml");
        Path err = Files.createTempFile("kustomize", ".err");
        try {
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " took over 120 s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed: " + Files.readString(err, StandardCharsets.UTF_8));
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
