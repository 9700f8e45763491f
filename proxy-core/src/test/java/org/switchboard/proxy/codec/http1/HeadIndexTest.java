package org.switchboard.proxy.codec.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parser is stateless: a head that arrives in pieces is parsed again from its start, so every
 * prefix of a good head must be "incomplete" (never a refusal), and a bad head is refused with
 * the same reason however much of it has arrived once the bad byte is in.
 */
class HeadIndexTest {
    private final HeadIndex index = new HeadIndex(64 + 32, 256);

    private static byte[] bytes(String escaped) {
        return escaped.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "GET /a HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|accept",
        "\\r\\nGET /a HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|accept",
        "GET /a HTTP/1.0\\r\\n\\r\\n|accept",
        "OPTIONS * HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|accept",
        "GET * HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\nHost: x\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost: x\\rX\\r\\n\\r\\n|MALFORMED",
        "GET  /a HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|MALFORMED",
        "GET /a http/1.1\\r\\nHost: x\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/2.0\\r\\nHost: x\\r\\n\\r\\n|VERSION_NOT_SUPPORTED",
        "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n|VERSION_NOT_SUPPORTED",
        "GET /a HTTP/1.1\\r\\nHost: x\\r\\n folded\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost : x\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHo(st: x\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\n: x\\r\\nHost: x\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost: x\\r\\nX: a\u0001b\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost: x\\r\\nX: caf\u00e9\\r\\n\\r\\n|accept",
        "GET /a HTTP/1.1\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost: x\\r\\nHost: x\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost: h:abc\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost: h:99999\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost: a:b:80\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost: :80\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost: [::1]x\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost: [::1\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost: h]:80\\r\\n\\r\\n|MALFORMED",
        "GET /a HTTP/1.1\\r\\nHost: [::1]:8448\\r\\n\\r\\n|accept",
        "GET /a HTTP/1.1\\r\\nHost: h:65535\\r\\n\\r\\n|accept",
        "GET /a HTTP/1.1\\r\\nHost: h:\\r\\n\\r\\n|accept",
        "POST /a HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 5\\r\\nContent-Length: 5\\r\\n\\r\\n|MALFORMED",
        "POST /a HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: +5\\r\\n\\r\\n|MALFORMED",
        "POST /a HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|MALFORMED",
        "POST /a HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked, identity\\r\\n\\r\\n|MALFORMED",
        "POST /a HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n|CODING_NOT_IMPLEMENTED",
        "POST /a HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked, chunked\\r\\n\\r\\n|MALFORMED",
        "POST /a HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|MALFORMED",
        "POST /a HTTP/1.1\\r\\nHost: x\\r\\nExpect: 100-continue\\r\\n\\r\\n|accept",
        "POST /a HTTP/1.1\\r\\nHost: x\\r\\nExpect: tea\\r\\n\\r\\n|EXPECTATION_FAILED",
        "GET http://x/p HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|accept",
        "GET http://y/p HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|MALFORMED",
        "GET http://x:80/p HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|accept",
        "GET http://x/p HTTP/1.1\\r\\nHost: x:80\\r\\n\\r\\n|accept",
        "GET https://x:443/p HTTP/1.1\\r\\nHost: x:\\r\\n\\r\\n|accept",
        "GET https://x:80/p HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|MALFORMED",
        "GET http://x:8008/p HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|MALFORMED",
        "GET http://[::1]:80/p HTTP/1.1\\r\\nHost: [::1]\\r\\n\\r\\n|accept",
        "GET http://X.example.org./p HTTP/1.1\\r\\nHost: x.example.org\\r\\n\\r\\n|accept",
        "GET http://x.example.org:8448/p HTTP/1.1\\r\\nHost: x.example.org.:8448\\r\\n\\r\\n|accept",
        "GET http://x.example.org.:8448/p HTTP/1.1\\r\\nHost: x.example.org\\r\\n\\r\\n|MALFORMED",
        "GET http://x..example.org/p HTTP/1.1\\r\\nHost: x.example.org\\r\\n\\r\\n|MALFORMED",
        "GET http://u@x/p HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|MALFORMED",
        "GET /a#top HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|MALFORMED",
        "GET http://x#top HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|MALFORMED",
        "CONNECT x:443 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|METHOD_NOT_IMPLEMENTED",
        "GET /xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx HTTP/1.1\\r\\n\\r\\n|TARGET_TOO_LONG",
        "GET /a HTTP/1.1\\r\\nHost: x\\r\\nX: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\\r\\n\\r\\n|HEADERS_TOO_LARGE",
    })
    void verdictDoesNotDependOnHowMuchHasArrived(String escaped, String expected) {
        assertSameVerdictAtEveryArrival(index, escaped, expected);
    }

    static Stream<Arguments> clientRequestLimits() {
        String host = " HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n";
        String target64 = "/" + "t".repeat(63);
        return Stream.of(
                Arguments.of("GET " + target64 + host, "accept"),
                Arguments.of("DELETE " + target64 + host, "accept"), // the method's length takes none of the target's
                Arguments.of("UPDATEREDIRECTREF " + target64 + host, "accept"),
                Arguments.of("GET " + target64 + "t" + host, "TARGET_TOO_LONG"),
                Arguments.of("GET /" + "t".repeat(300) + host, "TARGET_TOO_LONG"),
                Arguments.of("A".repeat(23) + " /a" + host, "METHOD_NOT_IMPLEMENTED"),
                Arguments.of("A".repeat(300) + " /a" + host, "METHOD_NOT_IMPLEMENTED"),
                Arguments.of("A".repeat(300) + host, "METHOD_NOT_IMPLEMENTED"),
                Arguments.of("A".repeat(30) + "/" + "t".repeat(300) + host, "MALFORMED"),
                Arguments.of("CONNECT x:443" + host, "METHOD_NOT_IMPLEMENTED"));
    }

    /** A client's request index: 414 on the target's own length, 501 for a method longer than any registered. */
    @ParameterizedTest
    @MethodSource("clientRequestLimits")
    void aClientRequestIndexLimitsTheTargetAndTheMethodEachByItself(String escaped, String expected) {
        assertSameVerdictAtEveryArrival(HeadIndex.forRequests(64, 256), escaped, expected);
    }

    @Test
    void optionsForAnOriginWithoutPathOrQueryIsAskedOfTheServer() {
        for (String target : List.of("*", "http://x", "http://x/", "http://x?q", "/a")) {
            byte[] head = bytes("OPTIONS " + target + " HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n");
            assertTrue(index.parseRequest(head, 0, head.length) > 0, target);
            boolean server = target.equals("*") || target.equals("http://x");
            assertEquals(server, index.asteriskForm(), target);
            assertEquals(server ? "*" : target.equals("/a") ? "/a" : target.substring("http://x".length()).replaceFirst("^\\?", "/?"),
                    index.originFormTarget(), target);
        }
        byte[] get = bytes("GET http://x HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n");
        assertTrue(index.parseRequest(get, 0, get.length) > 0);
        assertTrue(!index.asteriskForm());
        assertEquals("/", index.originFormTarget());
    }

    private static void assertSameVerdictAtEveryArrival(HeadIndex index, String escaped, String expected) {
        byte[] head = bytes(escaped);
        String whole = verdict(index, head, head.length);
        assertEquals(expected, whole);
        boolean refusedYet = false;
        for (int arrived = 0; arrived < head.length; arrived++) {
            String partial = verdict(index, head, arrived);
            if (expected.equals("accept")) {
                assertEquals("incomplete", partial, "prefix of " + arrived + " bytes");
            } else if (!partial.equals("incomplete")) {
                assertEquals(expected, partial, "prefix of " + arrived + " bytes");
                refusedYet = true;
            } else {
                assertTrue(!refusedYet, "a refusal was taken back after " + arrived + " bytes");
            }
        }
    }

    private static String verdict(HeadIndex index, byte[] bytes, int arrived) {
        // Offsets are relative to where the head starts in a larger buffer.
        byte[] shifted = new byte[arrived + 7];
        System.arraycopy(bytes, 0, shifted, 7, arrived);
        int end = index.parseRequest(shifted, 7, 7 + arrived);
        if (end == HeadIndex.INCOMPLETE) {
            return "incomplete";
        }
        if (end == HeadIndex.REFUSED) {
            return index.error().name();
        }
        String rest = new String(shifted, end, shifted.length - end, StandardCharsets.ISO_8859_1);
        return rest.isEmpty() ? "accept" : "accept with " + rest;
    }

    @Test
    void indexesTheFieldsAndTheFramingFacts() {
        byte[] head = bytes("POST /_matrix/client/v3/rooms/!r:x/send/m.room.message/t1?ts=1 HTTP/1.1\\r\\n"
                + "host: matrix.example.org\\r\\nAuthorization:  Bearer abc \\r\\nContent-Length: 16\\r\\n"
                + "Connection: keep-alive, X-Hop\\r\\nX-Hop: 1\\r\\n\\r\\n{\"body\":\"hello\"}");
        int end = index.parseRequest(head, 0, head.length);
        assertEquals(head.length - 16, end);
        assertEquals(16, index.contentLength());
        assertEquals(5, index.fieldCount());
        int authorization = index.find(HeaderName.AUTHORIZATION);
        assertEquals("Bearer abc", new String(head, index.valueStart(authorization),
                index.valueEnd(authorization) - index.valueStart(authorization), StandardCharsets.US_ASCII));
        assertEquals(0, index.host());
        assertTrue(index.keepAlive());
        assertTrue(index.namedByConnection(4), "X-Hop is named by Connection");
        assertTrue(!index.namedByConnection(2), "Content-Length can never be dropped that way");
    }

    @Test
    void theUpstreamHeadKeepsSpellingAndOrderAndReplacesTheForwardingLines() {
        byte[] head = bytes("GET http://x/p?q HTTP/1.0\\r\\nHost: x\\r\\nConnection: keep-alive, X-Hop\\r\\n"
                + "X-Hop: 1\\r\\nx-forwarded-for: 1.2.3.4\\r\\nX_Real_IP: 1.2.3.4\\r\\nAccept:  */* \\r\\n"
                + "Forwarded: for=1.2.3.4\\r\\nKeep-Alive: 5\\r\\n\\r\\n");
        assertTrue(index.parseRequest(head, 0, head.length) > 0);
        ByteBuf out = Unpooled.buffer();
        HeadWriter.writeRequest(index, false, "198.51.100.7", "https", "r1", out);
        assertEquals("GET /p?q HTTP/1.1\r\nHost: x\r\nAccept:  */* \r\nX-Forwarded-For: 198.51.100.7\r\n"
                + "X-Forwarded-Proto: https\r\nX-Request-ID: r1\r\n\r\n", out.toString(StandardCharsets.ISO_8859_1));
        out.clear();
        HeadWriter.writeRequest(index, true, "1.2.3.4, 198.51.100.7", "http", "r1", out);
        assertTrue(out.toString(StandardCharsets.ISO_8859_1).contains("Forwarded: for=1.2.3.4\r\n"),
                "a trusted proxy's Forwarded is kept");
        out.release();
    }

    @ParameterizedTest(name = "{0} less {1}")
    @CsvSource(delimiter = '|', value = {
        "/livekit/jwt/get_token?x=1|12|/get_token?x=1",
        "/livekit/jwt/|12|/",
        "/livekit/jwt|12|/",
        "/livekit/jwt?x|12|/?x",
        "/livekit/sfu/rtc|12|/rtc",
        "/a|0|/a",
    })
    void aStrippedPrefixLeavesThePathWithItsLeadingSlash(String target, int strip, String upstreamTarget) {
        byte[] head = bytes("GET " + target + " HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n");
        assertTrue(index.parseRequest(head, 0, head.length) > 0);
        ByteBuf out = Unpooled.buffer();
        HeadWriter.writeRequest(index, false, "198.51.100.7", "http", "r1", null, strip, out);
        assertEquals("GET " + upstreamTarget + " HTTP/1.1\r\nHost: x\r\n",
                out.toString(StandardCharsets.ISO_8859_1).substring(0, ("GET " + upstreamTarget + " HTTP/1.1\r\nHost: x\r\n").length()));
        out.release();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\n|200 length=2 chunked=false",
        "HTTP/1.1 204\\r\\n\\r\\n|204 length=-1 chunked=false",
        "HTTP/1.1 200 \\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n|200 length=-1 chunked=true",
        "HTTP/1.0 200 OK\\r\\n\\r\\n|200 length=-1 chunked=false",
        "HTTP/1.1 103 Early Hints\\r\\nLink: </a>; rel=preload\\r\\n\\r\\n|103 length=-1 chunked=false",
        "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|MALFORMED",
        "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nContent-Length: 3\\r\\n\\r\\n|MALFORMED",
        "HTTP/1.1 20 OK\\r\\n\\r\\n|MALFORMED",
        "HTTP/2 200 OK\\r\\n\\r\\n|MALFORMED",
        "HTTP/1.1 200 OK\\nContent-Length: 2\\r\\n\\r\\n|MALFORMED",
    })
    void responseHeads(String escaped, String expected) {
        byte[] head = bytes(escaped);
        int end = index.parseResponse(head, 0, head.length);
        String verdict = end == HeadIndex.REFUSED ? index.error().name()
                : index.status() + " length=" + index.contentLength() + " chunked=" + index.chunked();
        assertEquals(expected, verdict);
        for (int arrived = 0; arrived < head.length && end > 0; arrived++) {
            assertEquals(HeadIndex.INCOMPLETE, index.parseResponse(head, 0, arrived), "prefix of " + arrived);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"GET|GET", "\\r\\nGET|GET", "\\r\\n\\r\\nPOST|POST", "PUT|PUT", "HEAD|HEAD",
        "DELETE|DELETE", "\\r\\nM-SEARCH|M-SEARCH"})
    void theMethodIsReadWhereTheRequestLineStarts(String prefix, String method) {
        byte[] head = bytes(prefix + " /a HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n");
        assertTrue(index.parseRequest(head, 0, head.length) > 0);
        assertEquals(method, index.methodName());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // Hop-by-hop lines go: the new head is written over the old one's end, body right behind.
        "HTTP/1.1 200 OK\\r\\nConnection: keep-alive\\r\\nContent-Length: 2\\r\\n\\r\\nok|false"
                + "|HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok",
        // Closing adds a line the upstream did not send: the head grows and is copied instead.
        "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok|true"
                + "|HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok",
    })
    void theResponseHeadIsRewrittenWithItsSmallBodyAsOneBuffer(String upstream, boolean close, String expected) {
        byte[] bytes = bytes(upstream + "NEXT");
        assertTrue(index.parseResponse(bytes, 0, bytes.length) > 0);
        ByteBuf read = Unpooled.copiedBuffer(bytes);
        ByteBuf out = HeadWriter.rewriteResponse(index, read, 2, false, false, close, Unpooled.buffer(256),
                UnpooledByteBufAllocator.DEFAULT);
        assertEquals(bytes(expected).length, out.readableBytes());
        assertEquals(new String(bytes(expected), StandardCharsets.ISO_8859_1), out.toString(StandardCharsets.ISO_8859_1));
        assertEquals("NEXT", read.toString(StandardCharsets.ISO_8859_1), "what follows the response stays unread");
        out.release();
        read.release();
    }

    @Test
    void theResponseHeadLosesItsHopByHopLinesAndSaysHowTheConnectionEnds() {
        byte[] head = bytes("HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nConnection: keep-alive\\r\\n"
                + "Keep-Alive: timeout=5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n");
        assertTrue(index.parseResponse(head, 0, head.length) > 0);
        ByteBuf out = Unpooled.buffer();
        HeadWriter.writeResponse(index, true, true, true, out);
        assertEquals("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
                out.toString(StandardCharsets.ISO_8859_1));
        out.release();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Connection: Upgrade\\r\\nUpgrade: websocket|true",
        "connection: keep-alive, upgrade\\r\\nupgrade: h2c, WebSocket|true",
        "Connection: upgrade\\r\\nUpgrade: h2c|false",
        "Upgrade: websocket|false",
        "Connection: Upgrade|false",
    })
    void aWebSocketHandshakeNeedsBothConnectionUpgradeAndTheWebsocketProtocol(String fields, boolean handshake) {
        byte[] head = bytes("GET /rtc HTTP/1.1\\r\\nHost: x\\r\\n" + fields + "\\r\\n\\r\\n");
        assertTrue(index.parseRequest(head, 0, head.length) > 0);
        assertEquals(handshake, index.webSocketUpgrade());
    }

    @Test
    void theUpgradeGoesBackIntoAHandshakeAndIntoTheSwitchingResponse() {
        byte[] request = bytes("GET /rtc HTTP/1.1\\r\\nHost: x\\r\\nConnection: Upgrade\\r\\nUpgrade: websocket\\r\\n"
                + "Sec-WebSocket-Key: k\\r\\n\\r\\n");
        assertTrue(index.parseRequest(request, 0, request.length) > 0);
        ByteBuf out = Unpooled.buffer();
        HeadWriter.writeRequest(index, false, "10.0.0.1", "http", "id", out);
        HeadWriter.restoreWebSocketUpgrade(out);
        assertEquals("GET /rtc HTTP/1.1\r\nHost: x\r\nSec-WebSocket-Key: k\r\nX-Forwarded-For: 10.0.0.1\r\n"
                + "X-Forwarded-Proto: http\r\nX-Request-ID: id\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
                out.toString(StandardCharsets.ISO_8859_1));
        out.clear();
        byte[] response = bytes("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
                + "Sec-WebSocket-Accept: a\\r\\n\\r\\n");
        assertTrue(index.parseResponse(response, 0, response.length) > 0);
        HeadWriter.writeSwitchingProtocols(index, out);
        assertEquals("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
                out.toString(StandardCharsets.ISO_8859_1));
        out.release();
    }

    /** A refused head is logged with its target as a forwarded one is: an absolute form as its path. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "GET /a?q HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|/a?q",
        "GET http://y/a?q HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|/a?q",
        "GET HTTPS://y?q HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|/?q",
        "GET http://y HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|/",
    })
    void aRefusedAbsoluteFormTargetIsLoggedAsItsPath(String head, String logged) {
        byte[] bytes = bytes(head);
        index.parseRequest(bytes, 0, bytes.length);
        assertEquals(logged, index.targetForLog());
    }
}
