package org.switchboard.systemtest.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Just enough HTTP/1.1 framing for the tests' own clients and upstreams, so they can see bytes
 * that real clients hide (request-targets as sent, chunking, hop-by-hop headers, closes).
 */
public final class HttpWire {
    private HttpWire() {
    }

    /** A message head: the start line and the headers in order. */
    public record Head(String startLine, List<String[]> headers) {
        public String header(String name) {
            for (String[] header : headers) {
                if (header[0].equalsIgnoreCase(name)) {
                    return header[1];
                }
            }
            return null;
        }

        public List<String> headerNames() {
            return headers.stream().map(h -> h[0].toLowerCase(Locale.ROOT)).toList();
        }

        public String[] startLineParts() {
            return startLine.split(" ", 3);
        }

        public boolean chunked() {
            String te = header("Transfer-Encoding");
            return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
        }

        public long contentLength() {
            String length = header("Content-Length");
            return length == null ? -1 : Long.parseLong(length.trim());
        }
    }

    /** Reads a head, or returns null at a clean end of stream before any byte of it. */
    public static Head readHead(InputStream in) throws IOException {
        String startLine = readLine(in);
        if (startLine == null) {
            return null;
        }
        List<String[]> headers = new ArrayList<>();
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).trim()});
        }
        if (line == null) {
            throw new EOFException("end of stream inside a head");
        }
        return new Head(startLine, headers);
    }

    /**
     * Reads a body framed by the head, copying at most {@code keep} bytes into {@code sink};
     * {@code untilClose} reads to end of stream when there is neither length nor chunking.
     * Returns the number of body bytes read.
     */
    public static long readBody(InputStream in, Head head, OutputStream sink, boolean untilClose) throws IOException {
        if (head.chunked()) {
            long total = 0;
            while (true) {
                String sizeLine = readLine(in);
                if (sizeLine == null) {
                    throw new EOFException("end of stream inside chunked body");
                }
                int semicolon = sizeLine.indexOf(';');
                long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                if (size == 0) {
                    String trailer;
                    while ((trailer = readLine(in)) != null && !trailer.isEmpty()) {
                        // Trailers are not needed by any test.
                    }
                    return total;
                }
                copy(in, sink, size);
                total += size;
                readLine(in);
            }
        }
        long length = head.contentLength();
        if (length >= 0) {
            copy(in, sink, length);
            return length;
        }
        if (!untilClose) {
            return 0;
        }
        return in.transferTo(sink);
    }

    private static void copy(InputStream in, OutputStream sink, long count) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = count;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new EOFException("end of stream with " + left + " body bytes missing");
            }
            sink.write(buffer, 0, read);
            left -= read;
        }
    }

    /** A CRLF- (or LF-) terminated line without its terminator; null at end of stream. */
    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        if (line.size() > 0) {
            throw new EOFException("end of stream inside a line");
        }
        return null;
    }

    public static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
