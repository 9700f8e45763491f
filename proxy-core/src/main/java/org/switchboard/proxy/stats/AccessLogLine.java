package org.switchboard.proxy.stats;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Renders one access-log line as JSON bytes straight into a chunk: no String, no builder, the
 * time's second prefix cached. One per event loop (not thread-safe). The path is logged without
 * its query (which may carry {@code access_token}); no header value is ever logged.
 */
final class AccessLogLine {
    /** The longest line this renders, so a chunk with less room left is handed off first. */
    static final int MAX_LINE = 16 * 1024;
    /** Strings are cut to this many chars (7 of them, 6 bytes each at worst, stay within {@link #MAX_LINE}). */
    private static final int MAX_STRING = 256;

    private static final byte[] TIME = ascii("{\"time\":\"");
    private static final byte[] REQUEST_ID = ascii("Z\",\"request_id\":");
    private static final byte[] CLIENT = ascii(",\"client\":");
    /** The protocol's field with the names around it, one copy per line: {@code ,"protocol":"h1","method":}. */
    private static final byte[][] PROTOCOL_AND_METHOD = protocolAndMethod();
    private static final byte[] PATH = ascii(",\"path\":");
    private static final byte[] ROUTE = ascii(",\"route\":");
    private static final byte[] UPSTREAM = ascii(",\"upstream\":");
    private static final byte[] ENDPOINT = ascii(",\"endpoint\":");
    private static final byte[] STATUS = ascii(",\"status\":");
    private static final byte[] BYTES_IN = ascii(",\"bytes_in\":");
    private static final byte[] BYTES_OUT = ascii(",\"bytes_out\":");
    private static final byte[] DURATION = ascii(",\"duration_ms\":");
    private static final byte[] UPSTREAM_MS = ascii(",\"upstream_ms\":");
    private static final byte[] RETRIES = ascii(",\"retries\":");
    private static final byte[] TERMINATION = ascii(",\"termination\":");
    private static final byte[] NULL = ascii("null");
    private static final byte[] END = ascii("}\n");
    private static final byte[] HEX = ascii("0123456789abcdef");

    /**
     * Slots of {@link #repeated}: the same String objects come back line after line. Room for a
     * few hundred (each route, upstream and endpoint is one), so that they rarely evict each other.
     */
    private static final int CACHED_STRINGS = 256;

    private final String[] cachedText = new String[CACHED_STRINGS];
    private final byte[][] cachedQuoted = new byte[CACHED_STRINGS][];
    private long cachedSecond = Long.MIN_VALUE;
    private byte[] secondPrefix;
    private byte[] b;
    private int at;

    /** Writes the line at {@code bytes[from]}; returns the offset after it. */
    int render(RequestRecord r, long epochMillis, long totalNanos, byte[] bytes, int from) {
        b = bytes;
        at = from;
        raw(TIME);
        time(epochMillis);
        raw(REQUEST_ID);
        if (r.requestId == null) {
            b[at++] = '"';
            hex(r.requestIdHigh);
            hex(r.requestIdLow);
            b[at++] = '"';
        } else {
            quoted(r.requestId);
        }
        raw(CLIENT);
        client(r);
        raw(PROTOCOL_AND_METHOD[r.protocol.ordinal()]);
        repeated(r.method);
        raw(PATH);
        quoted(r.path);
        raw(ROUTE);
        repeated(r.route);
        raw(UPSTREAM);
        repeated(r.upstream);
        raw(ENDPOINT);
        repeated(r.endpoint);
        raw(STATUS);
        number(r.status);
        raw(BYTES_IN);
        number(r.bytesIn);
        raw(BYTES_OUT);
        number(r.bytesOut);
        raw(DURATION);
        millis(totalNanos);
        raw(UPSTREAM_MS);
        if (r.upstreamNanos < 0) {
            raw(NULL);
        } else {
            millis(r.upstreamNanos);
        }
        raw(RETRIES);
        number(r.retries);
        raw(TERMINATION);
        repeated(r.termination.text);
        raw(END);
        return at;
    }

    /** {@code 2026-12-01T21:20:59.559}: the part up to the second changes once a second. */
    private void time(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        if (second != cachedSecond) {
            cachedSecond = second;
            String text = Instant.ofEpochSecond(second).toString(); // 2026-12-01T21:20:59Z
            secondPrefix = ascii(text.substring(0, text.length() - 1) + ".");
        }
        raw(secondPrefix);
        int millis = (int) Math.floorMod(epochMillis, 1000);
        b[at++] = (byte) ('0' + millis / 100);
        b[at++] = (byte) ('0' + millis / 10 % 10);
        b[at++] = (byte) ('0' + millis % 10);
    }

    /** Nanoseconds as milliseconds with three decimals (microseconds). */
    private void millis(long nanos) {
        long micros = nanos / 1000;
        number(micros / 1000);
        b[at++] = '.';
        int fraction = (int) (micros % 1000);
        b[at++] = (byte) ('0' + fraction / 100);
        b[at++] = (byte) ('0' + fraction / 10 % 10);
        b[at++] = (byte) ('0' + fraction % 10);
    }

    private void number(long value) {
        if (value < 0) {
            b[at++] = '-';
            value = -value;
        }
        if (value < 10) {
            b[at++] = (byte) ('0' + value);
            return;
        }
        int digits = 0;
        for (long v = value; v > 0; v /= 10) {
            digits++;
        }
        for (int i = at + digits - 1; i >= at; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        at += digits;
    }

    private void hex(long value) {
        for (int shift = 60; shift >= 0; shift -= 4) {
            b[at++] = HEX[(int) (value >>> shift) & 0xf];
        }
    }

    private void raw(byte[] bytes) {
        System.arraycopy(bytes, 0, b, at, bytes.length);
        at += bytes.length;
    }

    /**
     * The client's address, quoted once per record: a record lives as long as its connection,
     * whose address is one String object, and there may be thousands of them at once.
     */
    private void client(RequestRecord r) {
        if (r.client == null) {
            raw(NULL);
        } else if (r.client == r.quotedClientOf) {
            raw(r.quotedClient);
        } else {
            r.quotedClient = quotedAndKept(r.client);
            r.quotedClientOf = r.client;
        }
    }

    /**
     * A string that is most often one of a few objects (the route's and upstream's names from the
     * config, the endpoint's address, the method, the termination): quoted
     * once per object into a small table found by identity, then copied.
     */
    private void repeated(String text) {
        if (text == null) {
            raw(NULL);
            return;
        }
        int slot = System.identityHashCode(text) & (CACHED_STRINGS - 1);
        if (cachedText[slot] != text) {
            cachedQuoted[slot] = quotedAndKept(text);
            cachedText[slot] = text;
            return;
        }
        raw(cachedQuoted[slot]);
    }

    /** A JSON string, escaped, UTF-8; null as {@code null}. */
    private void quoted(String text) {
        if (text == null) {
            raw(NULL);
            return;
        }
        b[at++] = '"';
        int length = Math.min(text.length(), MAX_STRING);
        int plain = plainAscii(text, length);
        if (plain < length) {
            escaped(text, plain, length);
        }
        b[at++] = '"';
    }

    /**
     * Copies the leading characters JSON takes as they are (ASCII from space on, but the quote
     * and the backslash) and returns how many: all of a path, a route's name or an address.
     * Small, so that the compiler inlines and unrolls it; the rest goes through {@link #escaped}.
     */
    private int plainAscii(String text, int length) {
        byte[] out = b;
        int start = at;
        int i = 0;
        while (i < length) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
                break;
            }
            out[start + i] = (byte) c;
            i++;
        }
        at = start + i;
        return i;
    }

    /** Characters {@code from} to {@code length} of {@code text}, escaped as JSON and encoded as UTF-8. */
    private void escaped(String text, int from, int length) {
        for (int i = from; i < length; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                b[at++] = '\\';
                b[at++] = (byte) c;
            } else if (c < 0x20) {
                b[at++] = '\\';
                b[at++] = 'u';
                b[at++] = '0';
                b[at++] = '0';
                b[at++] = HEX[c >> 4];
                b[at++] = HEX[c & 0xf];
            } else if (c < 0x80) {
                b[at++] = (byte) c;
            } else if (c < 0x800) {
                b[at++] = (byte) (0xc0 | c >> 6);
                b[at++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                b[at++] = (byte) (0xf0 | cp >> 18);
                b[at++] = (byte) (0x80 | cp >> 12 & 0x3f);
                b[at++] = (byte) (0x80 | cp >> 6 & 0x3f);
                b[at++] = (byte) (0x80 | cp & 0x3f);
            } else {
                b[at++] = (byte) (0xe0 | c >> 12);
                b[at++] = (byte) (0x80 | c >> 6 & 0x3f);
                b[at++] = (byte) (0x80 | c & 0x3f);
            }
        }
    }

    /** Quotes {@code text} into the line and returns a copy of what it wrote, to be copied again next time. */
    private byte[] quotedAndKept(String text) {
        int start = at;
        quoted(text);
        return Arrays.copyOfRange(b, start, at);
    }

    private static byte[][] protocolAndMethod() {
        RequestRecord.Protocol[] protocols = RequestRecord.Protocol.values();
        byte[][] fields = new byte[protocols.length][];
        for (RequestRecord.Protocol protocol : protocols) {
            fields[protocol.ordinal()] =
                    ascii(",\"protocol\":\"" + new String(protocol.ascii, StandardCharsets.US_ASCII) + "\",\"method\":");
        }
        return fields;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
