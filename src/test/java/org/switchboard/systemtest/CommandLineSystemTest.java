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

    /** The README's full example for the whole stack (matrix, element, admin, rtc hosts) is a valid config. */
    @Test
    void checkAcceptsTheReadmeFullExample() throws Exception {
        String example = readmeBlockAfter("Full example for the whole stack");
        assertTrue(example.contains("wellKnown:") && example.contains("rtc.example.com") && example.contains("allow:"),
                example);
        Path config = Files.writeString(dir.resolve("stack.yaml"), example);

        assertEquals(0, run("--check", "--config", config.toString()), stderr());
        assertEquals(0, run("--print-routes", "--config", config.toString()), stderr());
        for (String shown : new String[] {"wellKnown/client", "# host element.example.com", "# host rtc.example.com",
                "# host matrix.example.com", "# any other host: as matrix.example.com", "[allow 192.168.10.0/24]",
                "[rateLimit 50/1s burst 500]", "(answered: 301)", "lk-jwt", "synapse/"}) {
            assertTrue(stdout().contains(shown), shown + " missing in\n" + stdout());
        }
    }

    /** The README's two route recipes (a private admin API, login limits) are valid with the upstreams they name. */
    @Test
    void checkAcceptsTheReadmeRecipes() throws Exception {
        String upstreams = """
                listeners: [{name: client, address: "0.0.0.0:8080"}]
                upstreams:
                  main: {endpoints: ["a:1"]}
                  generic: {endpoints: ["b:1"]}
                  media: {endpoints: ["c:1"]}
                  synapse-admin: {endpoints: ["d:1"]}
                """;
        for (String recipe : new String[] {"Keeping the admin API and Synapse Admin private", "Rate limits sized for offices"}) {
            Path config = Files.writeString(dir.resolve("recipe.yaml"), upstreams + readmeBlockAfter(recipe));
            assertEquals(0, run("--check", "--config", config.toString()), recipe + ": " + stderr());
        }
    }

    private static String readmeBlockAfter(String marker) throws java.io.IOException {
        String readme = Files.readString(Path.of("..", "..", "README.md"));
        int at = readme.indexOf(marker);
        assertTrue(at >= 0, marker);
        int start = readme.indexOf("```yaml", at) + "```yaml".length();
        return readme.substring(start, readme.indexOf("```", start));
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
