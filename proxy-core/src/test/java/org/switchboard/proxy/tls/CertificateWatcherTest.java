package org.switchboard.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.config.HostPort;
import org.switchboard.config.ListenerSpec;
import org.switchboard.config.TlsSpec;

/** The watch of a certificate directory that was deleted and made again is taken up again. */
class CertificateWatcherTest {
    @TempDir
    Path dir;

    @Test
    void aDirectoryDeletedAndMadeAgainIsWatchedAgainAfterOnePoll() throws Exception {
        Path certs = dir.resolve("certs");
        write(certs, "rsa.crt", "rsa-pkcs1.key");
        TlsSpec tls = new TlsSpec(List.of(TlsSpec.CertificateSpec.of(certs.resolve("tls.crt"), certs.resolve("tls.key"))),
                TlsSpec.TLS_1_2);
        ListenerSpec listener = new ListenerSpec("https", HostPort.of("127.0.0.1", 0), false, tls, false, true);
        ListenerTls served = ListenerTls.load(0, listener, TlsContexts.best(new TicketKeys()), new SimpleMeterRegistry());
        Duration poll = Duration.ofMillis(300);
        try (CertificateWatcher watcher = CertificateWatcher.start(List.of(served),
                List.of(certs.resolve("tls.crt"), certs.resolve("tls.key")), new TicketKeys(), poll, Duration.ofHours(1))) {
            deleteTree(certs);
            write(certs, "ec256.crt", "ec256-sec1.key");
            awaitServing(served, "ec256.example.test");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!watcher.watchesEveryDirectory() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(watcher.watchesEveryDirectory(), "the directory made again is watched again");
            replace(certs, "rsa.crt", "rsa-pkcs1.key");
            awaitServing(served, "rsa.example.test");
        }
    }

    /** Waits (10 s at most) until {@code name} is served; fails naming what is served then. */
    private static void awaitServing(ListenerTls served, String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!served.current().get(0).name().equals(name) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(name, served.current().get(0).name());
    }

    private static void write(Path directory, String cert, String key) throws Exception {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("tls.crt"), PemKeysTest.resource(cert));
        Files.writeString(directory.resolve("tls.key"), PemKeysTest.resource(key));
    }

    /** Both files swapped in by rename, as a Secret volume's writer does. */
    private static void replace(Path directory, String cert, String key) throws Exception {
        Path next = Files.createDirectories(directory.resolveSibling("next"));
        write(next, cert, key);
        Files.move(next.resolve("tls.key"), directory.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        Files.move(next.resolve("tls.crt"), directory.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static void deleteTree(Path directory) throws Exception {
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }
}
