package org.switchboard.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.codec.http1.HeadWriter;

/**
 * The response side of the byte path against the codec path it replaced, as the oracle: Netty's
 * strict response decoder as the upstream pool configured it, then the hop-by-hop strip. Over a
 * seeded corpus of generated and mutated response heads, both must agree on relaying (or the 502)
 * and, when relayed, on the status and the ordered header list the client gets.
 */
class Http1ResponseDifferentialTest {
    private static final int CASES = 100_000;
    private static final String[] STATUS_LINES = {"HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200",
        "HTTP/1.1 200 ", "HTTP/1.0 200 OK", "HTTP/1.1 204 No Content", "HTTP/1.1 304 Not Modified",
        "HTTP/1.1 404 Not Found", "HTTP/1.1 502 Bad Gateway", "HTTP/1.1 429 Too Many Requests", "HTTP/1.1 20 OK",
        "HTTP/2 200 OK", "http/1.1 200 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 200 O\u0001K"};
    private static final String[][] FIELDS = {
        {"Content-Type", "application/json"}, {"Content-Length", "2"}, {"Content-Length", "0"}, {"Content-Length", "2, 2"},
        {"Content-Length", "x"}, {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "gzip, chunked"},
        {"Transfer-Encoding", "chunked, gzip"}, {"Connection", "keep-alive"}, {"Connection", "close"},
        {"Connection", "X-Hop"}, {"X-Hop", "1"}, {"Keep-Alive", "timeout=5"}, {"Set-Cookie", "a=b; Path=/"},
        {"Server", "Synapse/1.67.0"}, {"Date", "Tue, 01 Dec 2026 21:00:00 GMT"}, {"Trailer", "X-T"}, {"Upgrade", "h2c"},
        {"Proxy-Authenticate", "Basic"}, {"Cache-Control", "no-store"}, {"Access-Control-Allow-Origin", "*"},
        {"X-Empty", ""}, {"X-Utf8", "caf\u00e9"},
    };
    private static final byte[] MUTANT_BYTES = {'\r', '\n', ' ', '\t', 0, 0x7f, (byte) 0x80, ':'};

    private final HeadIndex index = new HeadIndex(64 * 1024, 64 * 1024);

    @Test
    void sameRelayAndSameHeadForTheClientOverAGeneratedCorpus() {
        Random random = new Random(20261201L);
        Map<String, Integer> verdicts = new TreeMap<>();
        List<String> differences = new ArrayList<>();
        for (int n = 0; n < CASES; n++) {
            byte[] input = next(random);
            String expected = oracle(input);
            String actual = candidate(input);
            verdicts.merge(expected.startsWith("relay") ? "relay" : expected, 1, Integer::sum);
            if (!expected.equals(actual) && intendedDifference(input, expected, actual) == null && differences.size() < 10) {
                differences.add("case " + n + ": " + Http1RequestDifferentialTest.printable(input)
                        + "\n  oracle:    " + expected + "\n  candidate: " + actual);
            }
        }
        assertEquals(List.of(), differences, String.join("\n", differences));
        assertTrue(verdicts.getOrDefault("relay", 0) > 1000 && verdicts.getOrDefault("502", 0) > 1000, verdicts.toString());
    }

    /** Differences that are fixes, each with its reason; null when the difference is a bug. */
    private static final Pattern STRICT_STATUS_LINE =
            Pattern.compile("HTTP/1\\.\\d [1-9]\\d\\d( [\\t\\x20-\\x7e\\x80-\\xff]*)?\r\n.*", Pattern.DOTALL);

    private static final Pattern BAD_LENGTH =
            Pattern.compile("(?i)\r\ncontent-length:[ \t]*(?![0-9]+[ \t]*\r\n)");

    /** Framing the strict parser refuses whatever the status and version. */
    private static boolean conflictingFraming(String head) {
        String lower = head.toLowerCase(Locale.ROOT);
        int lengths = lower.split("\r\ncontent-length:", -1).length - 1;
        int codings = lower.split("\r\ntransfer-encoding:", -1).length - 1;
        return lengths > 1 || codings > 1 || (lengths > 0 && codings > 0) || BAD_LENGTH.matcher(head).find()
                || codingNotEndingInChunked(lower);
    }

    /** A Transfer-Encoding whose last comma-separated coding is not exactly "chunked". */
    private static boolean codingNotEndingInChunked(String lowerHead) {
        for (String line : lowerHead.split("\r\n")) {
            if (line.startsWith("transfer-encoding:")) {
                String[] codings = line.substring("transfer-encoding:".length()).split(",");
                if (!codings[codings.length - 1].strip().equals("chunked")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final Pattern FIELD_LINE =
            Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+:.*", Pattern.DOTALL);

    /** A field line whose name is not a token followed by a colon (whitespace inside, no colon). */
    private static boolean malformedFieldName(String head) {
        String[] lines = head.split("\r\n", -1);
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            if (!FIELD_LINE.matcher(lines[i]).matches()) {
                return true;
            }
        }
        return false;
    }

    static String intendedDifference(byte[] input, String oracle, String candidate) {
        if (oracle.startsWith("relay") && candidate.equals("502")
                && malformedFieldName(new String(input, StandardCharsets.ISO_8859_1))) {
            return "a field name with whitespace inside or without a colon is a 502; the codec path cut the name at "
                    + "the whitespace (\"Cac\\the-Control\" became \"cac\") and relayed it";
        }
        if (oracle.startsWith("relay") && candidate.equals("502")
                && conflictingFraming(new String(input, StandardCharsets.ISO_8859_1))) {
            return "conflicting framing is a 502 on every status and version; the codec path relayed it "
                    + "on 204/304 and HTTP/1.0 answers, framing headers and all";
        }
        if (oracle.startsWith("relay") && candidate.equals("502")
                && !STRICT_STATUS_LINE.matcher(new String(input, StandardCharsets.ISO_8859_1)).matches()) {
            return "RFC 9112 4: a status line is HTTP/1.x, three digits, a reason without controls; "
                    + "the codec path relayed status 20 or 2000 and control characters to clients";
        }
        if (oracle.startsWith("relay") && candidate.startsWith("relay")
                && candidate.replace("|connection: close", "").equals(oracle)) {
            return "a body without framing ends with the connection: the client is told so (found defect D5)";
        }
        if (oracle.startsWith("relay 204|") && candidate.equals(withoutFramingFields(oracle))) {
            return "RFC 9110 8.6, RFC 9112 6.1: a 204 has neither Content-Length nor Transfer-Encoding; the codec path "
                    + "relayed them, and HTTP/2 clients refuse such a response";
        }
        if (oracle.equals("incomplete") && candidate.equals("502")) {
            return "broken syntax is refused at once, without waiting for the rest of the head";
        }
        return null;
    }

    private static String withoutFramingFields(String relay) {
        return relay.replaceAll("\\|(content-length|transfer-encoding): [^|]*", "");
    }

    private static String oracle(byte[] input) {
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxHeaderSize(64 * 1024).setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true).setAllowDuplicateContentLengths(false);
        EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseDecoder(config));
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(input));
            Object first = channel.readInbound();
            if (!(first instanceof HttpResponse response)) {
                ReferenceCountUtil.release(first);
                return "incomplete";
            }
            try {
                if (response.decoderResult().isFailure()) {
                    return "502";
                }
                HopByHopHeaders.strip(response.headers());
                return describe(response);
            } finally {
                ReferenceCountUtil.release(response);
            }
        } finally {
            for (Object message; (message = channel.readInbound()) != null; ) {
                ReferenceCountUtil.release(message);
            }
            channel.finishAndReleaseAll();
        }
    }

    private String candidate(byte[] input) {
        int end = index.parseResponse(input, 0, input.length);
        if (end == HeadIndex.INCOMPLETE) {
            return "incomplete";
        }
        if (end == HeadIndex.REFUSED) {
            return "502";
        }
        boolean closeDelimited = index.status() >= 200 && index.status() != 204 && index.status() != 304
                && !index.chunked() && index.contentLength() < 0;
        ByteBuf out = Unpooled.buffer(HeadWriter.responseCapacity(index));
        HeadWriter.writeResponse(index, false, false, closeDelimited, out);
        EmbeddedChannel decoder = new EmbeddedChannel(new HttpResponseDecoder());
        try {
            decoder.writeInbound(out);
            HttpResponse response = decoder.readInbound();
            try {
                assertTrue(response.decoderResult().isSuccess(), () -> "the head for the client does not decode: " + response);
                return describe(response);
            } finally {
                ReferenceCountUtil.release(response);
            }
        } finally {
            for (Object message; (message = decoder.readInbound()) != null; ) {
                ReferenceCountUtil.release(message);
            }
            decoder.finishAndReleaseAll();
        }
    }

    private static String describe(HttpResponse response) {
        StringBuilder text = new StringBuilder("relay ").append(response.status().code());
        for (Map.Entry<String, String> header : response.headers()) {
            text.append('|').append(header.getKey().toLowerCase(Locale.ROOT)).append(": ").append(header.getValue());
        }
        return text.toString();
    }

    private static byte[] next(Random random) {
        List<String> lines = new ArrayList<>();
        lines.add(STATUS_LINES[random.nextInt(STATUS_LINES.length)]);
        int fields = random.nextInt(7);
        for (int i = 0; i < fields; i++) {
            String[] field = FIELDS[random.nextInt(FIELDS.length)];
            lines.add(field[0] + ":" + (random.nextInt(5) == 0 ? "" : " ") + field[1]);
        }
        byte[] head = (String.join("\r\n", lines) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        if (random.nextInt(3) == 0) {
            int at = random.nextInt(head.length);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(head, 0, at);
            if (random.nextBoolean()) {
                out.write(MUTANT_BYTES[random.nextInt(MUTANT_BYTES.length)]);
                out.write(head, at, head.length - at);
            } else {
                out.write(head, at + 1, head.length - at - 1);
            }
            head = out.toByteArray();
        }
        return head;
    }
}
