package org.switchboard.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Follows the request framing byte by byte, in front of the codec, to refuse what Netty's decoder
 * would quietly repair (RFC 9112): obs-fold, a request line with other than single spaces or a
 * lower-case protocol name, a bare LF or stray bytes around chunk data, a chunk extension without a
 * name. A repaired request is a request Synapse reads differently from the client that sent it,
 * the stuff of smuggling, so none passes. Bodies of known length are skipped in bulk.
 *
 * <p>A violation stops the flow: the offending buffer is dropped and {@link MalformedFramingException}
 * goes down the pipeline, where the proxy answers 400 (or closes, if a response is under way).
 */
final class StrictFramingGuard extends ChannelInboundHandlerAdapter {
    /** Lines longer than this are left to the codec's own limits (414/431). */
    private static final int MAX_TRACKED_LINE = 128 * 1024;

    private enum State { REQUEST_LINE, HEADERS, FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_CR, CHUNK_DATA_LF, TRAILERS }

    private State state = State.REQUEST_LINE;
    /** The part of a line that began in an earlier read; empty between lines. */
    private final StringBuilder line = new StringBuilder(128);
    private final BufferChars inPlace = new BufferChars();
    private boolean sawCr;
    private long remaining;
    private long contentLength;
    private boolean chunked;
    private boolean broken;

    /** Thrown down the pipeline, never up a stack: framing the proxy will not forward. */
    static final class MalformedFramingException extends RuntimeException {
        MalformedFramingException(String reason) {
            super(reason, null, false, false);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (broken) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            String violation = scan(buf);
            if (violation != null) {
                broken = true;
                buf.release();
                ctx.fireExceptionCaught(new MalformedFramingException(violation));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Advances the state over the buffer's readable bytes (without consuming them). */
    private String scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            switch (state) {
                case FIXED_BODY -> {
                    int skip = (int) Math.min(remaining, end - i);
                    i += skip;
                    remaining -= skip;
                    if (remaining == 0) {
                        state = State.REQUEST_LINE;
                    }
                }
                case CHUNK_DATA -> {
                    int skip = (int) Math.min(remaining, end - i);
                    i += skip;
                    remaining -= skip;
                    if (remaining == 0) {
                        state = State.CHUNK_DATA_CR;
                    }
                }
                case CHUNK_DATA_CR -> {
                    if (buf.getByte(i++) != '\r') {
                        return "chunk data longer than its size, or not ended by CRLF";
                    }
                    state = State.CHUNK_DATA_LF;
                }
                case CHUNK_DATA_LF -> {
                    if (buf.getByte(i++) != '\n') {
                        return "chunk data not ended by CRLF";
                    }
                    state = State.CHUNK_SIZE;
                }
                default -> {
                    // Most lines arrive whole: judge them in place, with one scan for their CR/LF.
                    int eol = line.length() == 0 && !sawCr ? buf.forEachByte(i, end - i, ByteProcessor.FIND_CRLF) : -1;
                    if (eol >= 0 && eol + 1 < end) {
                        if (buf.getByte(eol) == '\n') {
                            return "bare LF";
                        }
                        if (buf.getByte(eol + 1) != '\n') {
                            return "CR not followed by LF";
                        }
                        String violation = endOfLine(inPlace.of(buf, i, Math.min(eol - i, MAX_TRACKED_LINE)));
                        if (violation != null) {
                            return violation;
                        }
                        i = eol + 2;
                    } else {
                        // A line split across reads is collected byte by byte.
                        String violation = lineByte(buf.getByte(i++));
                        if (violation != null) {
                            return violation;
                        }
                    }
                }
            }
        }
        return null;
    }

    /** Collects a line of the head, a chunk-size line or a trailer; judges it at its CRLF. */
    private String lineByte(byte b) {
        if (b == '\n') {
            if (!sawCr) {
                return "bare LF";
            }
            sawCr = false;
            String violation = endOfLine(line);
            line.setLength(0);
            return violation;
        }
        if (sawCr) {
            return "CR not followed by LF";
        }
        if (b == '\r') {
            sawCr = true;
        } else if (line.length() < MAX_TRACKED_LINE) {
            line.append((char) (b & 0xff));
        }
        return null;
    }

    private String endOfLine(CharSequence line) {
        switch (state) {
            case REQUEST_LINE -> {
                if (line.length() == 0) {
                    return null; // RFC 9112 2.2: empty lines before a request line are ignored
                }
                if (line.length() < MAX_TRACKED_LINE && !isStrictRequestLine(line)) {
                    return "request line not of the form METHOD SP target SP HTTP/1.x";
                }
                contentLength = 0;
                chunked = false;
                state = State.HEADERS;
            }
            case HEADERS -> {
                if (line.length() == 0) {
                    startBody();
                    return null;
                }
                char first = line.charAt(0);
                if (first == ' ' || first == '\t') {
                    return "obs-fold (a header line starting with whitespace)";
                }
                noteFraming(line);
            }
            case CHUNK_SIZE -> {
                long size = chunkSize(line);
                if (size < 0) {
                    return "invalid chunk size or extension";
                }
                if (size == 0) {
                    state = State.TRAILERS;
                } else {
                    remaining = size;
                    state = State.CHUNK_DATA;
                }
            }
            case TRAILERS -> {
                if (line.length() == 0) {
                    state = State.REQUEST_LINE;
                } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t' || colonAt(line) <= 0) {
                    return "malformed trailer";
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
        return null;
    }

    /** Framing as the codec will see it; conflicts (both, or several lengths) the codec refuses itself. */
    private void noteFraming(CharSequence header) {
        char first = header.charAt(0);
        if (first != 'c' && first != 'C' && first != 't' && first != 'T') {
            return;
        }
        if (startsWithIgnoreCase(header, "content-length:")) {
            String value = header.subSequence("content-length:".length(), header.length()).toString().trim();
            if (!value.isEmpty() && value.length() < 19 && value.chars().allMatch(Character::isDigit)) {
                contentLength = Long.parseLong(value);
            }
        } else if (startsWithIgnoreCase(header, "transfer-encoding:")) {
            String value = header.subSequence("transfer-encoding:".length(), header.length()).toString().trim();
            int comma = value.lastIndexOf(',');
            chunked = (comma < 0 ? value : value.substring(comma + 1)).trim().equalsIgnoreCase("chunked");
        }
    }

    private void startBody() {
        if (chunked) {
            state = State.CHUNK_SIZE;
        } else if (contentLength > 0) {
            remaining = contentLength;
            state = State.FIXED_BODY;
        } else {
            state = State.REQUEST_LINE;
        }
    }

    /** {@code 1*HEXDIG *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )}; -1 if not. */
    static long chunkSize(CharSequence text) {
        int i = 0;
        long size = 0;
        while (i < text.length() && hex(text.charAt(i)) >= 0) {
            if (i >= 15) {
                return -1;
            }
            size = size << 4 | hex(text.charAt(i));
            i++;
        }
        if (i == 0) {
            return -1;
        }
        while (i < text.length()) {
            i = skipWhitespace(text, i);
            if (i >= text.length() || text.charAt(i) != ';') {
                return -1;
            }
            i = skipWhitespace(text, i + 1);
            int nameStart = i;
            while (i < text.length() && isTokenChar(text.charAt(i))) {
                i++;
            }
            if (i == nameStart) {
                return -1;
            }
            i = skipWhitespace(text, i);
            if (i < text.length() && text.charAt(i) == '=') {
                i = skipWhitespace(text, i + 1);
                int valueStart = i;
                if (i < text.length() && text.charAt(i) == '"') {
                    i++;
                    while (i < text.length() && text.charAt(i) != '"') {
                        char c = text.charAt(i);
                        if (c < 0x20 && c != '\t' || c == 0x7f) {
                            return -1;
                        }
                        i += c == '\\' ? 2 : 1;
                    }
                    if (i >= text.length()) {
                        return -1;
                    }
                    i++;
                } else {
                    while (i < text.length() && isTokenChar(text.charAt(i))) {
                        i++;
                    }
                    if (i == valueStart) {
                        return -1;
                    }
                }
            }
        }
        return size;
    }

    /** {@code token SP target SP HTTP/d.d}: single spaces, visible target, upper-case version. */
    static boolean isStrictRequestLine(CharSequence text) {
        int i = 0;
        while (i < text.length() && isTokenChar(text.charAt(i))) {
            i++;
        }
        if (i == 0 || i >= text.length() || text.charAt(i) != ' ') {
            return false;
        }
        int targetStart = ++i;
        while (i < text.length() && text.charAt(i) > 0x20 && text.charAt(i) < 0x7f) {
            i++;
        }
        if (i == targetStart || i >= text.length() || text.charAt(i) != ' ') {
            return false;
        }
        i++;
        // Any HTTP/d.d here: a version other than 1.x gets its own answer (505) after decoding.
        return text.length() - i == 8 && text.charAt(i) == 'H' && text.charAt(i + 1) == 'T' && text.charAt(i + 2) == 'T'
                && text.charAt(i + 3) == 'P' && text.charAt(i + 4) == '/' && Character.isDigit(text.charAt(i + 5))
                && text.charAt(i + 6) == '.' && Character.isDigit(text.charAt(i + 7));
    }

    /** A line of a buffer read as Latin-1 characters, without copying; reused line after line. */
    private static final class BufferChars implements CharSequence {
        private ByteBuf buf;
        private int start;
        private int length;

        BufferChars of(ByteBuf buffer, int from, int count) {
            this.buf = buffer;
            this.start = from;
            this.length = count;
            return this;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            return (char) (buf.getByte(start + index) & 0xff);
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return toString().substring(from, to);
        }

        @Override
        public String toString() {
            return buf.toString(start, length, StandardCharsets.ISO_8859_1);
        }
    }

    private static int colonAt(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ':') {
                return i;
            }
        }
        return -1;
    }

    private static int skipWhitespace(CharSequence text, int i) {
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static boolean startsWithIgnoreCase(CharSequence text, String prefix) {
        if (text.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase(text.charAt(i)) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
