package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.proxy.Main;
import org.switchboard.systemtest.support.TlsMaterial;

/** {@code --check} loads the certificate files as a start would, and says what is wrong with which file. */
class TlsCommandLineSystemTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void checkAcceptsGoodPairs() throws Exception {
        TlsMaterial.copyPair(TlsMaterial.MATRIX, dir.resolve("matrix"));
        TlsMaterial.copyPair(TlsMaterial.ELEMENT, dir.resolve("element"));
        Path config = config("matrix", "element");
        assertEquals(0, run("--check", "--config", config.toString()), stderr());
        assertTrue(stdout().contains("is valid"), stdout());
    }

    /** An expired certificate does not stop a start (it is served, with a warning), and {@code --check} warns of it. */
    @Test
    void checkWarnsOfAnExpiredCertificateAndStillPasses() throws Exception {
        TlsMaterial.copyPair(TlsMaterial.MATRIX, dir.resolve("matrix"));
        TlsMaterial.copyPair(TlsMaterial.EXPIRED, dir.resolve("expired"));
        Path config = config("matrix", "expired");
        assertEquals(0, run("--check", "--config", config.toString()), stderr());
        assertTrue(stdout().contains("is valid"), stdout());
        assertEquals(List.of("warning: listeners[0].tls: certificate expired.example.test (CN=expired.example.test)"
                + " expired at 2000-01-03T00:00:00Z; a start serves it and clients will refuse it"), stderr().lines().toList());
    }

    @Test
    void checkNamesEveryBadFileAndItsCauseWithoutAStackTrace() throws Exception {
        TlsMaterial.copyPair(TlsMaterial.MATRIX, dir.resolve("matrix"));
        Files.createDirectories(dir.resolve("element"));
        TlsMaterial.copy(TlsMaterial.ELEMENT + ".crt", dir.resolve("element/tls.crt"));
        TlsMaterial.copy(TlsMaterial.ELEMENT + ".crt", dir.resolve("element/tls.key"));
        TlsMaterial.copy(TlsMaterial.MATRIX + ".crt", dir.resolve("mixed/tls.crt"));
        TlsMaterial.copy(TlsMaterial.ELEMENT + ".key", dir.resolve("mixed/tls.key"));
        Path config = config("matrix", "element", "mixed", "missing");

        assertEquals(1, run("--check", "--config", config.toString()));
        String errors = stderr();
        assertTrue(errors.contains("listeners[0].tls.certificates[1].key: " + dir.resolve("element/tls.key")
                + ": not a PEM private key"), errors);
        assertTrue(errors.contains("listeners[0].tls.certificates[2].key: " + dir.resolve("mixed/tls.key")
                + ": does not match the certificate in " + dir.resolve("mixed/tls.crt")), errors);
        assertTrue(errors.contains("listeners[0].tls.certificates[3].cert: " + dir.resolve("missing/tls.crt")
                + ": no such file"), errors);
        assertFalse(errors.contains("certificates[0]"), errors);
        assertFalse(errors.contains("\tat "), "no stack trace: " + errors);
    }

    @Test
    void aStartWithABadPairFailsWithTheSameMessages() throws Exception {
        TlsMaterial.copy(TlsMaterial.MATRIX + ".crt", dir.resolve("bad/tls.crt"));
        TlsMaterial.copy(TlsMaterial.MATRIX_RENEWED + ".key", dir.resolve("bad/tls.key"));
        Path config = config("bad");
        assertEquals(1, run("--config", config.toString()));
        assertTrue(stderr().contains("listeners[0].tls.certificates[0].key: " + dir.resolve("bad/tls.key")
                + ": does not match the certificate in " + dir.resolve("bad/tls.crt")), stderr());
    }

    /** A newcomer fixes a config in one round: the document's errors, its files and its certificates, listed together. */
    @Test
    void checkListsTheDocumentsErrorsItsFilesAndItsCertificatesInOneRound() throws Exception {
        Path config = config("missing");
        Path log = dir.resolve("nonexistent/access.log");
        Files.writeString(config, Files.readString(config) + "timeouts: {connect: soon}\naccessLog: {path: \"" + log + "\"}\n");

        assertEquals(1, run("--check", "--config", config.toString()));
        assertEquals(List.of("invalid config " + config + ":",
                "  listeners[0].tls.certificates[0].cert: " + dir.resolve("missing/tls.crt") + ": no such file",
                "  listeners[0].tls.certificates[0].key: " + dir.resolve("missing/tls.key") + ": no such file",
                "  timeouts.connect: \"soon\" (expected a duration such as 500ms, 5s, 3m)",
                "  accessLog.path: \"" + log + "\" (cannot be written: directory " + log.getParent() + " does not exist)"),
                stderr().lines().toList());
    }

    private Path config(String... pairs) throws Exception {
        StringBuilder certificates = new StringBuilder();
        for (String pair : pairs) {
            certificates.append("        - { cert: \"").append(dir.resolve(pair + "/tls.crt"))
                    .append("\", key: \"").append(dir.resolve(pair + "/tls.key")).append("\" }\n");
        }
        return Files.writeString(dir.resolve("switchboard.yaml"), """
                listeners:
                  - name: https
                    address: "127.0.0.1:0"
                    tls:
                      certificates:
                %s
                admin:
                  address: "127.0.0.1:0"
                upstreams:
                  main: { endpoints: ["127.0.0.1:8008"] }
                routes:
                  - { path: { prefix: "/_synapse/admin/" }, allow: ["10.0.0.0/8"], upstream: main }
                  - preset: synapse
                """.formatted(certificates.toString().stripTrailing()));
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
