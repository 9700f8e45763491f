package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;
import org.switchboard.systemtest.support.TinyUpstream;
import org.switchboard.systemtest.support.TlsMaterial.SecretVolume;
import org.switchboard.systemtest.support.TlsMaterial;

/**
 * TLS listeners with real clients: SNI picks each certificate (keys in PKCS#1, SEC1 and PKCS#8),
 * ALPN chooses h2 (HTTP/1.1 for a client without it), certificates are swapped under load as a Secret volume swaps them,
 * a bad pair is refused while the old one serves on, 421 for a Host of another certificate, the
 * plain listener's redirect, and what the upstream is told.
 */
@ExtendWith(LeakCheck.class)
class TlsSystemTest {
    private static final String MATRIX_HOST = "matrix.example.test";
    private static final String ELEMENT_HOST = "element.example.test";
    private static final String REQUEST = "GET /_matrix/client/versions HTTP/1.1\r\nHost: %s\r\n\r\n";

    @TempDir
    Path dir;
    private TinyUpstream upstream;
    private ProxyUnderTest proxy;
    private SecretVolume matrix;
    private SecretVolume element;
    private SecretVolume renewed;

    @BeforeEach
    void start() throws Exception {
        upstream = new TinyUpstream(TinyUpstream.answering("synapse"));
        matrix = new SecretVolume(dir.resolve("matrix"), TlsMaterial.MATRIX);
        element = new SecretVolume(dir.resolve("element"), TlsMaterial.ELEMENT);
        renewed = new SecretVolume(dir.resolve("renewed"), TlsMaterial.MATRIX_RENEWED);
        Path file = Files.writeString(dir.resolve("switchboard.yaml"), """
                listeners:
                  - name: https
                    address: "127.0.0.1:0"
                    tls:
                      certificates:
                        - { cert: "%s", key: "%s" }
                        - { cert: "%s", key: "%s" }
                  - name: https13
                    address: "127.0.0.1:0"
                    tls:
                      certificates:
                        - { cert: "%s", key: "%s" }
                      minVersion: TLSv1.3
                  - name: http
                    address: "127.0.0.1:0"
                    redirectToHttps: true
                  - name: lb
                    address: "127.0.0.1:0"
                    redirectToHttps: 443
                admin:
                  address: "127.0.0.1:0"
                runtime:
                  eventLoopThreads: 2
                accessLog: {enabled: false}
                upstreams:
                  main: { endpoints: ["%s"] }
                routes:
                  - path: { prefix: "/" }
                    upstream: main
                """.formatted(matrix.cert(), matrix.key(), element.cert(), element.key(), renewed.cert(), renewed.key(),
                upstream.endpoint()));
        proxy = ProxyUnderTest.startReloadable(file);
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        upstream.close();
    }

    /**
     * A connection over a limit on a TLS listener is closed without an answer: no handshake gave
     * it a way to read one, and HTTP text in a TLS stream is a protocol error to the client.
     */
    @Test
    void aConnectionOverTheLimitOnATlsListenerIsClosedWithoutPlaintext() throws Exception {
        proxy.close();
        proxy = null;
        Path file = Files.writeString(dir.resolve("limited.yaml"), """
                listeners:
                  - name: https
                    address: "127.0.0.1:0"
                    tls:
                      certificates:
                        - { cert: "%s", key: "%s" }
                admin:
                  address: "127.0.0.1:0"
                accessLog: {enabled: false}
                limits: {connectionsPerClient: 1}
                upstreams:
                  main: { endpoints: ["%s"] }
                """.formatted(matrix.cert(), matrix.key(), upstream.endpoint()));
        proxy = ProxyUnderTest.startReloadable(file);
        List<Integer> firstBytes = new ArrayList<>();
        try (Socket a = new Socket(); Socket b = new Socket()) {
            for (Socket socket : List.of(a, b)) {
                socket.connect(proxy.address("https"));
                socket.setSoTimeout(5_000);
            }
            // Both counted before either is closed: the admitted one closes on the garbage below,
            // which would otherwise free its slot for the other on a slow machine.
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.adminGet("/metrics")
                    .contains("switchboard_proxy_errors_total{kind=\"connection_limit\"} 1.0"));
            for (Socket socket : List.of(a, b)) {
                // The start of a TLS record, then garbage: the admitted one answers with an alert.
                socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'});
                int first;
                try {
                    first = socket.getInputStream().read();
                } catch (SocketException reset) {
                    first = -1;
                }
                firstBytes.add(first);
            }
        }
        assertTrue(firstBytes.contains(-1), "one of the two was refused: " + firstBytes);
        assertTrue(!firstBytes.contains((int) 'H'), "no plaintext HTTP into a TLS connection: " + firstBytes);
    }

    @Test
    void sniSelectsEachCertificateByItsOwnNames() throws Exception {
        assertEquals(cert(TlsMaterial.MATRIX), served("https", MATRIX_HOST));
        assertEquals(cert(TlsMaterial.ELEMENT), served("https", ELEMENT_HOST));
        assertEquals(cert(TlsMaterial.ELEMENT), served("https", "call.element.example.test"), "one-label wildcard");
        assertEquals(cert(TlsMaterial.MATRIX), served("https", "a.b.element.example.test"), "wildcards cover one label");
        assertEquals(cert(TlsMaterial.MATRIX), served("https", "unknown.example.org"), "the first is the default");
        assertEquals(cert(TlsMaterial.MATRIX), served("https", null), "no SNI: the default");
        assertEquals(cert(TlsMaterial.MATRIX_RENEWED), served("https13", MATRIX_HOST));
    }

    @Test
    void theJdkHttpClientIsServedOverTlsWithAlpnChoosingHttp2() throws Exception {
        for (String host : List.of(MATRIX_HOST, ELEMENT_HOST)) {
            HttpClient client = TlsMaterial.httpClient(host);
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("https", "/_matrix/client/versions")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("synapse", response.body());
            // The client offered h2 and http/1.1: h2 is the server's preference.
            assertEquals(HttpClient.Version.HTTP_2, response.version());
            X509Certificate leaf = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
            assertEquals(cert(host.startsWith("matrix") ? TlsMaterial.MATRIX : TlsMaterial.ELEMENT), leaf);
        }
        try (SSLSocket socket = TlsMaterial.connect(proxy.address("https"), MATRIX_HOST, List.of("h2", "http/1.1"))) {
            assertEquals("h2", socket.getApplicationProtocol());
        }
        try (SSLSocket socket = TlsMaterial.connect(proxy.address("https"), MATRIX_HOST, List.of("http/1.1"))) {
            assertEquals("http/1.1", socket.getApplicationProtocol(), "a client without h2 gets HTTP/1.1");
        }
    }

    @Test
    void theJdkProviderServesTheSameWhereBoringSslIsNotUsed() throws Exception {
        Path file = dir.resolve("jdk.yaml");
        Files.writeString(file, Files.readString(dir.resolve("switchboard.yaml")));
        System.setProperty("switchboard.tls.provider", "jdk");
        ProxyUnderTest jdk;
        try {
            jdk = ProxyUnderTest.startReloadable(file);
        } finally {
            System.clearProperty("switchboard.tls.provider");
        }
        try (jdk) {
            assertTrue(jdk.adminGet("/status").contains("\"provider\":\"JDK"), "the JDK provider is in use");
            for (String host : List.of(MATRIX_HOST, ELEMENT_HOST)) {
                HttpResponse<String> response = TlsMaterial.httpClient(host).send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + jdk.address("https").getPort() + "/x")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
                assertEquals(HttpClient.Version.HTTP_2, response.version());
                assertEquals(cert(host.startsWith("matrix") ? TlsMaterial.MATRIX : TlsMaterial.ELEMENT),
                        response.sslSession().orElseThrow().getPeerCertificates()[0]);
            }
            try (SSLSocket socket = TlsMaterial.connect(jdk.address("https13"), MATRIX_HOST, List.of("h2", "http/1.1"))) {
                assertEquals("h2", socket.getApplicationProtocol());
                assertEquals("TLSv1.3", socket.getSession().getProtocol());
                assertEquals(cert(TlsMaterial.MATRIX_RENEWED), socket.getSession().getPeerCertificates()[0]);
            }
        }
    }

    @Test
    void theUpstreamIsToldTheRequestCameOverHttps() throws Exception {
        try (RawClient client = tlsClient("https", MATRIX_HOST)) {
            // Even when the client claims otherwise: it is not a trusted proxy.
            RawClient.Response response = client.send("GET /x HTTP/1.1\r\nHost: matrix.example.test\r\n"
                    + "X-Forwarded-Proto: http\r\n\r\n").readResponse();
            assertEquals(200, response.status());
        }
        TinyUpstream.Received received = upstream.received().get(upstream.received().size() - 1);
        assertEquals("https", received.head().header("X-Forwarded-Proto"));
    }

    @Test
    void aHostThatAnotherCertificateServesGets421() throws Exception {
        try (RawClient client = tlsClient("https", MATRIX_HOST)) {
            RawClient.Response misdirected = client.send(REQUEST.formatted("Element.Example.Test:443")).readResponse();
            assertEquals(421, misdirected.status());
            assertTrue(misdirected.body().contains("\"errcode\":\"M_MISDIRECTED_REQUEST\""), misdirected.body());
            // The connection stays usable for its own host, and for hosts no certificate names.
            assertEquals(200, client.send(REQUEST.formatted("matrix.example.test:8443")).readResponse().status());
            assertEquals(200, client.send(REQUEST.formatted("10.0.0.1")).readResponse().status());
            assertEquals(421, client.send(REQUEST.formatted("call.element.example.test")).readResponse().status());
        }
        try (RawClient client = tlsClient("https", null)) {
            assertEquals(200, client.send(REQUEST.formatted(ELEMENT_HOST)).readResponse().status(),
                    "without SNI there is nothing to contradict");
        }
    }

    @Test
    void thePlainListenerRedirectsToHttpsButProxiesAcmeChallenges() throws Exception {
        int httpsPort = proxy.address("https").getPort();
        try (RawClient client = new RawClient(proxy.address("http"))) {
            RawClient.Response redirect = client.send("POST /_matrix/client/v3/login?x=1 HTTP/1.1\r\n"
                    + "Host: Matrix.Example.Test:8080\r\nContent-Length: 0\r\n\r\n").readResponse();
            assertEquals(308, redirect.status());
            assertEquals("https://matrix.example.test:" + httpsPort + "/_matrix/client/v3/login?x=1", redirect.header("Location"));
            RawClient.Response challenge = client.send("GET /.well-known/acme-challenge/abc HTTP/1.1\r\n"
                    + "Host: matrix.example.test\r\n\r\n").readResponse();
            assertEquals(200, challenge.status());
            assertEquals("synapse", challenge.body());
        }
        assertEquals("/.well-known/acme-challenge/abc", upstream.received().get(upstream.received().size() - 1).target());
        assertEquals(1, upstream.received().size(), "the redirected request never went upstream");
    }

    /**
     * Behind a load balancer that takes 443 to a listener on another port, the redirect names the
     * port clients reach (443: none). {@code OPTIONS *} names no resource to redirect to: the
     * proxy answers it, as on any listener.
     */
    @Test
    void aRedirectNamesTheConfiguredHttpsPortAndOptionsAsteriskIsAnswered() throws Exception {
        try (RawClient client = new RawClient(proxy.address("lb"))) {
            RawClient.Response redirect = client.send("GET /_matrix/client/versions HTTP/1.1\r\n"
                    + "Host: matrix.example.test:80\r\n\r\n").readResponse();
            assertEquals(308, redirect.status());
            assertEquals("https://matrix.example.test/_matrix/client/versions", redirect.header("Location"));
            RawClient.Response options = client.send("OPTIONS * HTTP/1.1\r\nHost: matrix.example.test\r\n\r\n")
                    .readResponse();
            assertEquals(200, options.status());
            assertTrue(options.header("Allow").contains("GET"), options.header("Allow"));
        }
    }

    @Test
    void minVersionTls13RefusesTls12AndTheFailureIsCounted() throws Exception {
        assertThrows(SSLHandshakeException.class,
                () -> TlsMaterial.connect(proxy.address("https13"), MATRIX_HOST, List.of("http/1.1"), "TLSv1.2").close());
        try (SSLSocket socket = TlsMaterial.connect(proxy.address("https"), MATRIX_HOST, List.of("http/1.1"), "TLSv1.2")) {
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
        }
        try (RawClient plain = new RawClient(proxy.address("https"))) {
            plain.send(String.format(REQUEST, MATRIX_HOST));
            assertTrue(plain.closedByPeer(), "plain HTTP on a TLS listener is closed");
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = proxy.adminGet("/metrics");
            assertTrue(metrics.contains("switchboard_tls_handshake_failures_total{kind=\"not_tls\",listener=\"https\"} 1.0"), metrics);
            assertTrue(metrics.contains("switchboard_tls_handshake_failures_total{kind=\"protocol\",listener=\"https13\"} 1.0"), metrics);
        });
    }

    /** The first bytes of a TLS 1.2 ClientHello record: a handshake that never completes its first message. */
    private static final byte[] CLIENT_HELLO_START = {0x16, 0x03, 0x01, 0x00, (byte) 0xc8, 0x01, 0x00, 0x00, (byte) 0xc4, 0x03, 0x03};

    @Test
    void aStalledClientHelloTimesOutAndHandshakesCutShortAreCountedByKind() throws Exception {
        try (RawClient stalled = new RawClient(proxy.address("https"));
                RawClient silent = new RawClient(proxy.address("https"));
                RawClient answeredThenSilent = new RawClient(proxy.address("https"))) {
            stalled.socket().setSoTimeout(20_000);
            stalled.send(CLIENT_HELLO_START);
            // A whole ClientHello, the server's flight read, then nothing: the TLS handler's own timeout.
            answeredThenSilent.send(clientHello(ELEMENT_HOST));
            assertTrue(answeredThenSilent.input().read() >= 0, "the server answers the ClientHello");
            try (RawClient cutShort = new RawClient(proxy.address("https"));
                    RawClient probe = new RawClient(proxy.address("https"));
                    RawClient resetProbe = new RawClient(proxy.address("https"))) {
                cutShort.send(CLIENT_HELLO_START);
                resetProbe.socket().setSoLinger(true, 0); // closed with a reset, as many TCP health checks do
            }
            // A client that leaves mid-ClientHello is closed and counted at once, not at the timeout;
            // probes that connect and leave (with a FIN or a reset) are no failed handshakes.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals("closed 1 timeout 0", failures()));
            // The handshake timeout (10 s) closes the stalled one, the silent one and the one answered.
            assertTrue(stalled.closedByPeer(), "a stalled ClientHello is closed");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals("closed 1 timeout 3", failures()));
            assertTrue(silent.closedByPeer(), "a connection that sends nothing is closed");
        }
    }

    /** The bytes of a TLS ClientHello for {@code sni}, as the JDK's client writes it. */
    private static byte[] clientHello(String sni) throws Exception {
        SSLEngine engine = TlsMaterial.trustingTestCertificates().createSSLEngine(sni, 443);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    /** RFC 6066 forbids a trailing dot in SNI; a client that sends one gets the certificate the name without it gets. */
    @Test
    void anSniWithATrailingDotPicksTheCertificateOfTheNameWithout() throws Exception {
        Assumptions.assumeTrue(onPath("openssl"), "the openssl CLI is not installed: skipped");
        Process process = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + proxy.address("https").getPort(),
                "-servername", ELEMENT_HOST + ".", "-ign_eof").redirectErrorStream(true).start();
        process.getOutputStream().write(("GET /x HTTP/1.1\r\nHost: " + ELEMENT_HOST + ".\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().flush();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        assertTrue(output.contains("CN=" + ELEMENT_HOST) || output.contains("CN = " + ELEMENT_HOST), output);
        assertTrue(output.contains("HTTP/1.1 200"), "no 421 for the name's own certificate: " + output);
    }

    private String failures() throws Exception {
        String metrics = proxy.adminGet("/metrics");
        StringBuilder counts = new StringBuilder();
        for (String kind : List.of("closed", "timeout")) {
            String line = "switchboard_tls_handshake_failures_total{kind=\"" + kind + "\",listener=\"https\"} ";
            int at = metrics.indexOf(line);
            assertTrue(at >= 0, metrics);
            int end = metrics.indexOf('\n', at);
            counts.append(counts.isEmpty() ? "" : " ").append(kind).append(' ')
                    .append((int) Double.parseDouble(metrics.substring(at + line.length(), end)));
        }
        return counts.toString();
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsCountedAsACertificateFailure() throws Exception {
        Assumptions.assumeTrue(onPath("curl"), "curl is not installed: skipped");
        int port = proxy.address("https").getPort();
        for (String version : List.of("--tlsv1.3", "--tls-max")) {
            List<String> command = new ArrayList<>(List.of("curl", "-sS", version));
            if (version.equals("--tls-max")) {
                command.add("1.2");
            }
            // No --cacert: the test CA is in no trust store, so curl refuses the certificate.
            command.addAll(List.of("--resolve", MATRIX_HOST + ":" + port + ":127.0.0.1",
                    "https://" + MATRIX_HOST + ":" + port + "/_matrix/client/versions"));
            Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(60, curl.waitFor(), output); // CURLE_PEER_FAILED_VERIFICATION
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertTrue(proxy.adminGet("/metrics").contains(
                "switchboard_tls_handshake_failures_total{kind=\"certificate\",listener=\"https\"} 2.0")));
    }

    @Test
    void aCertificateSwappedUnderLoadFailsNoRequest() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger succeeded = new AtomicInteger();
        AtomicReference<X509Certificate> lastSeen = new AtomicReference<>();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> loops = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                loops.add(clients.submit(() -> {
                    while (running.get()) {
                        // A new connection per request, so each handshake sees the certificate in force.
                        try (RawClient client = tlsClient("https", MATRIX_HOST)) {
                            lastSeen.set((X509Certificate) ((SSLSocket) client.socket()).getSession().getPeerCertificates()[0]);
                            RawClient.Response response = client.send(REQUEST.formatted(MATRIX_HOST)).readResponse();
                            if (response.status() == 200) {
                                succeeded.incrementAndGet();
                            } else {
                                failures.add(response.status() + " " + response.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> succeeded.get() >= 10);
            matrix.swap(TlsMaterial.MATRIX_RENEWED, TlsMaterial.MATRIX_RENEWED);
            await().atMost(Duration.ofSeconds(30)).until(() -> cert(TlsMaterial.MATRIX_RENEWED).equals(lastSeen.get()));
            int afterFirstSwap = succeeded.get();
            matrix.swap(TlsMaterial.MATRIX, TlsMaterial.MATRIX);
            await().atMost(Duration.ofSeconds(30)).until(() -> cert(TlsMaterial.MATRIX).equals(lastSeen.get()));
            await().atMost(Duration.ofSeconds(20)).until(() -> succeeded.get() >= afterFirstSwap + 10);
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get();
            }
        } finally {
            running.set(false);
            clients.shutdownNow();
        }
        assertTrue(failures.isEmpty(), "failed requests: " + failures);
    }

    @Test
    void aMismatchedPairIsRefusedAndTheLastGoodCertificateServesOn() throws Exception {
        // cert-manager's rotation writes both files; here the key of another certificate arrives.
        matrix.swap(TlsMaterial.MATRIX_RENEWED, TlsMaterial.MATRIX);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String status = proxy.adminGet("/status");
            assertTrue(status.contains("listeners[0].tls.certificates[0].key: " + matrix.key()
                    + ": does not match the certificate in " + matrix.cert()), status);
        });
        assertEquals(cert(TlsMaterial.MATRIX), served("https", MATRIX_HOST));
        try (RawClient client = tlsClient("https", MATRIX_HOST)) {
            assertEquals(200, client.send(REQUEST.formatted(MATRIX_HOST)).readResponse().status());
        }
        assertTrue(proxy.adminGet("/metrics").contains(
                "switchboard_tls_certificate_reloads_total{listener=\"https\",result=\"refused\"} 1.0"));

        // Files written in place, not through a swap: the good pair is picked up once both are there.
        Files.delete(matrix.cert());
        Files.delete(matrix.key());
        TlsMaterial.copy(TlsMaterial.MATRIX_RENEWED + ".key", matrix.key());
        TlsMaterial.copy(TlsMaterial.MATRIX_RENEWED + ".crt", matrix.cert());
        await().atMost(Duration.ofSeconds(30)).until(() -> cert(TlsMaterial.MATRIX_RENEWED).equals(served("https", MATRIX_HOST)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertTrue(proxy.adminGet("/status").contains("\"lastError\":null")));
    }

    @Test
    void theStatusPageAndMetricsShowEachCertificatesExpiry() throws Exception {
        String status = proxy.adminGet("/status");
        assertTrue(status.contains("\"name\":\"matrix.example.test\""), status);
        assertTrue(status.contains("\"dnsNames\":[\"element.example.test\",\"*.element.example.test\"]"), status);
        assertTrue(status.contains("\"notAfter\":\"" + cert(TlsMaterial.ELEMENT).getNotAfter().toInstant() + "\""), status);
        String metrics = proxy.adminGet("/metrics");
        long notAfter = cert(TlsMaterial.ELEMENT).getNotAfter().toInstant().getEpochSecond();
        assertTrue(metrics.contains("switchboard_tls_certificate_not_after_seconds{certificate=\"element.example.test\","
                + "listener=\"https\"} " + (double) notAfter), metrics);
        assertTrue(proxy.adminGet("/").contains("<h2>Certificates</h2>"));
    }

    @Test
    void curlReachesEachNameWithItsOwnCertificate() throws Exception {
        Assumptions.assumeTrue(onPath("curl"), "curl is not installed: skipped");
        int port = proxy.address("https").getPort();
        for (String name : List.of(TlsMaterial.MATRIX, TlsMaterial.ELEMENT)) {
            Path ca = dir.resolve(name + "-ca.crt");
            TlsMaterial.copy(name + ".crt", ca);
            String host = name + ".example.test";
            Process curl = new ProcessBuilder("curl", "-sS", "--http2", "--cacert", ca.toString(),
                    "--resolve", host + ":" + port + ":127.0.0.1", "-w", " %{http_version}",
                    "https://" + host + ":" + port + "/_matrix/client/versions").redirectErrorStream(true).start();
            String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, curl.waitFor(), output);
            // curl verified the certificate against this CA alone, for this name; ALPN chose HTTP/2.
            assertEquals("synapse 2", output);
        }
    }

    @Test
    void sessionsResumeOnTls13AndTls12() throws Exception {
        Assumptions.assumeTrue(onPath("openssl"), "the openssl CLI is not installed: skipped");
        for (String version : List.of("-tls1_3", "-tls1_2")) {
            Path session = dir.resolve("session" + version);
            String first = sClient(version, "-sess_out", session.toString());
            assertTrue(first.contains("New, TLSv1."), first);
            String second = sClient(version, "-sess_in", session.toString());
            assertTrue(second.contains("Reused, TLSv1."), "resumed from the first connection: " + second);
            assertTrue(second.contains("HTTP/1.1 200 OK"), second);
        }
    }

    /** One request through {@code openssl s_client}, which prints whether the session was new or reused. */
    private String sClient(String version, String sessionOption, String sessionFile) throws Exception {
        Process process = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + proxy.address("https").getPort(),
                "-servername", MATRIX_HOST, version, sessionOption, sessionFile, "-ign_eof")
                .redirectErrorStream(true).start();
        // Connection: close, so the proxy ends the connection after the answer (tickets come before it).
        process.getOutputStream().write(("GET /x HTTP/1.1\r\nHost: " + MATRIX_HOST + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().flush();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }

    private static boolean onPath(String command) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(entry, command))) {
                return true;
            }
        }
        return false;
    }

    private X509Certificate served(String listener, String sni) throws Exception {
        try (SSLSocket socket = TlsMaterial.connect(proxy.address(listener), sni, List.of("http/1.1"))) {
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private RawClient tlsClient(String listener, String sni) throws Exception {
        return new RawClient(TlsMaterial.connect(proxy.address(listener), sni, List.of("http/1.1")));
    }

    private URI uri(String listener, String target) {
        return URI.create("https://127.0.0.1:" + proxy.address(listener).getPort() + target);
    }

    private static X509Certificate cert(String name) throws Exception {
        X509Certificate certificate = TlsMaterial.certificate(name);
        assertNotNull(certificate);
        return certificate;
    }
}
