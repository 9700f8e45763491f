package org.switchboard.proxy.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntSupplier;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.router.MatrixErrors;

/**
 * {@code redirectToHttps} on a plain listener: every request gets 308 to the same host and target
 * over HTTPS (308 keeps the method and body, unlike 301), except ACME HTTP-01 challenges, which
 * must be answered over plain HTTP and are routed as usual, and {@code OPTIONS *}. The port is
 * the listener's {@code redirectToHttps} number or else the first TLS listener's, left out when
 * it is 443. Shared by the listener's connections; holds no state of its own.
 */
public final class HttpsRedirectGate implements RequestGate {
    static final String ACME_CHALLENGE = "/.well-known/acme-challenge/";
    private static final byte[] ACME_CHALLENGE_BYTES = ACME_CHALLENGE.getBytes(StandardCharsets.US_ASCII);

    private final IntSupplier httpsPort;

    public HttpsRedirectGate(IntSupplier httpsPort) {
        this.httpsPort = httpsPort;
    }

    @Override
    public Answer check(HeadIndex head) {
        byte[] b = head.bytes();
        int start = head.originFormStart();
        int end = head.targetEnd();
        if (end - start >= ACME_CHALLENGE_BYTES.length
                && Arrays.equals(b, start, start + ACME_CHALLENGE_BYTES.length, ACME_CHALLENGE_BYTES, 0,
                        ACME_CHALLENGE_BYTES.length)) {
            return null;
        }
        if (head.asteriskForm()) {
            return null; // OPTIONS * asks about the server, not a resource: answered here, as anywhere
        }
        String host = RequestGate.host(head);
        if (host == null) {
            return Answer.refuse(MatrixErrors.BAD_REQUEST);
        }
        int port = httpsPort.getAsInt();
        String target = head.originFormTarget();
        return Answer.redirect("https://" + host + (port == 443 ? "" : ":" + port) + target);
    }
}
