package org.switchboard.proxy.tls;

import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.switchboard.config.TlsSpec;

/**
 * One certificate of a listener, loaded and checked: its chain and key read from their PEM files,
 * the key proven to belong to the certificate, and the {@link SslContext} that serves it.
 *
 * @param name     what it is called in metrics and on the status page: its first SAN DNS name
 * @param dnsNames the SAN DNS names SNI selects it by, lower case ({@code *.example.com} allowed)
 * @param digest   SHA-256 over both files' bytes, to skip rebuilding when nothing changed
 */
public record LoadedCertificate(String name, List<String> dnsNames, Instant notAfter, String subject,
                                SslContext context, byte[] digest) {
    private static final int DNS_NAME = 2;

    /**
     * Reads and checks one {cert, key} pair. {@code location} is where the pair is written in the
     * config ({@code listeners[0].tls.certificates[1]}); errors are located with it.
     */
    public static LoadedCertificate load(String location, TlsSpec.CertificateSpec spec, String minVersion, boolean http2,
                                         TlsContexts contexts) throws TlsConfigException {
        // Both files read before either is judged: a pair whose two files are missing says so at once.
        List<String> unreadable = new ArrayList<>();
        byte[] certBytes = readFile(location + ".cert", spec.cert(), unreadable);
        byte[] keyBytes = readFile(location + ".key", spec.key(), unreadable);
        if (!unreadable.isEmpty()) {
            throw new TlsConfigException(unreadable);
        }
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = PemCertificates.read(new String(certBytes, StandardCharsets.US_ASCII));
        } catch (TlsMaterialException e) {
            throw new TlsConfigException(location + ".cert: " + spec.cert() + ": " + e.getMessage());
        }
        try {
            key = PemKeys.read(new String(keyBytes, StandardCharsets.US_ASCII));
        } catch (TlsMaterialException e) {
            throw new TlsConfigException(location + ".key: " + spec.key() + ": " + e.getMessage());
        }
        X509Certificate leaf = chain.get(0);
        if (!belongsTo(key, leaf.getPublicKey())) {
            throw new TlsConfigException(location + ".key: " + spec.key() + ": does not match the certificate in "
                    + spec.cert() + " (expected the private key of its first certificate)");
        }
        List<String> names = dnsNames(leaf);
        SslContext context;
        try {
            context = contexts.build(key, chain, minVersion, http2);
        } catch (SSLException | RuntimeException e) {
            throw new TlsConfigException(location + ": " + spec.cert() + ", " + spec.key() + ": refused by the TLS provider ("
                    + e.getMessage() + ")");
        }
        String subject = leaf.getSubjectX500Principal().getName();
        String name = names.isEmpty() ? subject : names.get(0);
        return new LoadedCertificate(name, names, leaf.getNotAfter().toInstant(), subject, context,
                digest(certBytes, keyBytes));
    }

    /** SHA-256 over both files as they are now; null when either cannot be read (mid-swap). */
    static byte[] currentDigest(TlsSpec.CertificateSpec spec) {
        try {
            return digest(Files.readAllBytes(spec.cert()), Files.readAllBytes(spec.key()));
        } catch (IOException e) {
            return null;
        }
    }

    boolean sameFilesAs(byte[] otherDigest) {
        return otherDigest != null && Arrays.equals(digest, otherDigest);
    }

    /** Whether it is past its end at {@code now} (served all the same, with a warning). */
    public boolean expiredAt(Instant now) {
        return notAfter.isBefore(now);
    }

    /** Whether {@code host} (lower case, no port) is one of this certificate's names, wildcards included. */
    public boolean covers(String host) {
        for (String dnsName : dnsNames) {
            if (dnsName.equals(host)) {
                return true;
            }
            if (dnsName.startsWith("*.")) {
                int dot = host.indexOf('.');
                // One label only: *.example.com covers a.example.com, not a.b.example.com nor example.com.
                if (dot > 0 && host.regionMatches(dot, dnsName, 1, dnsName.length() - 1)
                        && host.length() - dot == dnsName.length() - 1) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The file's bytes, or null with the reason added to {@code unreadable}. */
    private static byte[] readFile(String location, Path path, List<String> unreadable) {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            unreadable.add(location + ": " + path + ": no such file");
        } catch (AccessDeniedException e) {
            unreadable.add(location + ": " + path + ": permission denied");
        } catch (IOException e) {
            unreadable.add(location + ": " + path + ": " + (Files.isDirectory(path) ? "a directory, not a file"
                    : "cannot be read (" + e.getMessage() + ")"));
        }
        return null;
    }

    /** Signs a random challenge with the key and checks it with the certificate's public key. */
    private static boolean belongsTo(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // A key of another curve than the certificate's, for one.
            return false;
        }
    }

    private static List<String> dnsNames(X509Certificate leaf) {
        List<String> names = new ArrayList<>();
        try {
            var alternatives = leaf.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    if (alternative.size() >= 2 && Integer.valueOf(DNS_NAME).equals(alternative.get(0))
                            && alternative.get(1) instanceof String dnsName) {
                        names.add(dnsName.toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // No usable SAN: the certificate can still be the default.
        }
        return List.copyOf(names);
    }

    private static byte[] digest(byte[] cert, byte[] key) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(cert);
            sha256.update((byte) 0);
            sha256.update(key);
            return sha256.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
