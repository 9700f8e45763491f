package org.switchboard.systemtest.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the bytes of one upstream connection as a strict HTTP/1.1 recipient would (RFC 9112),
 * to judge what the proxy sends to Synapse: every request must be one Synapse cannot read
 * differently from the proxy. Lenient parsers (such as {@link HttpWire}) hide exactly the
 * faults this looks for.
 *
 * <p>Framing rules, whose breach lets two parsers disagree on where a request ends, so parsing
 * stops at the first: {@code token SP target SP "HTTP/1.1" CRLF}; CRLF only (no bare CR or LF);
 * field names are tokens, followed directly by a colon; field values hold no CTL (HTAB aside); at
 * most one Content-Length, made of digits; never both Content-Length and Transfer-Encoding; a
 * Transfer-Encoding is exactly {@code chunked}; chunked framing is exact. Content rules, noted
 * and read past: the target is origin-form of visible ASCII; exactly one Host. A connection that
 * ends inside a request is not a fault (the proxy abandoned it).
 */
public final class StrictRequestParser {
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    /** A request read whole. */
    public record Request(String requestLine, List<String[]> headers, long bodyBytes) {
        public String target() {
            return requestLine.split(" ", 3)[1];
        }
    }

    /**
     * What one connection carried: whole requests, the framing fault that stopped parsing if any,
     * and the content faults of the requests read.
     */
    public record Result(List<Request> requests, String framingFault, List<String> contentFaults,
                         boolean endedInsideRequest) {
        public boolean wellFramed() {
            return framingFault == null;
        }
    }

    private final byte[] bytes;
    private final List<String> contentFaults = new ArrayList<>();
    private int pos;
    private int requestStart;

    private StrictRequestParser(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Result parse(byte[] connectionBytes) {
        return new StrictRequestParser(connectionBytes).parseAll();
    }

    private Result parseAll() {
        List<Request> requests = new ArrayList<>();
        while (pos < bytes.length) {
            requestStart = pos;
            try {
                requests.add(readRequest());
            } catch (Incomplete incomplete) {
                return new Result(requests, null, contentFaults, true);
            } catch (Fault fault) {
                return new Result(requests, described(fault.getMessage()), contentFaults, false);
            }
        }
        return new Result(requests, null, contentFaults, false);
    }

    private Request readRequest() throws Incomplete, Fault {
        String requestLine = readLine();
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3) {
            throw new Fault("request line is not METHOD SP target SP version");
        }
        if (!isToken(parts[0])) {
            throw new Fault("method is not a token");
        }
        if (parts[1].isEmpty()) {
            throw new Fault("request-target is empty");
        }
        if (!parts[1].startsWith("/") || !isVisible(parts[1])) {
            contentFaults.add(described("request-target is not origin-form of visible ASCII"));
        }
        if (!parts[2].equals("HTTP/1.1")) {
            throw new Fault("version is not HTTP/1.1");
        }
        List<String[]> headers = readFields();
        int hosts = 0;
        int contentLengths = 0;
        String contentLength = null;
        String transferEncoding = null;
        for (String[] header : headers) {
            String name = header[0].toLowerCase(Locale.ROOT);
            switch (name) {
                case "host" -> hosts++;
                case "content-length" -> {
                    contentLengths++;
                    contentLength = header[1];
                }
                case "transfer-encoding" -> {
                    if (transferEncoding != null) {
                        throw new Fault("more than one Transfer-Encoding field");
                    }
                    transferEncoding = header[1];
                }
                default -> {
                    // Not framing.
                }
            }
        }
        if (hosts != 1) {
            contentFaults.add(described(hosts + " Host fields"));
        }
        if (contentLengths > 1) {
            throw new Fault(contentLengths + " Content-Length fields");
        }
        if (contentLength != null && transferEncoding != null) {
            throw new Fault("both Content-Length and Transfer-Encoding");
        }
        long bodyBytes;
        if (transferEncoding != null) {
            if (!transferEncoding.equalsIgnoreCase("chunked")) {
                throw new Fault("Transfer-Encoding is not exactly chunked");
            }
            bodyBytes = readChunked();
        } else if (contentLength != null) {
            if (contentLength.isEmpty() || contentLength.length() > 18 || !contentLength.chars().allMatch(Character::isDigit)) {
                throw new Fault("Content-Length is not 1*DIGIT");
            }
            bodyBytes = Long.parseLong(contentLength);
            skip(bodyBytes);
        } else {
            bodyBytes = 0;
        }
        return new Request(requestLine, headers, bodyBytes);
    }

    private List<String[]> readFields() throws Incomplete, Fault {
        List<String[]> fields = new ArrayList<>();
        String line;
        while (!(line = readLine()).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) {
                throw new Fault("field name is not a token followed by a colon");
            }
            String value = line.substring(colon + 1);
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw new Fault("control character 0x" + Integer.toHexString(c) + " in a field value");
                }
            }
            fields.add(new String[] {line.substring(0, colon), value.strip()});
        }
        return fields;
    }

    private long readChunked() throws Incomplete, Fault {
        long total = 0;
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            String size = semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon);
            if (size.isEmpty() || size.length() > 15 || !size.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new Fault("chunk size is not 1*HEXDIG");
            }
            if (semicolon >= 0 && !isVisible(sizeLine.substring(semicolon))) {
                throw new Fault("chunk extension holds invisible characters");
            }
            long chunk = Long.parseLong(size, 16);
            if (chunk == 0) {
                readFields();
                return total;
            }
            skip(chunk);
            total += chunk;
            if (!readLine().isEmpty()) {
                throw new Fault("chunk data is not followed by CRLF");
            }
        }
    }

    /** A line ended by CRLF, without it; a bare CR or LF is a fault. */
    private String readLine() throws Incomplete, Fault {
        int start = pos;
        for (int i = pos; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                throw new Fault("bare LF");
            }
            if (bytes[i] == '\r') {
                if (i + 1 >= bytes.length) {
                    throw new Incomplete();
                }
                if (bytes[i + 1] != '\n') {
                    throw new Fault("bare CR");
                }
                pos = i + 2;
                return new String(bytes, start, i - start, StandardCharsets.ISO_8859_1);
            }
        }
        throw new Incomplete();
    }

    private void skip(long count) throws Incomplete {
        if (bytes.length - pos < count) {
            throw new Incomplete();
        }
        pos += (int) count;
    }

    private String described(String fault) {
        return fault + " in request at byte " + requestStart + ": " + preview(requestStart);
    }

    private String preview(int start) {
        int end = Math.min(bytes.length, start + 160);
        StringBuilder text = new StringBuilder();
        for (int i = start; i < end; i++) {
            int b = bytes[i] & 0xff;
            if (b == '\r') {
                text.append("\\r");
            } else if (b == '\n') {
                text.append("\\n");
            } else if (b < 0x20 || b >= 0x7f) {
                text.append(String.format("\\x%02x", b));
            } else {
                text.append((char) b);
            }
        }
        return text.toString();
    }

    public static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TCHAR_SYMBOLS.indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    private static boolean isVisible(String text) {
        return text.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    private static final class Incomplete extends Exception {
        Incomplete() {
            super(null, null, false, false);
        }
    }

    private static final class Fault extends Exception {
        Fault(String message) {
            super(message, null, false, false);
        }
    }
}
