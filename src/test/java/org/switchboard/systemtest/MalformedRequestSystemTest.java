package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.switchboard.systemtest.support.DeadlineClient;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.StrictRequestParser;
import org.switchboard.systemtest.support.TinyUpstream;
import org.switchboard.systemtest.support.WireTap;

/**
 * Request hygiene: a request whose framing or syntax two HTTP parsers could read differently is
 * answered by the proxy (400 unless stated, in Matrix JSON), its connection closed when the
 * framing is in doubt, and it never reaches Synapse.
 *
 * <p>Each vector's request-target carries a marker, {@code /bad/<name>/}. The upstream is a
 * {@link TinyUpstream} behind a {@link WireTap}, so "never reaches" means not one byte of the
 * request, not merely no request the upstream could parse. Vectors found in the body (chunked
 * framing) come after a valid head that a streaming proxy has already sent on; for those the
 * upstream must never get a whole request, only a head whose connection the proxy abandoned.
 */
@ExtendWith(LeakCheck.class)
class MalformedRequestSystemTest {
    private static final Duration DEADLINE = Duration.ofSeconds(3);
    private static final Pattern MATRIX_ERROR = Pattern.compile("\\{\"errcode\":\"M_[A-Z_]+\",\"error\":\"[^\"]*\"}");
    private static final String CHUNKED_POST = "POST {t} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

    @TempDir
    static Path dir;
    static TinyUpstream tiny;
    static WireTap tap;
    static ProxyUnderTest proxy;

    /** How far a refused request may get towards the upstream. */
    enum Reach {
        /** Not one byte: the fault is in the head, which is read whole before anything is sent. */
        NOTHING,
        /** The head may have gone on, but no whole request: the fault is in the chunked body. */
        NO_WHOLE_REQUEST
    }

    /**
     * One malformed request. {@code wire} holds {@code {t}} where the marked request-target goes;
     * {@code closes} says the framing is in doubt, so the connection cannot carry another request.
     */
    record Vector(String name, String wire, int status, boolean closes, Reach reach) {
        String marker() {
            return "/bad/" + name + "/";
        }

        byte[] bytes() {
            return HttpWire.ascii(wire.replace("{t}", marker() + "x"));
        }

        Vector withStatus(int expected) {
            return new Vector(name, wire, expected, closes, reach);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        tiny = new TinyUpstream(TinyUpstream.echoTarget());
        tap = new WireTap(tiny.port());
        proxy = ProxyUnderTest.startInFrontOf(dir, tap.endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        tap.close();
        tiny.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void malformedRequestIsRefusedAndNeverReachesSynapse(Vector vector) throws Exception {
        assertRefusedAndNotForwarded(vector);
    }

    static Stream<Vector> refused() {
        return vectors();
    }

    /** Every vector. */
    static Stream<Vector> vectors() {
        return Stream.of(
                // Content-Length: one, and only digits (RFC 9112 6.3, 8.6).
                head("cl-and-te", "POST {t} HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                head("te-and-cl", "POST {t} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"),
                head("cl-twice-differing", "POST {t} HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                head("cl-twice-same", "POST {t} HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
                head("cl-list-5-6", "POST {t} HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!"),
                head("cl-not-a-number", "POST {t} HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\nhello"),
                head("cl-negative", "POST {t} HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\nhello"),
                head("cl-plus-sign", "POST {t} HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello"),
                head("cl-overflow", "POST {t} HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\nhello"),
                // Transfer-Encoding: only a final chunked delimits a request body (RFC 9112 6.1, 6.3).
                head("te-gzip", "POST {t} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                head("te-chunked-gzip", "POST {t} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                head("te-identity", "POST {t} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                head("te-chunked-chunked", "POST {t} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                head("te-chunked-two-fields", "POST {t} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                head("te-xchunked", "POST {t} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                // obs-fold (RFC 9112 5.2) and whitespace before the first field line (2.2).
                head("obs-fold-space", "GET {t} HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n"),
                head("obs-fold-tab", "GET {t} HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n\ttwo\r\n\r\n"),
                head("space-before-first-field", "GET {t} HTTP/1.1\r\n X-Leading: 1\r\nHost: a\r\n\r\n"),
                // Whitespace between field name and colon (RFC 9112 5.1: MUST be rejected with 400).
                head("space-before-colon-host", "GET {t} HTTP/1.1\r\nHost : a\r\n\r\n"),
                head("space-before-colon-cl", "POST {t} HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\nhello"),
                head("tab-before-colon", "GET {t} HTTP/1.1\r\nHost: a\r\nX-A\t: 1\r\n\r\n"),
                // Control characters and non-token names (RFC 9110 5.1, 5.5).
                head("nul-in-name", "GET {t} HTTP/1.1\r\nHost: a\r\nX-A\u0000B: 1\r\n\r\n"),
                head("nul-in-value", "GET {t} HTTP/1.1\r\nHost: a\r\nX-A: 1\u00002\r\n\r\n"),
                head("ctl-in-name", "GET {t} HTTP/1.1\r\nHost: a\r\nX-A\u0001B: 1\r\n\r\n"),
                head("ctl-in-value", "GET {t} HTTP/1.1\r\nHost: a\r\nX-A: 1\u00012\r\n\r\n"),
                head("del-in-value", "GET {t} HTTP/1.1\r\nHost: a\r\nX-A: 1\u007f2\r\n\r\n"),
                head("bare-cr-in-value", "GET {t} HTTP/1.1\r\nHost: a\r\nX-A: 1\r2\r\n\r\n"),
                head("separator-in-name", "GET {t} HTTP/1.1\r\nHost: a\r\nX@A: 1\r\n\r\n"),
                head("empty-name", "GET {t} HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n"),
                // Bare LF as a line terminator (RFC 9112 2.2), in the head...
                head("bare-lf-request-line", "GET {t} HTTP/1.1\nHost: a\r\n\r\n"),
                head("bare-lf-field-line", "GET {t} HTTP/1.1\r\nHost: a\nX-A: 1\r\n\r\n"),
                head("bare-lf-end-of-head", "GET {t} HTTP/1.1\r\nHost: a\r\n\n"),
                head("bare-lf-everywhere", "GET {t} HTTP/1.1\nHost: a\n\n"),
                // ...and in chunked framing (RFC 9112 7.1).
                body("bare-lf-chunk-size", CHUNKED_POST + "5\nhello\r\n0\r\n\r\n"),
                body("bare-lf-chunk-data", CHUNKED_POST + "5\r\nhello\n0\r\n\r\n"),
                body("bare-lf-last-chunk", CHUNKED_POST + "5\r\nhello\r\n0\n\r\n"),
                body("bare-lf-after-trailers", CHUNKED_POST + "5\r\nhello\r\n0\r\n\n"),
                // Chunk sizes are 1*HEXDIG; extensions are ;name[=value] (RFC 9112 7.1, 7.1.1).
                body("chunk-size-zz", CHUNKED_POST + "zz\r\nhello\r\n0\r\n\r\n"),
                body("chunk-size-negative", CHUNKED_POST + "-5\r\nhello\r\n0\r\n\r\n"),
                body("chunk-size-0x-prefix", CHUNKED_POST + "0x5\r\nhello\r\n0\r\n\r\n"),
                body("chunk-size-plus-sign", CHUNKED_POST + "+5\r\nhello\r\n0\r\n\r\n"),
                body("chunk-size-overflow", CHUNKED_POST + "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
                body("chunk-size-empty", CHUNKED_POST + "\r\nhello\r\n0\r\n\r\n"),
                body("chunk-size-then-garbage", CHUNKED_POST + "5 zz\r\nhello\r\n0\r\n\r\n"),
                body("chunk-ext-without-name", CHUNKED_POST + "5;=x\r\nhello\r\n0\r\n\r\n"),
                body("chunk-ext-with-nul", CHUNKED_POST + "5;a\u0000b\r\nhello\r\n0\r\n\r\n"),
                body("chunk-data-overrun", CHUNKED_POST + "5\r\nhelloEXTRA\r\n0\r\n\r\n"),
                // The request line (RFC 9112 3, 3.2, 2.3).
                notFraming("absolute-form-other-host", "GET http://evil.example{t} HTTP/1.1\r\nHost: a\r\n\r\n"),
                head("http-0.9", "GET {t}\r\n"),
                head("version-http-2.0", "GET {t} HTTP/2.0\r\nHost: a\r\n\r\n").withStatus(505),
                head("version-lowercase", "GET {t} http/1.1\r\nHost: a\r\n\r\n"),
                head("version-not-http", "GET {t} FOO/1.1\r\nHost: a\r\n\r\n"),
                head("version-no-minor", "GET {t} HTTP/1\r\nHost: a\r\n\r\n"),
                head("request-line-double-spaces", "GET  {t}  HTTP/1.1\r\nHost: a\r\n\r\n"),
                head("request-line-leading-space", " GET {t} HTTP/1.1\r\nHost: a\r\n\r\n"),
                head("request-line-trailing-space", "GET {t} HTTP/1.1 \r\nHost: a\r\n\r\n"),
                head("request-line-tabs", "GET\t{t}\tHTTP/1.1\r\nHost: a\r\n\r\n"),
                head("space-in-target", "GET {t} y HTTP/1.1\r\nHost: a\r\n\r\n"),
                head("ctl-in-target", "GET {t}\u0001y HTTP/1.1\r\nHost: a\r\n\r\n"),
                head("nul-in-target", "GET {t}\u0000y HTTP/1.1\r\nHost: a\r\n\r\n"),
                head("non-ascii-in-target", "GET {t}\u00ffy HTTP/1.1\r\nHost: a\r\n\r\n"),
                // Host: exactly one in HTTP/1.1 (RFC 9112 3.2).
                notFraming("missing-host", "GET {t} HTTP/1.1\r\nX-A: 1\r\n\r\n"),
                notFraming("two-host-fields", "GET {t} HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
                notFraming("host-with-space", "GET {t} HTTP/1.1\r\nHost: a b\r\n\r\n"),
                // Size limits: request-target 8 KiB, head 32 KiB.
                head("target-over-8k", "GET {t}" + "a".repeat(9_000) + " HTTP/1.1\r\nHost: a\r\n\r\n").withStatus(414),
                head("one-huge-field", "GET {t} HTTP/1.1\r\nHost: a\r\nX-Huge: " + "a".repeat(40_000) + "\r\n\r\n").withStatus(431),
                head("many-small-fields", "GET {t} HTTP/1.1\r\nHost: a\r\n" + manySmallFields(1_200) + "\r\n").withStatus(431));
    }

    private static void assertRefusedAndNotForwarded(Vector vector) throws Exception {
        DeadlineClient.Reply reply;
        boolean closed;
        try (DeadlineClient client = new DeadlineClient(proxy.address(), DEADLINE)) {
            client.send(vector.bytes());
            reply = client.awaitReply();
            closed = reply.response() != null && vector.closes() && client.closedByPeer();
        }
        // A valid request on a fresh connection, once it has reached the upstream, shows the proxy
        // is healthy and has long since sent on anything of the bad one it was ever going to.
        String good = "/good/" + vector.name();
        try (DeadlineClient client = new DeadlineClient(proxy.address(), DEADLINE)) {
            client.send(HttpWire.ascii("GET " + good + " HTTP/1.1\r\nHost: a\r\n\r\n"));
            assertEquals(200, client.awaitReply().status(), "a valid request after " + vector);
        }
        await().atMost(DEADLINE).until(() -> tiny.received().stream().anyMatch(r -> r.target().equals(good)));

        String forwarded = forwardedWith(vector.marker());
        assertNotNull(reply.response(), vector + ": " + reply + "; upstream got: " + forwarded);
        assertEquals(vector.status(), reply.status(), vector + ": " + reply + "; upstream got: " + forwarded);
        assertTrue(reply.response().header("Content-Type").startsWith("application/json"), vector + ": " + reply);
        assertTrue(MATRIX_ERROR.matcher(reply.response().body()).matches(), vector + ": " + reply);
        if (vector.closes()) {
            assertTrue(closed, vector + ": connection left open after a framing error");
        }
        assertFalse(tiny.received().stream().anyMatch(r -> r.target().contains(vector.marker())),
                vector + ": the upstream received it whole: " + forwarded);
        if (vector.reach() == Reach.NOTHING) {
            assertFalse(tap.carried(vector.marker()), vector + ": bytes of it went upstream: " + forwarded);
        } else {
            for (byte[] connection : tap.upstreamBytes()) {
                if (new String(connection, StandardCharsets.ISO_8859_1).contains(vector.marker())) {
                    StrictRequestParser.Result result = StrictRequestParser.parse(connection);
                    assertTrue(result.wellFramed(), vector + ": " + result.framingFault());
                    assertTrue(result.requests().stream().noneMatch(r -> r.target().contains(vector.marker())),
                            vector + ": the upstream received it whole: " + forwarded);
                }
            }
        }
    }

    /** The upstream connections' bytes that mention the marker, escaped, for failure messages. */
    private static String forwardedWith(String marker) {
        List<String> carrying = tap.upstreamBytes().stream()
                .map(bytes -> new String(bytes, StandardCharsets.ISO_8859_1))
                .filter(text -> text.contains(marker))
                .map(text -> {
                    int start = text.lastIndexOf("\r\n\r\n", text.indexOf(marker));
                    String from = text.substring(start < 0 ? 0 : start + 4);
                    return escape(from.length() > 400 ? from.substring(0, 400) + "..." : from);
                })
                .toList();
        return carrying.isEmpty() ? "nothing" : String.join(" | ", carrying);
    }

    private static String escape(String text) {
        StringBuilder escaped = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\r' -> escaped.append("\\r");
                case '\n' -> escaped.append("\\n");
                case '\t' -> escaped.append("\\t");
                default -> escaped.append(c < 0x20 || c >= 0x7f ? "\\x%02x".formatted((int) c) : String.valueOf(c));
            }
        }
        return escaped.toString();
    }

    private static String manySmallFields(int count) {
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < count; i++) {
            fields.append("X-Field-").append(i).append(": abcdefghijklmnopqrst\r\n");
        }
        return fields.toString();
    }

    /** A valid request (the status field is unused). */
    private static Vector accepted(String name, String wire) {
        return new Vector(name, wire, 200, false, Reach.NOTHING);
    }

    /** A fault in the head: refused with 400 before anything is sent, and the connection closed. */
    private static Vector head(String name, String wire) {
        return new Vector(name, wire, 400, true, Reach.NOTHING);
    }

    /** A fault in the chunked body, after a valid head. */
    private static Vector body(String name, String wire) {
        return new Vector(name, wire, 400, true, Reach.NO_WHOLE_REQUEST);
    }

    /** Refused, but the framing is sound: the connection may stay open. */
    private static Vector notFraming(String name, String wire) {
        return new Vector(name, wire, 400, false, Reach.NOTHING);
    }
}
