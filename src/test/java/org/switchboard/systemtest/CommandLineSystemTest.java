package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.proxy.Main;

/** {@code --check} behaves like {@code nginx -t}: exit status and every error, located. */
class CommandLineSystemTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void checkAcceptsTheDocumentedExample() throws Exception {
        Path config = Files.writeString(dir.resolve("ok.yaml"), """
                listeners:
                  - name: client
                    address: "0.0.0.0:8080"
                admin:
                  address: "127.0.0.1:9901"
                upstreams:
                  main:
                    endpoints: ["synapse-main.matrix.svc.cluster.local:8008"]
                  generic:
                    endpoints: ["10.0.2.10:18008", "10.0.2.10:18009"]
                routes:
                  - path: { prefix: "/_matrix/client/" }
                    methods: [GET, HEAD]
                    upstream: generic
                runtime:
                  eventLoopThreads: 2
                """);
        assertEquals(0, run("--check", "--config", config.toString()));
        assertTrue(stdout().contains("is valid"), stdout());
    }

    /** The README's "Every key" block is what admins copy from: it must stay a valid config. */
    @Test
    void checkAcceptsTheReadmeConfigReference() throws Exception {
        String readme = Files.readString(Path.of("..", "..", "README.md"));
        int start = readme.indexOf("```yaml", readme.indexOf("Every key:")) + "```yaml".length();
        String reference = readme.substring(start, readme.indexOf("```", start));
        assertTrue(reference.contains("dns:") && reference.contains("listeners:"), reference);
        Path config = Files.writeString(dir.resolve("reference.yaml"), reference);

        assertEquals(0, run("--check", "--config", config.toString()), stderr());
    }

    @Test
    void checkListsEveryErrorAndFails() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yaml"), """
                listeners:
                  - name: client
                    address: "0.0.0.0:8080"
                upstreams:
                  generic:
                    endpoints: ["10.0.2.10:18008", "10.0.2.10:99999"]
                routes:
                  - path: { prefix: "/_matrix/client/" }
                    upstream: genric
                """);
        assertEquals(1, run("--check", "--config", config.toString()));
        assertTrue(stderr().contains("upstreams.generic.endpoints[1]: \"10.0.2.10:99999\" (expected host:port, port 1-65535)"), stderr());
        assertTrue(stderr().contains("routes[0].upstream: \"genric\""), stderr());
    }

    @Test
    void missingConfigFileIsAnErrorNotACrash() throws Exception {
        assertEquals(1, run("--check", "--config", dir.resolve("absent.yaml").toString()));
        assertTrue(stderr().contains("absent.yaml"), stderr());
    }

    @Test
    void unknownArgumentShowsUsage() throws Exception {
        assertEquals(2, run("--frobnicate"));
        assertTrue(stderr().contains("Usage:"), stderr());
    }

    @Test
    void checkWithoutConfigValidatesTheBuiltInDefault() throws Exception {
        assertEquals(0, run("--check"));
    }

    private int run(String... args) throws Exception {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
