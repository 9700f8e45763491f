package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What --check opens beyond validation: the access-log file and the admin token file, naming the cause. */
class PreflightTest {
    private static final String VALID = """
            listeners: [{name: client, address: "0.0.0.0:8080"}]
            upstreams: {main: {endpoints: ["10.0.1.10:8008"]}}
            """;

    @TempDir
    Path dir;

    @Test
    void filesThatCanBeOpenedPass() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret\n");
        assertEquals(List.of(), problems(dir.resolve("access.log"), token));
        assertEquals("s3cret", new String(Preflight.readToken(token.toString()), StandardCharsets.UTF_8),
                "a Secret written with echo ends in a newline that is no part of the token");
    }

    @Test
    void anAccessLogInAMissingDirectoryIsNamedWithItsCause() {
        Path log = dir.resolve("nonexistent").resolve("access.log");

        assertEquals(List.of("accessLog.path: \"" + log + "\" (cannot be written: directory " + log.getParent()
                + " does not exist)"), problems(log, null));
    }

    @Test
    void anAccessLogBelowAFileOrThatIsADirectoryIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "x");

        assertEquals(List.of("accessLog.path: \"" + file.resolve("access.log") + "\" (cannot be written: " + file
                + " is not a directory)"), problems(file.resolve("access.log"), null));
        assertEquals(List.of("accessLog.path: \"" + dir + "\" (cannot be written: " + dir + " is a directory)"),
                problems(dir, null));
    }

    @Test
    void aSymbolicLinkIsJudgedWhereItPoints() throws Exception {
        Path missing = dir.resolve("gone").resolve("access.log");
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.log"), missing);
        assertEquals(List.of("accessLog.path: \"" + dangling + "\" (cannot be written: directory " + missing.getParent()
                + " does not exist)"), problems(dangling, null));
        Path pointsHome = Files.createSymbolicLink(dir.resolve("home.log"), dir.resolve("access.log"));
        assertEquals(List.of(), problems(pointsHome, null), "a link to a file in an existing directory is fine");
    }

    @Test
    void aMissingOrEmptyTokenFileIsNamed() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        Path missing = dir.resolve("missing");

        assertEquals(List.of("admin.tokenFile: \"" + missing + "\" (cannot be read: no such file)"),
                problems(null, missing));
        assertEquals(List.of("admin.tokenFile: \"" + empty + "\" (is empty (expected a token))"),
                problems(null, empty));
    }

    @Test
    void fileProblemsAreListedWithTheDocumentsOwnErrorsInOneRound() throws Exception {
        Path log = dir.resolve("nonexistent").resolve("access.log");
        String yaml = VALID + "accessLog: {path: \"" + log + "\"}\ntimeouts: {connect: soon}\n";

        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(yaml, "t.yaml", FileChecks.FILES));
        assertEquals(2, e.errors().size(), e.errors().toString());
        assertTrue(e.errors().get(0).startsWith("timeouts.connect: \"soon\""), e.errors().toString());
        assertTrue(e.errors().get(1).startsWith("accessLog.path: "), e.errors().toString());
        // Without checks the document alone is judged: nothing on the machine is touched.
        assertEquals(1, assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(yaml, "t.yaml")).errors().size());
    }

    /** The errors of a valid document with those files, checked as --check and a start check them. */
    private static List<String> problems(Path accessLog, Path tokenFile) {
        try {
            ConfigLoader.parse(VALID
                + (accessLog == null ? "" : "accessLog: {path: \"" + accessLog + "\"}\n")
                + (tokenFile == null ? "" : "admin: {tokenFile: \"" + tokenFile + "\"}\n"), "t.yaml", FileChecks.FILES);
            return List.of();
        } catch (ConfigException e) {
            return e.errors();
        }
    }
}
