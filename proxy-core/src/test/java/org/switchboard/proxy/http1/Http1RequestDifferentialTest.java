package org.switchboard.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.switchboard.config.ClientAddressSpec;
import org.switchboard.proxy.codec.http1.ChunkedFramer;
import org.switchboard.proxy.codec.http1.HeadError;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.codec.http1.HeadWriter;
import org.switchboard.proxy.http.ForwardingHeaders;
import org.switchboard.proxy.listener.ClientChannelInitializer;
import org.switchboard.proxy.router.MatrixErrors;
import org.switchboard.routing.ClientAddressResolver;

/**
 * The one-pass request parser and head rewrite against the pipeline they replace, as the oracle:
 * StrictFramingGuard, Netty's strict HttpServerCodec, RequestValidator, the Expect check,
 * HopByHopHeaders and ForwardingHeaders. Over a seeded corpus of generated and mutated request
 * heads, both must reach the same verdict (accept, 400, 414, 431, 505, 417) and, on accept, send
 * the same request upstream (method, target, and the ordered header list, decoded by Netty).
 *
 * <p>Where the new parser deliberately differs, the difference is named in
 * {@link #intendedDifference} with its reason; anything else fails with the input shown.
 */
class Http1RequestDifferentialTest {
    private static final int CASES = 100_000;
    private static final int MAX_TARGET = 256;
    private static final int MAX_HEADERS = 1024;
    private static final byte[] PEER = {(byte) 198, 51, 100, 7};
    private static final String PEER_TEXT = "198.51.100.7";

    private final LegacyForwardingHeaders forwarding = new LegacyForwardingHeaders(new ClientAddressResolver(ClientAddressSpec.DEFAULTS));
    private final HeadIndex index = new HeadIndex(MAX_TARGET + 32, MAX_HEADERS);

    @Test
    void sameVerdictAndSameUpstreamRequestOverAGeneratedCorpus() {
        RequestCorpus corpus = new RequestCorpus(new Random(20261201L));
        Map<String, Integer> verdicts = new TreeMap<>();
        List<String> differences = new ArrayList<>();
        for (int n = 0; n < CASES; n++) {
            byte[] input = corpus.next();
            Outcome expected = oracle(input);
            Outcome actual = candidate(input);
            verdicts.merge(expected.verdict, 1, Integer::sum);
            if (!expected.equals(actual) && intendedDifference(input, expected, actual) == null && differences.size() < 10) {
                differences.add("case " + n + ": " + printable(input) + "\n  oracle:    " + expected + "\n  candidate: " + actual);
            }
        }
        assertEquals(List.of(), differences, String.join("\n", differences));
        // The corpus must exercise both sides of every rule, or agreement proves little.
        for (String verdict : List.of("accept", "400", "414", "431", "505", "417")) {
            assertTrue(verdicts.getOrDefault(verdict, 0) > 100, "too few cases with verdict " + verdict + ": " + verdicts);
        }
    }

    /** Differences that are fixes, each with its reason; null when the difference is a bug. */
    static String intendedDifference(byte[] input, Outcome oracle, Outcome candidate) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        if (candidate.verdict.equals("501") && oracle.verdict.equals("accept")) {
            return "RFC 9112 6.1: a transfer coding other than chunked is refused with 501, not forwarded";
        }
        if (candidate.verdict.equals("505") && text.contains(" HTTP/") && !text.contains(" HTTP/1.")) {
            return "a request line with another major version gets 505 (Netty's decoder calls some 400)";
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (candidate.verdict.equals("400") && lower.split("\r\ntransfer-encoding:", -1).length > 2) {
            return "two Transfer-Encoding lines are refused; the old pipeline forwarded both to Synapse";
        }
        if (candidate.verdict.equals("400") && !oracle.verdict.equals("400")
                && lower.split("\r\ncontent-length:", -1).length > 2) {
            return "RFC 9112 6.3: repeated Content-Length is refused on HTTP/1.0 too (the old pipeline kept one of them)";
        }
        if (isLimit(candidate.verdict) && oracle.verdict.equals("400") || candidate.verdict.equals("400") && isLimit(oracle.verdict)) {
            return "a head both over a limit and malformed: the new parser names what it met first, the old pipeline "
                    + "ran its syntax guard over every byte before the codec's limits";
        }
        if (oracle.verdict.equals("incomplete") && candidate.verdict.equals("400")) {
            return "broken syntax is refused at once, without waiting for the rest of the head";
        }
        if (candidate.verdict.equals("417") && oracle.verdict.equals("accept")) {
            return "every Expect is judged (RFC 9110 10.1.1); the old pipeline read only the first";
        }
        if (candidate.verdict.equals("400") && !oracle.verdict.equals("400")
                && Pattern.compile("(?i)content-length:[ \\t]*\\d{19}").matcher(text).find()) {
            return "a Content-Length of 19 digits or more is refused: no body is that large, and no overflow can follow";
        }
        if (oracle.verdict.equals("accept") && candidate.verdict.equals("accept")
                && oracle.withChunkedAsWritten().equals(candidate)) {
            return "a request's Transfer-Encoding goes upstream as plain chunked, its one accepted value, however the "
                    + "client wrote it (Chunked, chunked, with empty list elements): no parser upstream reads it otherwise";
        }
        oracle = oracle.withChunkedAsWritten();
        if (oracle.verdict.equals("accept") && candidate.verdict.equals("accept")
                && oracle.withoutExpect().equals(candidate.withoutExpect().without("host: localhost"))) {
            return "an HTTP/1.0 request without Host goes upstream as HTTP/1.1, which must name one (RFC 9112 3.2)";
        }
        if (oracle.verdict.equals("accept") && candidate.verdict.equals("accept")
                && oracle.withoutExpect().equals(candidate.withoutExpect())) {
            return "Expect: 100-continue is forwarded for the upstream to answer, not answered by the proxy";
        }
        return null;
    }

    private static boolean isLimit(String verdict) {
        return verdict.equals("414") || verdict.equals("431");
    }

    /** The old pipeline, as wired in ClientChannelInitializer and ProxyHandler. */
    private Outcome oracle(byte[] input) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_TARGET + 32)
                .setMaxHeaderSize(MAX_HEADERS)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
        EmbeddedChannel channel = new EmbeddedChannel(new StrictFramingGuard(), new HttpServerCodec(config));
        try {
            try {
                channel.writeInbound(Unpooled.wrappedBuffer(input));
            } catch (StrictFramingGuard.MalformedFramingException e) {
                return Outcome.refused("400");
            }
            Object first = channel.readInbound();
            if (!(first instanceof HttpRequest request)) {
                ReferenceCountUtil.release(first);
                return Outcome.INCOMPLETE;
            }
            try {
                if (request.decoderResult().isFailure()) {
                    Throwable cause = request.decoderResult().cause();
                    return Outcome.refused(cause instanceof TooLongHttpLineException ? "414"
                            : cause instanceof TooLongHttpHeaderException ? "431" : "400");
                }
                MatrixErrors invalid = RequestValidator.check(request);
                if (invalid != null) {
                    return Outcome.refused(String.valueOf(invalid.status().code()));
                }
                String expect = request.headers().get(HttpHeaderNames.EXPECT);
                if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
                    return Outcome.refused("417");
                }
                if (HttpUtil.is100ContinueExpected(request)) {
                    request.headers().remove(HttpHeaderNames.EXPECT);
                }
                HopByHopHeaders.strip(request.headers());
                forwarding.apply(request.headers(), PEER, PEER_TEXT, "https");
                return Outcome.accepted(request.method().name(), request.uri(), request.headers().iteratorAsString());
            } finally {
                ReferenceCountUtil.release(request);
            }
        } finally {
            drain(channel);
        }
    }

    /** The new path: one parse, one rewrite, read back by Netty's (lenient) decoder. */
    private Outcome candidate(byte[] input) {
        int end = index.parseRequest(input, 0, input.length);
        if (end == HeadIndex.INCOMPLETE) {
            return Outcome.INCOMPLETE;
        }
        if (end == HeadIndex.REFUSED) {
            return Outcome.refused(statusOf(index.error()));
        }
        if (index.chunked() && end < input.length) {
            // The old guard judged the chunked body's framing too; so does the body framer here.
            ChunkedFramer body = new ChunkedFramer();
            if (body.scan(Unpooled.wrappedBuffer(input), end, input.length, null) < 0) {
                return Outcome.refused("400");
            }
        }
        ByteBuf upstream = Unpooled.buffer(HeadWriter.requestCapacity(index, PEER_TEXT, "id"));
        HeadWriter.writeRequest(index, false, PEER_TEXT, "https", "0123456789abcdef0123456789abcdef", upstream);
        EmbeddedChannel decoder = new EmbeddedChannel(new HttpRequestDecoder());
        try {
            decoder.writeInbound(upstream);
            HttpRequest request = decoder.readInbound();
            try {
                assertTrue(request.decoderResult().isSuccess(), () -> "the rewritten head does not decode: " + request);
                return Outcome.accepted(request.method().name(), request.uri(), request.headers().iteratorAsString());
            } finally {
                ReferenceCountUtil.release(request);
            }
        } finally {
            drain(decoder);
        }
    }

    static String statusOf(HeadError error) {
        return switch (error) {
            case MALFORMED -> "400";
            case TARGET_TOO_LONG -> "414";
            case HEADERS_TOO_LARGE -> "431";
            case VERSION_NOT_SUPPORTED -> "505";
            case CODING_NOT_IMPLEMENTED, METHOD_NOT_IMPLEMENTED -> "501";
            case EXPECTATION_FAILED -> "417";
        };
    }

    private static void drain(EmbeddedChannel channel) {
        for (Object message; (message = channel.readInbound()) != null; ) {
            ReferenceCountUtil.release(message);
        }
        channel.finishAndReleaseAll();
    }

    static String printable(byte[] input) {
        StringBuilder text = new StringBuilder();
        for (byte b : input) {
            int c = b & 0xff;
            text.append(c == '\r' ? "\\r" : c == '\n' ? "\\n" : c < 0x20 || c >= 0x7f ? String.format("\\x%02x", c) : String.valueOf((char) c));
        }
        return text.toString();
    }

    /** A verdict and, when accepted, what went upstream (x-request-id is random on both sides: left out). */
    record Outcome(String verdict, String method, String target, List<String> headers) {
        static final Outcome INCOMPLETE = new Outcome("incomplete", null, null, List.of());

        static Outcome refused(String status) {
            return new Outcome(status, null, null, List.of());
        }

        static Outcome accepted(String method, String target, Iterator<Map.Entry<String, String>> headers) {
            List<String> lines = new ArrayList<>();
            while (headers.hasNext()) {
                Map.Entry<String, String> header = headers.next();
                String name = header.getKey().toLowerCase(Locale.ROOT);
                if (!name.equals("x-request-id")) {
                    lines.add(name + ": " + header.getValue());
                }
            }
            return new Outcome("accept", method, target, lines);
        }

        Outcome without(String line) {
            return new Outcome(verdict, method, target, headers.stream().filter(h -> !h.equals(line)).toList());
        }

        /** The Transfer-Encoding line as the new writer forwards it. */
        Outcome withChunkedAsWritten() {
            return new Outcome(verdict, method, target, headers.stream()
                    .map(h -> h.startsWith("transfer-encoding:") ? "transfer-encoding: chunked" : h).toList());
        }

        Outcome withoutExpect() {
            return new Outcome(verdict, method, target, headers.stream().filter(h -> !h.startsWith("expect:")).toList());
        }
    }
}
