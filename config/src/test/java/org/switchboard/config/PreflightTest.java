package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(List.of(), Preflight.problems(spec(dir.resolve("access.log"), token)));
        assertEquals("s3cret", new String(Preflight.readToken(token.toString()), StandardCharsets.UTF_8),
                "a Secret written with echo ends in a newline that is no part of the token");
    }

    @Test
    void anAccessLogInAMissingDirectoryIsNamedWithItsCause() {
        Path log = dir.resolve("nonexistent").resolve("access.log");

        assertEquals(List.of("accessLog.path: \"" + log + "\" (cannot be written: directory " + log.getParent()
                + " does not exist)"), Preflight.problems(spec(log, null)));
    }

    @Test
    void anAccessLogBelowAFileOrThatIsADirectoryIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "x");

        assertEquals(List.of("accessLog.path: \"" + file.resolve("access.log") + "\" (cannot be written: " + file
                + " is not a directory)"), Preflight.problems(spec(file.resolve("access.log"), null)));
        assertEquals(List.of("accessLog.path: \"" + dir + "\" (cannot be written: " + dir + " is a directory)"),
                Preflight.problems(spec(dir, null)));
    }

    @Test
    void aMissingOrEmptyTokenFileIsNamed() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        Path missing = dir.resolve("missing");

        assertEquals(List.of("admin.tokenFile: \"" + missing + "\" (cannot be read: no such file)"),
                Preflight.problems(spec(null, missing)));
        assertEquals(List.of("admin.tokenFile: \"" + empty + "\" (is empty (expected a token))"),
                Preflight.problems(spec(null, empty)));
    }

    private static SwitchboardSpec spec(Path accessLog, Path tokenFile) {
        try {
            return ConfigLoader.parse(VALID
                + (accessLog == null ? "" : "accessLog: {path: \"" + accessLog + "\"}\n")
                + (tokenFile == null ? "" : "admin: {tokenFile: \"" + tokenFile + "\"}\n"), "t.yaml");
        } catch (ConfigException e) {
            throw new AssertionError(e.errors().toString(), e);
        }
    }
}
