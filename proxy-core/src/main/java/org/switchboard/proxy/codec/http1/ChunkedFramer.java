package org.switchboard.proxy.codec.http1;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Follows a chunked body (RFC 9112 7.1) across reads: chunk-size lines with their extensions,
 * chunk data, the last chunk and its trailer section. The bytes themselves are forwarded as they
 * came (HTTP/1.1 on both sides needs no re-chunking); this only says where the body ends, counts
 * its data, and refuses framing that another parser could read differently. For an HTTP/1.0
 * peer, {@link DataSink} receives the data alone (de-chunked).
 */
public final class ChunkedFramer {
    /** Longest chunk-size line (with extensions) or trailer line. */
    static final int MAX_LINE = 4096;
    private static final int MAX_TRAILER_BYTES = 16 * 1024;
    private static final int MAX_SIZE_DIGITS = 15;

    /** Receives each run of chunk data (a borrowed view: retain what is kept). */
    public interface DataSink {
        void data(ByteBuf buf, int index, int length);
    }

    private enum State { SIZE_LINE, DATA, DATA_CR, DATA_LF, TRAILER_LINE, DONE }

    private State state = State.SIZE_LINE;
    /** Grows to {@link #MAX_LINE} only for the rare long extension or trailer. */
    private byte[] line = new byte[64];
    private int lineLength;
    private boolean sawCr;
    private long remaining;
    private long dataBytes;
    private int trailerBytes;
    private String error;
    /**
     * A request's body: a trailer naming a field that only a header section may carry (framing,
     * Host, credentials, Expect, hop-by-hop, forwarding claims; RFC 9110 6.5.1) is refused, since
     * the upstream gets the trailers as they came and could read them otherwise.
     */
    private final boolean requestTrailers;

    /** For a response body: trailers are only checked for syntax. */
    public ChunkedFramer() {
        this(false);
    }

    public ChunkedFramer(boolean requestTrailers) {
        this.requestTrailers = requestTrailers;
    }

    /**
     * Reads {@code buf[from, to)}. Returns how many of those bytes belong to this body (all of
     * them unless it ended inside), or -1 when the framing is invalid ({@link #error()}).
     */
    public int scan(ByteBuf buf, int from, int to, DataSink sink) {
        int i = from;
        while (i < to && state != State.DONE) {
            switch (state) {
                case DATA -> {
                    int take = (int) Math.min(remaining, to - i);
                    if (sink != null) {
                        sink.data(buf, i, take);
                    }
                    i += take;
                    remaining -= take;
                    dataBytes += take;
                    if (remaining == 0) {
                        state = State.DATA_CR;
                    }
                }
                case DATA_CR -> {
                    if (buf.getByte(i++) != '\r') {
                        return fail("chunk data longer than its size, or not ended by CRLF");
                    }
                    state = State.DATA_LF;
                }
                case DATA_LF -> {
                    if (buf.getByte(i++) != '\n') {
                        return fail("chunk data not ended by CRLF");
                    }
                    state = State.SIZE_LINE;
                }
                default -> {
                    byte c = buf.getByte(i++);
                    if (!lineByte(c)) {
                        return -1;
                    }
                }
            }
        }
        return i - from;
    }

    /** Collects one line; judges it at its CRLF. */
    private boolean lineByte(byte c) {
        if (c == '\n') {
            if (!sawCr) {
                fail("bare LF");
                return false;
            }
            sawCr = false;
            boolean ok = state == State.SIZE_LINE ? sizeLine() : trailerLine();
            lineLength = 0;
            return ok;
        }
        if (sawCr) {
            fail("CR not followed by LF");
            return false;
        }
        if (c == '\r') {
            sawCr = true;
            return true;
        }
        if (lineLength == line.length) {
            if (lineLength == MAX_LINE) {
                fail("chunk line too long");
                return false;
            }
            line = Arrays.copyOf(line, Math.min(MAX_LINE, lineLength * 4));
        }
        line[lineLength++] = c;
        return true;
    }

    private boolean sizeLine() {
        long size = chunkSize(line, 0, lineLength);
        if (size < 0) {
            fail("invalid chunk size or extension");
            return false;
        }
        if (size == 0) {
            state = State.TRAILER_LINE;
        } else {
            remaining = size;
            state = State.DATA;
        }
        return true;
    }

    private boolean trailerLine() {
        if (lineLength == 0) {
            state = State.DONE;
            return true;
        }
        trailerBytes += lineLength;
        if (trailerBytes > MAX_TRAILER_BYTES) {
            fail("trailer section too large");
            return false;
        }
        int i = 0;
        while (i < lineLength && Chars.isToken(line[i])) {
            i++;
        }
        if (i == 0 || i == lineLength || line[i] != ':') {
            fail("malformed trailer");
            return false;
        }
        if (requestTrailers && headerOnly(HeaderName.classify(line, 0, i))) {
            fail("a trailer field only a header section may carry");
            return false;
        }
        for (i++; i < lineLength; i++) {
            if (!Chars.isFieldValue(line[i])) {
                fail("malformed trailer");
                return false;
            }
        }
        return true;
    }

    /**
     * Reads the start of a new chunked body, {@code buf[from, to)}, without passing its data on:
     * the framing error it holds, or null if those bytes are valid so far. Lets the caller refuse
     * a response whose body is broken from its first bytes before any of it has gone out.
     */
    public String firstError(ByteBuf buf, int from, int to) {
        reset();
        return scan(buf, from, to, null) < 0 ? error : null;
    }

    private static boolean headerOnly(byte id) {
        return id == HeaderName.CONTENT_LENGTH || id == HeaderName.TRANSFER_ENCODING || id == HeaderName.HOST
                || id == HeaderName.AUTHORIZATION || id == HeaderName.EXPECT || id == HeaderName.TRAILER
                || HeaderName.isHopByHop(id) || HeaderName.isForwardingClaim(id);
    }

    /** Ready for the next chunked body. */
    public void reset() {
        state = State.SIZE_LINE;
        lineLength = 0;
        sawCr = false;
        remaining = 0;
        dataBytes = 0;
        trailerBytes = 0;
        error = null;
    }

    private int fail(String why) {
        error = why;
        return -1;
    }

    /** The body ended (last chunk and trailers read). */
    public boolean done() {
        return state == State.DONE;
    }

    /** Chunk data seen so far (without the framing). */
    public long dataBytes() {
        return dataBytes;
    }

    public String error() {
        return error;
    }

    /**
     * {@code 1*HEXDIG *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )}: the
     * size, or -1 when the line is not of that form (or the size has more than 15 digits).
     */
    static long chunkSize(byte[] text, int from, int to) {
        int i = from;
        long size = 0;
        while (i < to && hex(text[i]) >= 0) {
            if (i - from >= MAX_SIZE_DIGITS) {
                return -1;
            }
            size = size << 4 | hex(text[i]);
            i++;
        }
        if (i == from) {
            return -1;
        }
        while (i < to) {
            i = skipWhitespace(text, i, to);
            if (i >= to || text[i] != ';') {
                return -1;
            }
            i = skipWhitespace(text, i + 1, to);
            int nameStart = i;
            while (i < to && Chars.isToken(text[i])) {
                i++;
            }
            if (i == nameStart) {
                return -1;
            }
            i = skipWhitespace(text, i, to);
            if (i < to && text[i] == '=') {
                i = extensionValueEnd(text, skipWhitespace(text, i + 1, to), to);
                if (i < 0) {
                    return -1;
                }
            }
        }
        return size;
    }

    /** The end of a token or quoted-string starting at {@code i}, or -1. */
    private static int extensionValueEnd(byte[] text, int i, int to) {
        if (i < to && text[i] == '"') {
            i++;
            while (i < to && text[i] != '"') {
                if (!Chars.isFieldValue(text[i])) {
                    return -1;
                }
                i += text[i] == '\\' ? 2 : 1;
            }
            return i < to ? i + 1 : -1;
        }
        int start = i;
        while (i < to && Chars.isToken(text[i])) {
            i++;
        }
        return i == start ? -1 : i;
    }

    private static int skipWhitespace(byte[] text, int i, int to) {
        while (i < to && (text[i] == ' ' || text[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** The value of a hex digit, or -1 (only ASCII digits: no other char below 0x100 is one). */
    private static int hex(byte c) {
        return Character.digit((char) (c & 0xff), 16);
    }

}
