package org.switchboard.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.router.MatrixErrors;

/** What the gates read from a head: the Host's host, and where redirectToHttps sends a request. */
class RequestGateTest {

    private static HeadIndex head(String target, String host) {
        HeadIndex index = new HeadIndex(8192, 8192);
        byte[] bytes = ("GET " + target + " HTTP/1.1\r\n" + (host == null ? "" : "Host: " + host + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(index.parseRequest(bytes, 0, bytes.length) > 0);
        return index;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "null", value = {
        "matrix.example.com, matrix.example.com",
        "Matrix.Example.COM:8448, matrix.example.com",
        "matrix.example.com., matrix.example.com",
        "10.0.0.1:80, 10.0.0.1",
        "'[::1]:8443', '[::1]'",
        "a!b.example.com, null",
    })
    void theHostWithoutPortInLowerCase(String header, String host) {
        assertEquals(host, RequestGate.host(head("/", header)));
    }

    @Test
    void noHostNoHost() {
        byte[] bytes = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        HeadIndex index = new HeadIndex(8192, 8192);
        index.parseRequest(bytes, 0, bytes.length);
        assertNull(RequestGate.host(index));
    }

    @ParameterizedTest(name = "{0} {1} (https on {2})")
    @CsvSource(nullValues = "null", value = {
        "/_matrix/client/versions, Matrix.example.com:8080, 443, https://matrix.example.com/_matrix/client/versions",
        "/a?b=c&d, matrix.example.com, 8443, https://matrix.example.com:8443/a?b=c&d",
        "/.well-known/acme-challenge/token, matrix.example.com, 443, null",
        "/.well-known/acme-challenge, matrix.example.com, 443, https://matrix.example.com/.well-known/acme-challenge",
        "/.well-known/matrix/server, matrix.example.com, 443, https://matrix.example.com/.well-known/matrix/server",
    })
    void redirectsToTheSameHostAndTargetOverHttpsButAcmeChallenges(String target, String host, int port, String location) {
        RequestGate.Answer answer = new HttpsRedirectGate(() -> port).check(head(target, host));
        assertEquals(location, answer == null ? null : answer.location());
    }

    @Test
    void aRequestWithoutHostCannotBeRedirectedAndIsABadRequest() {
        byte[] bytes = "GET /x HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        HeadIndex index = new HeadIndex(8192, 8192);
        assertTrue(index.parseRequest(bytes, 0, bytes.length) > 0);
        RequestGate.Answer answer = new HttpsRedirectGate(() -> 443).check(index);
        assertEquals(MatrixErrors.BAD_REQUEST, answer.refusal());
        assertEquals(MatrixErrors.BAD_REQUEST, new HttpsRedirectGate(() -> 443).check(head("/x", "a!b.example.com")).refusal());
    }
}
