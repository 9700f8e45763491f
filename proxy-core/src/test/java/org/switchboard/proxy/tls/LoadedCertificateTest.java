package org.switchboard.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.OpenSslSessionContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.switchboard.config.TlsSpec;

/** A pair is loaded with each provider, or refused with its location, its path and the cause. */
class LoadedCertificateTest {
    private static final String AT = "listeners[0].tls.certificates[1]";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} + {1}, {2}")
    @CsvSource({
        "rsa.crt, rsa-pkcs1.key, boringssl", "rsa.crt, rsa-pkcs1.key, jdk",
        "ec256.crt, ec256-sec1.key, boringssl", "ec256.crt, ec256-sec1.key, jdk",
        "ec384.crt, ec384-pkcs8.key, boringssl", "ec384.crt, ec384-sec1.key, jdk",
    })
    void aPairInEachFormLoadsWithEachProvider(String cert, String key, String provider) throws Exception {
        TlsContexts contexts = provider.equals("jdk") ? TlsContexts.jdk(new TicketKeys()) : TlsContexts.best(new TicketKeys());
        assertEquals(provider.equals("boringssl"), contexts.isOpenSsl(), "netty-tcnative loads on this platform");
        LoadedCertificate loaded = LoadedCertificate.load(AT, pair(cert, key), TlsSpec.TLS_1_2, true, contexts);
        String name = cert.replace(".crt", "") + ".example.test";
        assertEquals(name, loaded.name());
        assertEquals(List.of(name), loaded.dnsNames());
        assertTrue(loaded.notAfter().getEpochSecond() > 4_000_000_000L, "valid for a century");
        assertTrue(loaded.context().isServer());
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() throws Exception {
        TlsSpec.CertificateSpec pair = pair("rsa.crt", "ec256-sec1.key");
        TlsConfigException e = assertThrows(TlsConfigException.class,
                () -> LoadedCertificate.load(AT, pair, TlsSpec.TLS_1_2, true, TlsContexts.best(new TicketKeys())));
        assertEquals(AT + ".key: " + pair.key() + ": does not match the certificate in " + pair.cert()
                + " (expected the private key of its first certificate)", e.getMessage());
        // Same algorithm, another key: the signature check, not the algorithm, refuses it.
        TlsSpec.CertificateSpec sameCurve = pair("ec384.crt", "ec256-sec1.key");
        assertThrows(TlsConfigException.class,
                () -> LoadedCertificate.load(AT, sameCurve, TlsSpec.TLS_1_2, true, TlsContexts.best(new TicketKeys())));
    }

    @Test
    void missingAndSwappedFilesAreSaidWithTheirLocation() throws Exception {
        TlsSpec.CertificateSpec missing = TlsSpec.CertificateSpec.of(dir.resolve("nope.crt"), dir.resolve("nope.key"));
        assertEquals(List.of(AT + ".cert: " + missing.cert() + ": no such file", AT + ".key: " + missing.key() + ": no such file"),
                assertThrows(TlsConfigException.class, () -> LoadedCertificate.load(AT, missing, TlsSpec.TLS_1_2, true,
                        TlsContexts.best(new TicketKeys()))).errors(), "both files of the pair, at once");
        TlsSpec.CertificateSpec directory = TlsSpec.CertificateSpec.of(dir, dir.resolve("nope.key"));
        assertEquals(AT + ".cert: " + dir + ": a directory, not a file", assertThrows(TlsConfigException.class,
                () -> LoadedCertificate.load(AT, directory, TlsSpec.TLS_1_2, true, TlsContexts.best(new TicketKeys())))
                .errors().get(0));
        TlsSpec.CertificateSpec swapped = pair("rsa-pkcs1.key", "rsa.crt");
        assertEquals(AT + ".cert: " + swapped.cert() + ": not a PEM certificate (expected BEGIN CERTIFICATE)",
                assertThrows(TlsConfigException.class,
                        () -> LoadedCertificate.load(AT, swapped, TlsSpec.TLS_1_2, true, TlsContexts.best(new TicketKeys()))).getMessage());
        TlsSpec.CertificateSpec certAsKey = pair("rsa.crt", "rsa.crt");
        assertEquals(AT + ".key: " + certAsKey.key()
                        + ": not a PEM private key (expected BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)",
                assertThrows(TlsConfigException.class,
                        () -> LoadedCertificate.load(AT, certAsKey, TlsSpec.TLS_1_2, true, TlsContexts.best(new TicketKeys()))).getMessage());
    }

    @Test
    void boringSslContextsGetTicketKeysAndKeepThemAcrossARotation() throws Exception {
        TicketKeys keys = new TicketKeys();
        LoadedCertificate loaded = LoadedCertificate.load(AT, pair("ec256.crt", "ec256-sec1.key"), TlsSpec.TLS_1_3, true,
                TlsContexts.best(keys));
        keys.rotate();
        assertEquals(1, keys.rotations());
        assertTrue(loaded.context().sessionContext() instanceof OpenSslSessionContext);
    }

    private TlsSpec.CertificateSpec pair(String cert, String key) throws IOException {
        Path certFile = dir.resolve("c-" + cert);
        Path keyFile = dir.resolve("k-" + key);
        Files.writeString(certFile, PemKeysTest.resource(cert));
        Files.writeString(keyFile, PemKeysTest.resource(key));
        return TlsSpec.CertificateSpec.of(certFile, keyFile);
    }
}
