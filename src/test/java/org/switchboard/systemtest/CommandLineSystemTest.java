package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.proxy.Main;
import org.switchboard.systemtest.support.ProxyUnderTest;

/** {@code --check} behaves like {@code nginx -t}: exit status and every error, located. */
class CommandLineSystemTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void checkWarnsThatAnEmptyAdminAllowWithoutATokenLocksTheActionsOut() throws Exception {
        Path config = Files.writeString(dir.resolve("locked.yaml"), """
                listeners: [{name: client, address: "0.0.0.0:8080"}]
                admin: {address: "127.0.0.1:9901", allow: []}
                upstreams: {main: {endpoints: ["127.0.0.1:8008"]}}
                routes:
                  - { path: { prefix: "/_synapse/admin/" }, allow: ["10.0.0.0/8"], upstream: main }
                  - preset: synapse
                """);
        assertEquals(0, run("--check", "--config", config.toString()), stderr());
        assertEquals(List.of("warning: admin.allow is empty and admin.tokenFile is not set: POST /reload and POST /drain"
                + " are refused to everyone (a change of the file still reloads, SIGTERM still drains)"), stderr().lines().toList());
    }

    /** An allow list written after the preset guards nothing, and the admin API is open: both said, exit 0. */
    @Test
    void checkWarnsOfARouteThatNeverMatchesAndOfAnOpenAdminApi() throws Exception {
        Path config = Files.writeString(dir.resolve("shadowed.yaml"), """
                listeners: [{name: client, address: "0.0.0.0:8080"}]
                upstreams: {main: {endpoints: ["127.0.0.1:8008"]}}
                routes:
                  - preset: synapse
                  - { path: { prefix: "/_synapse/admin/" }, allow: ["10.0.0.0/8"], upstream: main }
                """);
        assertEquals(0, run("--check", "--config", config.toString()), stderr());
        List<String> warnings = stderr().lines().toList();
        assertEquals(2, warnings.size(), stderr());
        assertTrue(warnings.get(0).startsWith("warning: routes[1] (prefix /_synapse/admin/) never matches: synapse/admin"),
                warnings.get(0));
        assertTrue(warnings.get(1).startsWith("warning: Synapse's admin API (/_synapse/admin/) is forwarded to main from"
                + " every client address on every Host"), warnings.get(1));
    }

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
        String listeners = "listeners: [{name: client, address: \"0.0.0.0:8080\"}]\n";
        // Every upstream must be used, so each recipe gets those it names (main, generic, media: the preset's roles).
        String[][] recipes = {
                {"Keeping the admin API and Synapse Admin private", "synapse-admin"},
                {"Rate limits sized for offices", null}};
        for (String[] recipe : recipes) {
            String upstreams = "upstreams:\n  main: {endpoints: [\"a:1\"]}\n  generic: {endpoints: [\"b:1\"]}\n"
                    + "  media: {endpoints: [\"c:1\"]}\n"
                    + (recipe[1] == null ? "" : "  " + recipe[1] + ": {endpoints: [\"d:1\"]}\n");
            Path config = Files.writeString(dir.resolve("recipe.yaml"), listeners + upstreams + readmeBlockAfter(recipe[0]));
            assertEquals(0, run("--check", "--config", config.toString()), recipe[0] + ": " + stderr());
        }
    }

    private static String readmeBlockAfter(String marker) throws IOException {
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

    /** --check must never start servers nor pass a broken config because another flag came with it. */
    @Test
    void modesThatDoNotGoTogetherAreAUsageError() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "listeners: [oops\n");
        for (String[] args : List.of(new String[] {"--check", "--demo"}, new String[] {"--check", "--version", "--config", broken.toString()},
                new String[] {"--print-routes", "--check"}, new String[] {"--demo", "--config", broken.toString()},
                new String[] {"--check", "--config", broken.toString(), "--config", broken.toString()})) {
            out.reset();
            err.reset();
            assertEquals(2, run(args), String.join(" ", args) + ": " + stderr());
            assertTrue(stderr().contains("Usage:"), stderr());
            assertEquals("", stdout(), String.join(" ", args));
        }
    }

    @Test
    void unknownArgumentShowsUsage() throws Exception {
        assertEquals(2, run("--frobnicate"));
        assertTrue(stderr().contains("Usage:"), stderr());
    }

    @Test
    void checkWithoutConfigValidatesTheBuiltInDefault() throws Exception {
        assertEquals(0, run("--check"));
        assertTrue(stdout().contains("built-in default; no file given, so none was checked"), stdout());
    }

    /** D2: a typo or a Synapse app name used to pass and send that role's traffic to main. */
    @Test
    void checkRefusesAMisspelledUpstreamAndSynapseAppNamesNamingTheRole() throws Exception {
        Path config = Files.writeString(dir.resolve("names.yaml"), """
                listeners:
                  - name: client
                    address: "0.0.0.0:8080"
                upstreams:
                  main:
                    endpoints: ["10.0.1.10:8008"]
                  synchrotorn:
                    endpoints: ["10.0.1.11:8008"]
                  generic_worker:
                    endpoints: ["10.0.1.12:8008"]
                  media_repository:
                    endpoints: ["10.0.1.13:8008"]
                """);

        assertEquals(1, run("--check", "--config", config.toString()));
        assertEquals("invalid config " + config + ":\n"
                + "  upstreams.synchrotorn: not a role of the built-in table and used by no route (did you mean \"synchrotron\"?)\n"
                + "  upstreams.generic_worker: not a role of the built-in table and used by no route (\"generic_worker\" is a"
                + " Synapse worker app; the built-in table's role for it is \"generic\")\n"
                + "  upstreams.media_repository: not a role of the built-in table and used by no route (\"media_repository\" is a"
                + " Synapse worker app; the built-in table's role for it is \"media\")\n", stderr());
    }

    /** D14: --check opens the access log as the proxy would, and says which file and why. */
    @Test
    void checkRefusesAnAccessLogThatCannotBeWritten() throws Exception {
        Path log = dir.resolve("nonexistent").resolve("access.log");
        Path config = Files.writeString(dir.resolve("log.yaml"), """
                listeners:
                  - name: client
                    address: "0.0.0.0:8080"
                upstreams:
                  main:
                    endpoints: ["10.0.1.10:8008"]
                accessLog:
                  path: "%s"
                """.formatted(log));

        assertEquals(1, run("--check", "--config", config.toString()));
        assertEquals("invalid config " + config + ":\n  accessLog.path: \"" + log + "\" (cannot be written: directory "
                + log.getParent() + " does not exist)\n", stderr());
    }

    @Test
    void versionNamesSwitchboardAndTheSynapseReleaseOfTheBuiltInTable() throws Exception {
        assertEquals(0, run("--version"));
        assertTrue(stdout().matches("Switchboard \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?; built-in route table follows Synapse v?"
                + "v?\\d+\\.\\d+\\.\\d+ \\(docs/workers.md at [0-9a-f]{7,40}\\)\\R"), stdout());
    }

    /** D14: a bind failure names the listener and the address, not only the system's words. */
    @Test
    void aBindFailureNamesTheListenerAndAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = Files.writeString(dir.resolve("taken.yaml"), """
                    listeners:
                      - name: client
                        address: "127.0.0.1:%d"
                    admin:
                      address: "127.0.0.1:0"
                    accessLog: {enabled: false}
                    upstreams:
                      main:
                        endpoints: ["127.0.0.1:8008"]
                    """.formatted(taken.getLocalPort()));

            assertEquals(1, run("--config", config.toString()));
            assertEquals("could not start: listener client: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + " (Address already in use)\n", stderr());
        }
    }

    /** One start names every address in use, not only the first. */
    @Test
    void everyBindFailureIsNamedInOneStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket alsoTaken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = Files.writeString(dir.resolve("taken2.yaml"), """
                    listeners:
                      - name: client
                        address: "127.0.0.1:%d"
                      - name: spare
                        address: "127.0.0.1:0"
                    admin:
                      address: "127.0.0.1:%d"
                    accessLog: {enabled: false}
                    upstreams:
                      main:
                        endpoints: ["127.0.0.1:8008"]
                    """.formatted(taken.getLocalPort(), alsoTaken.getLocalPort()));

            assertEquals(1, run("--config", config.toString()));
            assertEquals("could not start: listener client: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + " (Address already in use)\n  admin listener: cannot listen on 127.0.0.1:" + alsoTaken.getLocalPort()
                    + " (Address already in use)\n", stderr());
        }
    }

    /** --print-routes says which Synapse release the table follows, and marks what it holds back on main. */
    @Test
    void printRoutesShowsWhatAPinnedReleaseHoldsBack() throws Exception {
        Path config = Files.writeString(dir.resolve("pinned.yaml"), """
                listeners: [{name: client, address: "0.0.0.0:8080"}]
                upstreams:
                  main:    {endpoints: ["127.0.0.1:8008"]}
                  generic: {endpoints: ["127.0.0.1:8081"]}
                synapse: {version: "1.67.0"}
                """);

        assertEquals(0, run("--print-routes", "--config", config.toString()), stderr());
        assertTrue(stdout().contains("# following Synapse 1.67.0 (synapse.version): "), stdout());
        String capabilities = stdout().lines().filter(line -> line.contains("/capabilities$")).findFirst().orElseThrow();
        assertTrue(capabilities.matches(".*\\[held back: workers serve it from Synapse 1\\.82\\.0\\]\\s+main\\s.*"),
                capabilities);
        String whoami = stdout().lines().filter(line -> line.contains("/account/whoami$")).findFirst().orElseThrow();
        assertTrue(whoami.contains("generic") && !whoami.contains("held back"), whoami);
    }

    /** With auto, --print-routes asks main; one that does not answer leaves the newest table, and says why. */
    @Test
    void printRoutesWithAutoAsksMainAndSaysWhenItCannot() throws Exception {
        Path config = Files.writeString(dir.resolve("auto.yaml"), """
                listeners: [{name: client, address: "0.0.0.0:8080"}]
                upstreams:
                  main:    {endpoints: ["127.0.0.1:%d"]}
                  generic: {endpoints: ["127.0.0.1:8081"]}
                """.formatted(ProxyUnderTest.freePort()));

        assertEquals(0, run("--print-routes", "--config", config.toString()), stderr());
        assertTrue(stdout().contains("# following Synapse unknown (main 127.0.0.1:"), stdout());
        assertTrue(stdout().contains("the table as of Synapse 1.157.1"), stdout());
        assertTrue(!stdout().contains("held back"), stdout());
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
