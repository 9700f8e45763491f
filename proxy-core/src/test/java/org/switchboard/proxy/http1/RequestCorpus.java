package org.switchboard.proxy.http1;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Request heads from a grammar of what Matrix clients, proxies and attackers send, then mutated
 * (a control byte inserted, a byte dropped, a line doubled, a letter's case flipped) so that every
 * rule of RFC 9112 is met on both sides. Seeded: a failure replays from its case number.
 */
final class RequestCorpus {
    private static final String[] METHODS = {"GET", "GET", "GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH",
        "get", "G@T", "M-SEARCH", "CONNECT", "PRI"};
    private static final String[] TARGETS = {"/", "/_matrix/client/v3/sync?since=s72594_4483_1934&timeout=30000",
        "/_matrix/client/v3/rooms/%21abc%3Aexample.org/send/m.room.message/txn1", "/_matrix/media/v3/upload",
        "*", "http://matrix.example.org/p?q=1", "HTTPS://MATRIX.EXAMPLE.ORG", "http://other.example.org/p",
        "http://matrix.example.org?x", "matrix.example.org:443", "/a%2Fb/../c//d", "/caf\u00e9", "/a#frag",
        "/_synapse/admin/v1/users", "/.well-known/matrix/client"};
    private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0",
        "HTTP/0.9", "http/1.1", "HTTP/1.2", "HTTP/3.0", "HTTP/1.10"};
    private static final String[] HOSTS = {"matrix.example.org", "MATRIX.example.org", "matrix.example.org:8448",
        "[2001:db8::1]:443", "10.0.0.1", "bad host", "", "a/b", "x@y"};
    private static final String[][] FIELDS = {
        {"User-Agent", "Element/1.11.50 (Android 14)"}, {"Accept", "application/json"},
        {"Authorization", "Bearer syt_YWxpY2U_abcdefghijklmnopqrst_0a1b2c"}, {"Accept-Encoding", "gzip, deflate, br"},
        {"Content-Type", "application/json"}, {"Content-Length", "0"}, {"Content-Length", "42"},
        {"Content-Length", "5, 5"}, {"Content-Length", "+5"}, {"Content-Length", "12345678901234567890"},
        {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "gzip, chunked"}, {"Transfer-Encoding", "chunked, identity"},
        {"Transfer-Encoding", "xchunked"}, {"Connection", "close"}, {"Connection", "keep-alive"},
        {"Connection", "X-Custom, keep-alive"}, {"Connection", "Content-Length, Host"}, {"X-Custom", "1"},
        {"Keep-Alive", "timeout=5"}, {"Proxy-Connection", "keep-alive"}, {"TE", "trailers"}, {"Trailer", "X-T"},
        {"Upgrade", "websocket"}, {"Proxy-Authorization", "Basic eA=="}, {"X-Forwarded-For", "203.0.113.9"},
        {"X_Forwarded_For", "203.0.113.9"}, {"X-Real-IP", "203.0.113.9"}, {"Forwarded", "for=203.0.113.9"},
        {"X-Forwarded-Proto", "http"}, {"X-Forwarded-Host", "evil.example"}, {"X-Request-ID", "abc-123"},
        {"x-forwarded-PREFIX", "/x"}, {"Expect", "100-continue"}, {"Expect", "100-Continue"}, {"Expect", "fancy"},
        {"Cookie", "a=b; c=d"}, {"X-Empty", ""}, {"X-Tab", "a\tb"}, {"X-Utf8", "caf\u00e9"},
        {"X-Tokens!#$%&'*+.^_`|~", "v"}, {"Origin", "https://app.element.io"}, {"X-Spaces", "  padded  "},
    };
    private static final byte[] MUTANT_BYTES = {'\r', '\n', ' ', '\t', 0, 0x7f, (byte) 0x80, ':', ',', 'a'};

    private final Random random;

    RequestCorpus(Random random) {
        this.random = random;
    }

    byte[] next() {
        List<String> lines = new ArrayList<>();
        String prefix = random.nextInt(40) == 0 ? "\r\n" : "";
        String target = pick(TARGETS);
        if (random.nextInt(30) == 0) {
            target = "/" + "x".repeat(200 + random.nextInt(120)); // near the 256-byte target limit
        }
        lines.add(prefix + pick(METHODS) + " " + target + " " + pick(VERSIONS));
        int hosts = random.nextInt(20) == 0 ? random.nextInt(3) : 1;
        int fields = random.nextInt(9);
        int hostAt = random.nextInt(fields + 1);
        for (int i = 0; i <= fields; i++) {
            if (i == hostAt) {
                for (int h = 0; h < hosts; h++) {
                    lines.add("Host: " + (random.nextInt(8) == 0 ? pick(HOSTS) : HOSTS[0]));
                }
            }
            if (i < fields) {
                String[] field = FIELDS[random.nextInt(FIELDS.length)];
                lines.add(field[0] + ":" + (random.nextInt(5) == 0 ? "" : " ") + field[1]);
            }
        }
        if (random.nextInt(25) == 0) {
            lines.add("X-Big: " + "b".repeat(900 + random.nextInt(200))); // near the 1024-byte header limit
        }
        byte[] head = (String.join("\r\n", lines) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        int mutations = random.nextInt(3) == 0 ? 1 + random.nextInt(2) : 0;
        for (int m = 0; m < mutations; m++) {
            head = mutate(head);
        }
        return head;
    }

    private byte[] mutate(byte[] head) {
        int at = random.nextInt(head.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + 64);
        switch (random.nextInt(4)) {
            case 0 -> { // insert a byte that matters to framing
                out.write(head, 0, at);
                out.write(MUTANT_BYTES[random.nextInt(MUTANT_BYTES.length)]);
                out.write(head, at, head.length - at);
            }
            case 1 -> { // drop a byte
                out.write(head, 0, at);
                out.write(head, at + 1, head.length - at - 1);
            }
            case 2 -> { // double the line around a position
                int start = at;
                while (start > 0 && head[start - 1] != '\n') {
                    start--;
                }
                int end = at;
                while (end < head.length && head[end] != '\n') {
                    end++;
                }
                end = Math.min(end + 1, head.length);
                out.write(head, 0, end);
                out.write(head, start, end - start);
                out.write(head, end, head.length - end);
            }
            default -> { // flip a letter's case
                byte[] copy = head.clone();
                if (Character.isLetter(copy[at])) {
                    copy[at] ^= 0x20;
                }
                return copy;
            }
        }
        return out.toByteArray();
    }

    private String pick(String[] choices) {
        return choices[random.nextInt(choices.length)];
    }
}
