package org.switchboard.systemtest.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The test certificates (src/test/resources/tls, self-signed, test-only, made once with openssl;
 * see the README there) and clients that trust exactly them, connecting by IP with any SNI name:
 * the names are fake, so there is no DNS and no hostname check, only "is this one of ours".
 */
public final class TlsMaterial {
    /** matrix.example.test, RSA 2048, key in PKCS#1 ("BEGIN RSA PRIVATE KEY"). */
    public static final String MATRIX = "matrix";
    /** matrix.example.test again, ECDSA P-256, key in SEC1 ("BEGIN EC PRIVATE KEY"): the renewal. */
    public static final String MATRIX_RENEWED = "matrix-renewed";
    /** element.example.test and *.element.example.test, ECDSA P-384, key in PKCS#8. */
    public static final String ELEMENT = "element";
    /** expired.example.test, ECDSA P-256, key in PKCS#8, valid from 2000-01-01 to 2000-01-03 only. */
    public static final String EXPIRED = "expired";

    private TlsMaterial() {
    }

    /** Copies {@code name}.crt and .key into {@code dir} as {@code tls.crt} and {@code tls.key}. */
    public static void copyPair(String name, Path dir) throws IOException {
        copy(name + ".crt", dir.resolve("tls.crt"));
        copy(name + ".key", dir.resolve("tls.key"));
    }

    public static void copy(String resource, Path target) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        try (InputStream in = TlsMaterial.class.getResourceAsStream("/tls/" + resource)) {
            if (in == null) {
                throw new IOException("no test resource tls/" + resource);
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static X509Certificate certificate(String name) throws Exception {
        try (InputStream in = TlsMaterial.class.getResourceAsStream("/tls/" + name + ".crt")) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /**
     * A Kubernetes Secret volume in {@code dir}: {@code tls.crt} and {@code tls.key} are symlinks
     * through {@code ..data}, a symlink to a timestamped directory. {@link #swap} replaces the
     * generation as the kubelet does: a new directory, then {@code ..data} renamed over.
     */
    public static final class SecretVolume {
        private final Path dir;
        private int generation;

        public SecretVolume(Path dir, String name) throws IOException {
            this.dir = Files.createDirectories(dir);
            Path data = writeGeneration(name, name);
            Files.createSymbolicLink(dir.resolve("..data"), data.getFileName());
            Files.createSymbolicLink(dir.resolve("tls.crt"), Path.of("..data", "tls.crt"));
            Files.createSymbolicLink(dir.resolve("tls.key"), Path.of("..data", "tls.key"));
        }

        public Path cert() {
            return dir.resolve("tls.crt");
        }

        public Path key() {
            return dir.resolve("tls.key");
        }

        /** A new generation with {@code certName}.crt and {@code keyName}.key (the same name: a good pair). */
        public void swap(String certName, String keyName) throws IOException {
            Path data = writeGeneration(certName, keyName);
            Path temporary = dir.resolve("..data_tmp");
            Files.createSymbolicLink(temporary, data.getFileName());
            Files.move(temporary, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        }

        private Path writeGeneration(String certName, String keyName) throws IOException {
            Path data = Files.createDirectories(dir.resolve("..2026_12_01_00_00_0" + generation++));
            copy(certName + ".crt", data.resolve("tls.crt"));
            copy(keyName + ".key", data.resolve("tls.key"));
            return data;
        }
    }

    /** Trusts the test certificates, whatever name they are reached by. */
    public static SSLContext trustingTestCertificates() throws Exception {
        List<X509Certificate> trusted = new ArrayList<>();
        for (String name : List.of(MATRIX, MATRIX_RENEWED, ELEMENT)) {
            trusted.add(certificate(name));
        }
        X509ExtendedTrustManager manager = new X509ExtendedTrustManager() {
            private void check(X509Certificate[] chain) throws CertificateException {
                if (chain.length == 0 || !trusted.contains(chain[0])) {
                    throw new CertificateException("not a test certificate");
                }
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                check(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                check(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType)
                    throws CertificateException {
                check(chain);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                throw new UnsupportedOperationException();
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return trusted.toArray(new X509Certificate[0]);
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {manager}, null);
        return context;
    }

    /**
     * A TLS connection to {@code address} sending {@code sni} (none when null), offering
     * {@code alpn}, handshake done; the protocols it may use limited to {@code protocols} when given.
     */
    public static SSLSocket connect(InetSocketAddress address, String sni, List<String> alpn, String... protocols)
            throws Exception {
        SSLSocket socket = (SSLSocket) trustingTestCertificates().getSocketFactory()
                .createSocket(address.getAddress(), address.getPort());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        parameters.setApplicationProtocols(alpn.toArray(new String[0]));
        if (protocols.length > 0) {
            parameters.setProtocols(protocols);
        }
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    /** The JDK's HttpClient preferring HTTP/2 (so ALPN offers h2 and http/1.1), sending {@code sni}. */
    public static HttpClient httpClient(String sni) throws Exception {
        SSLParameters parameters = new SSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(sni)));
        // Named, or the JDK's client offers no ALPN at all (it checks the parameters for TLS 1.2+ before offering h2).
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        return HttpClient.newBuilder().sslContext(trustingTestCertificates()).sslParameters(parameters)
                .version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(10)).build();
    }
}
