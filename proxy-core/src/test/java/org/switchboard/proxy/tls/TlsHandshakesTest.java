package org.switchboard.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.switchboard.proxy.tls.TlsHandshakes.FailureKind;

/** Failed handshakes by kind, from what BoringSSL and the JDK provider throw (messages as they write them). */
class TlsHandshakesTest {
    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new DecoderException(new NotSslRecordException("not an SSL/TLS record: 474554")), FailureKind.NOT_TLS),
                Arguments.of(new SslHandshakeTimeoutException("handshake timed out after 10000ms"), FailureKind.TIMEOUT),
                Arguments.of(new ClosedChannelException(), FailureKind.CLOSED),
                Arguments.of(new IOException("Connection reset by peer"), FailureKind.CLOSED),
                Arguments.of(new DecoderException(new SSLHandshakeException(
                        "error:10000416:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN")), FailureKind.CERTIFICATE),
                Arguments.of(new SSLHandshakeException("Received fatal alert: unknown_ca"), FailureKind.CERTIFICATE),
                Arguments.of(new DecoderException(new SSLHandshakeException(
                        "error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL")), FailureKind.PROTOCOL),
                Arguments.of(new SSLHandshakeException("error:1000009a:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER"),
                        FailureKind.PROTOCOL),
                Arguments.of(new SSLHandshakeException("Client requested protocol TLSv1.1 is not enabled or supported"),
                        FailureKind.PROTOCOL),
                Arguments.of(new SSLHandshakeException("error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA"),
                        FailureKind.CERTIFICATE),
                Arguments.of(new SSLHandshakeException("error:1000008b:SSL routines:OPENSSL_internal:DECRYPTION_FAILED"),
                        FailureKind.OTHER));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("failures")
    void eachFailureHasItsKind(Throwable cause, FailureKind kind) {
        assertEquals(kind, TlsHandshakes.kindOf(cause));
    }

    /** What BoringSSL reports when an OpenSSL client sends its TLS 1.3 alert in plaintext. */
    private static final Throwable MALFORMED_RECORD = new DecoderException(new SSLHandshakeException(
            "error:10000070:SSL routines:OPENSSL_internal:BAD_PACKET_LENGTH"));

    static Stream<Arguments> alerts() {
        return Stream.of(
                Arguments.of(48, FailureKind.CERTIFICATE), // unknown_ca
                Arguments.of(42, FailureKind.CERTIFICATE), // bad_certificate
                Arguments.of(45, FailureKind.CERTIFICATE), // certificate_expired
                Arguments.of(70, FailureKind.PROTOCOL), // protocol_version
                Arguments.of(120, FailureKind.PROTOCOL), // no_application_protocol
                Arguments.of(0, FailureKind.CLOSED), // close_notify
                Arguments.of(50, FailureKind.OTHER)); // decode_error: the exception decides
    }

    @ParameterizedTest(name = "alert {0} -> {1}")
    @MethodSource("alerts")
    void aPlaintextAlertFromTheClientDecidesTheKind(int alert, FailureKind kind) {
        assertEquals(kind, TlsHandshakes.kindOf(alert, MALFORMED_RECORD));
    }
}
