package org.switchboard.proxy.codec.http1;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * One strict pass over an HTTP/1 message head (RFC 9112), leaving an index of offsets into the
 * caller's bytes: the first line's parts, each field's name and value, and the framing facts.
 * Nothing is copied and no object is made per field; routing, the forwarding rewrite and the
 * access log read the same index. One instance per event loop, reused message after message.
 *
 * <p>Stateless between calls, as HAProxy's and Pingora's parsers are: an incomplete head is
 * parsed again from its start when more bytes came ({@link #INCOMPLETE}), which costs less than
 * keeping state for the rare head that spans reads. Limits are checked on incomplete heads too,
 * so a client cannot make the proxy buffer more than the limits allow.
 *
 * <p>Refused, in one pass: bare LF, CR not followed by LF, obs-fold, whitespace or any non-token
 * byte in a field name, CTLs and DEL in values, a request line other than
 * {@code token SP visible-target SP HTTP/d.d}, repeated or non-numeric Content-Length, both
 * Content-Length and Transfer-Encoding, Transfer-Encoding on HTTP/1.0, a missing (HTTP/1.1) or
 * repeated Host, a Host that is not an authority, an absolute-form target for another host.
 */
public final class HeadIndex {
    public static final int INCOMPLETE = -1;
    public static final int REFUSED = -2;
    /** HAProxy's default (tune.http.maxhdr is 101): more is 431, or 502 from an upstream. */
    public static final int MAX_FIELDS = 100;
    private static final int LONGEST_CONTENT_LENGTH = 18;

    // Per field: name start, name end (the colon), value start, value end (OWS trimmed), line end (after LF).
    private static final int NAME = 0;
    private static final int COLON = 1;
    private static final int VALUE = 2;
    private static final int VALUE_END = 3;
    private static final int LINE_END = 4;
    private static final int SLOTS = 5;

    /**
     * The longest method a request index takes: the longest registered one (UPDATEREDIRECTREF) is
     * 17 bytes. Longer is a 501, not a 414 that would blame the target.
     */
    static final int MAX_METHOD = 22;
    /** A request line beyond its target: the method, two spaces and {@code HTTP/1.1}. */
    static final int REQUEST_LINE_OVERHEAD = MAX_METHOD + 2 + 8;

    private final int maxFirstLine;
    private final int maxFieldBytes;
    /** Checked on the target itself ({@code limits.requestTarget}); the line limit only bounds what is read. */
    private final int maxTarget;
    private final int maxMethod;

    private byte[] b;
    private int headStart;
    private int firstLineEnd;
    private int headEnd;
    private final int[] fields = new int[MAX_FIELDS * SLOTS];
    private final byte[] ids = new byte[MAX_FIELDS];
    private int fieldCount;

    // The first line.
    private int methodEnd;
    private int targetStart;
    private int targetEnd;
    /** The request line's method, target and version were read (though the head may be refused after). */
    private boolean requestLineRead;
    /** Where the origin-form target starts: the target itself, or the path of an absolute-form target. */
    private int originFormStart;
    private int major;
    private int minor;
    private int status;

    // Framing and connection facts.
    private long contentLength;
    private boolean chunked;
    private boolean transferEncoded;
    private int host;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private boolean connectionUpgrade;
    private boolean namesOtherHeaders;
    private boolean expectContinue;
    /** Judged once the whole head is known to be well-formed, so a 400 always wins over these. */
    private boolean unmetExpectation;
    private String malformedAtEnd;
    private boolean otherCodings;

    private HeadError error;
    private String detail;

    /**
     * @param maxFirstLine  the longest request line (or status line) before 414
     * @param maxFieldBytes the largest header section (field lines without their CRLF) before 431
     */
    public HeadIndex(int maxFirstLine, int maxFieldBytes) {
        this(maxFirstLine, maxFieldBytes, maxFirstLine, maxFirstLine);
    }

    private HeadIndex(int maxFirstLine, int maxFieldBytes, int maxTarget, int maxMethod) {
        this.maxFirstLine = maxFirstLine;
        this.maxFieldBytes = maxFieldBytes;
        this.maxTarget = maxTarget;
        this.maxMethod = maxMethod;
    }

    /**
     * An index for client requests: 414 for a request-target longer than {@code maxTarget} bytes
     * (the target alone, whatever the method's length), 501 for a method longer than any
     * registered one, 431 for a header section over {@code maxFieldBytes}.
     */
    public static HeadIndex forRequests(int maxTarget, int maxFieldBytes) {
        return new HeadIndex(maxTarget + REQUEST_LINE_OVERHEAD, maxFieldBytes, maxTarget, MAX_METHOD);
    }

    /**
     * Indexes a request head starting at {@code from}. Returns the offset just past its final
     * CRLF, {@link #INCOMPLETE} when {@code [from, to)} ends inside it, or {@link #REFUSED} with
     * {@link #error()} set.
     */
    public int parseRequest(byte[] bytes, int from, int to) {
        reset(bytes);
        headStart = from;
        int at = skipEmptyLines(from, to);
        if (at < 0) {
            return at;
        }
        headStart = at;
        int lineEnd = lineEnd(at, to, maxFirstLine, HeadError.TARGET_TOO_LONG);
        if (lineEnd == REFUSED && error == HeadError.TARGET_TOO_LONG) {
            if (longMethod(at, to)) {
                return refuseLongMethod();
            }
            if (!mayBeRequestLine(at, to)) {
                return refuse(HeadError.MALFORMED, "request line not of the form METHOD SP target SP HTTP/1.x");
            }
        }
        if (lineEnd < 0) {
            return lineEnd;
        }
        if (!requestLine(at, lineEnd)) {
            return REFUSED;
        }
        int end = fieldLines(lineEnd + 2, to);
        if (end < 0) {
            return end;
        }
        return requestSemantics() ? end : REFUSED;
    }

    /**
     * As {@link #parseRequest(byte[], int, int)} for the readable bytes of {@code buf}, copied
     * into {@code scratch} only as far as the head needs: 2 KiB first (most heads), more only
     * when the head goes on. What follows a head (a body, pipelined requests) is not copied.
     * Offsets in the index count from {@code buf}'s reader index.
     */
    public int parseRequest(ByteBuf buf, byte[] scratch) {
        return parse(buf, scratch, true);
    }

    /** As {@link #parseRequest(ByteBuf, byte[])} for a response head. */
    public int parseResponse(ByteBuf buf, byte[] scratch) {
        return parse(buf, scratch, false);
    }

    private static final int FIRST_COPY = 2048;

    private int parse(ByteBuf buf, byte[] scratch, boolean request) {
        int available = Math.min(buf.readableBytes(), scratch.length);
        int copied = 0;
        int wanted = Math.min(available, FIRST_COPY);
        while (true) {
            buf.getBytes(buf.readerIndex() + copied, scratch, copied, wanted - copied);
            copied = wanted;
            int end = request ? parseRequest(scratch, 0, copied) : parseResponse(scratch, 0, copied);
            boolean moreBytes = copied < available;
            // A limit judged on part of the bytes may read otherwise on all of them (414 or 400).
            boolean limit = end == REFUSED && (error == HeadError.TARGET_TOO_LONG || error == HeadError.HEADERS_TOO_LARGE);
            if (end == INCOMPLETE && copied == scratch.length && buf.readableBytes() > copied) {
                // The window holds every byte a head may have (the line limits, each line's CRLF
                // and the slack) and there is more: a head that goes on past it is too large. Its
                // line budget counts no CRLF, so without this it would wait, buffering, forever.
                return refuse(HeadError.HEADERS_TOO_LARGE, "head larger than " + scratch.length + " bytes");
            }
            if (!moreBytes || end >= 0 || (end == REFUSED && !limit)) {
                return end;
            }
            wanted = (int) Math.min(available, copied * 4L);
        }
    }

    /** As {@link #parseRequest} for a response head (status line, then fields). */
    public int parseResponse(byte[] bytes, int from, int to) {
        reset(bytes);
        headStart = from;
        int lineEnd = lineEnd(from, to, maxFieldBytes, HeadError.HEADERS_TOO_LARGE);
        if (lineEnd < 0) {
            return lineEnd;
        }
        if (!statusLine(from, lineEnd)) {
            return REFUSED;
        }
        int end = fieldLines(lineEnd + 2, to);
        if (end < 0) {
            return end;
        }
        if (malformedAtEnd != null) {
            return refuse(HeadError.MALFORMED, malformedAtEnd);
        }
        if (transferEncoded && contentLength >= 0) {
            return refuse(HeadError.MALFORMED, "both Content-Length and Transfer-Encoding");
        }
        if (transferEncoded && minor == 0) {
            return refuse(HeadError.MALFORMED, "Transfer-Encoding in an HTTP/1.0 response");
        }
        if (transferEncoded && !chunked) {
            // RFC 9112 6.3 would read it until close; relayed, clients refuse it: a broken upstream.
            return refuse(HeadError.MALFORMED, "Transfer-Encoding without chunked as the final coding");
        }
        return end;
    }

    private void reset(byte[] bytes) {
        b = bytes;
        fieldCount = 0;
        contentLength = -1;
        chunked = false;
        transferEncoded = false;
        host = -1;
        connectionClose = false;
        connectionKeepAlive = false;
        connectionUpgrade = false;
        namesOtherHeaders = false;
        expectContinue = false;
        unmetExpectation = false;
        malformedAtEnd = null;
        otherCodings = false;
        status = 0;
        error = null;
        detail = null;
        originFormStart = -1;
        methodEnd = -1;
        requestLineRead = false;
    }

    /** RFC 9112 2.2: empty lines before a request line are ignored. */
    private int skipEmptyLines(int at, int to) {
        while (at < to && (b[at] == '\r' || b[at] == '\n')) {
            if (b[at] == '\n') {
                return refuse(HeadError.MALFORMED, "bare LF");
            }
            if (at + 1 >= to) {
                return INCOMPLETE;
            }
            if (b[at + 1] != '\n') {
                return refuse(HeadError.MALFORMED, "CR not followed by LF");
            }
            at += 2;
            if (at - headStart > maxFirstLine) {
                return refuse(HeadError.MALFORMED, "too many empty lines before the request line");
            }
        }
        return at < to ? at : INCOMPLETE;
    }

    /** The offset of the CR ending the line that starts at {@code at}; bare LF and lone CR refused. */
    private int lineEnd(int at, int to, int max, HeadError tooLong) {
        int limit = Math.min(to, at + max + 1);
        for (int i = at; i < limit; i++) {
            byte c = b[i];
            if (c == '\r') {
                if (i + 1 >= to) {
                    return INCOMPLETE;
                }
                return b[i + 1] == '\n' ? i : refuse(HeadError.MALFORMED, "CR not followed by LF");
            }
            if (c == '\n') {
                return refuse(HeadError.MALFORMED, "bare LF");
            }
        }
        return limit - at > max ? refuse(tooLong, "line longer than " + max + " bytes") : INCOMPLETE;
    }

    private boolean requestLine(int at, int end) {
        int i = at;
        while (i < end && Chars.isToken(b[i])) {
            i++;
        }
        if (i == at || i >= end || b[i] != ' ') {
            return refused(HeadError.MALFORMED, "request line not of the form METHOD SP target SP HTTP/1.x");
        }
        methodEnd = i;
        if (methodEnd - at > maxMethod) {
            refuseLongMethod();
            return false;
        }
        targetStart = ++i;
        while (i < end && Chars.isVisible(b[i]) && b[i] != '#') {
            i++;
        }
        int fragment = i;
        while (i < end && Chars.isVisible(b[i])) {
            i++;
        }
        targetEnd = i;
        if (i == targetStart || i >= end || b[i] != ' ' || !version(i + 1, end)) {
            return refused(HeadError.MALFORMED, "request line not of the form METHOD SP target SP HTTP/1.x");
        }
        firstLineEnd = end;
        requestLineRead = true;
        if (targetEnd - targetStart > maxTarget) {
            return refused(HeadError.TARGET_TOO_LONG, "request-target longer than " + maxTarget + " bytes");
        }
        if (major != 1) {
            return refused(HeadError.VERSION_NOT_SUPPORTED, "HTTP/" + major + "." + minor);
        }
        // A fragment is the client's own (RFC 9110 4.2.5); no request-target form has one (RFC 9112 3.2).
        return fragment == targetEnd || refused(HeadError.MALFORMED, "a fragment (#) in the request-target");
    }

    private int refuseLongMethod() {
        return refuse(HeadError.METHOD_NOT_IMPLEMENTED, "a method longer than " + maxMethod + " bytes");
    }

    /**
     * For a request line over the limit: whether it starts with a method longer than this index
     * takes, ended by its space or still going where the bytes end.
     */
    private boolean longMethod(int at, int to) {
        int i = at;
        while (i < to && Chars.isToken(b[i])) {
            i++;
        }
        return i - at > maxMethod && (i == to || b[i] == ' ');
    }

    /**
     * For a request line over the limit: whether it is well-formed but long (414) rather than
     * malformed (400). Judged on the whole line when the bytes hold it, else on its start.
     */
    private boolean mayBeRequestLine(int at, int to) {
        for (int i = at; i < to; i++) {
            if (b[i] == '\r' || b[i] == '\n') {
                String tooLong = detail;
                boolean wellFormed = requestLine(at, i) || error != HeadError.MALFORMED;
                refuse(HeadError.TARGET_TOO_LONG, tooLong);
                return wellFormed;
            }
        }
        return requestLineStart(at, at + maxFirstLine);
    }

    /** Whether a request line cut at {@code end} could still be well-formed: {@code token SP visible...}. */
    private boolean requestLineStart(int at, int end) {
        int i = at;
        while (i < end && Chars.isToken(b[i])) {
            i++;
        }
        if (i == at || i >= end || b[i] != ' ') {
            return false;
        }
        for (i++; i < end; i++) {
            if (!Chars.isVisible(b[i]) && b[i] != ' ') {
                return false;
            }
        }
        return true;
    }

    /** {@code HTTP/d.d} exactly, ending at {@code end}. */
    private boolean version(int at, int end) {
        if (end - at != 8 || b[at] != 'H' || b[at + 1] != 'T' || b[at + 2] != 'T' || b[at + 3] != 'P' || b[at + 4] != '/'
                || !Chars.isDigit(b[at + 5]) || b[at + 6] != '.' || !Chars.isDigit(b[at + 7])) {
            return false;
        }
        major = b[at + 5] - '0';
        minor = b[at + 7] - '0';
        return true;
    }

    /** {@code HTTP/1.d SP 3DIGIT [SP reason]}: servers that omit the reason's space are common. */
    private boolean statusLine(int at, int end) {
        if (end - at < 12 || !version(at, at + 8) || major != 1 || b[at + 8] != ' '
                || !Chars.isDigit(b[at + 9]) || !Chars.isDigit(b[at + 10]) || !Chars.isDigit(b[at + 11])
                || (end - at > 12 && b[at + 12] != ' ')) {
            return refused(HeadError.MALFORMED, "status line not of the form HTTP/1.x NNN reason");
        }
        for (int i = at + 13; i < end; i++) {
            if (!Chars.isFieldValue(b[i])) {
                return refused(HeadError.MALFORMED, "control character in the reason phrase");
            }
        }
        status = (b[at + 9] - '0') * 100 + (b[at + 10] - '0') * 10 + (b[at + 11] - '0');
        if (status < 100) {
            return refused(HeadError.MALFORMED, "status below 100");
        }
        firstLineEnd = end;
        return true;
    }

    /**
     * The field lines from {@code at} to the empty line, each judged in the one scan that finds
     * its end ({@code token ":" OWS value OWS CRLF}); returns the offset after the empty line.
     */
    private int fieldLines(int at, int to) {
        int fieldBytes = 0;
        while (true) {
            if (at >= to) {
                return INCOMPLETE;
            }
            byte first = b[at];
            if (first == '\r') {
                if (at + 1 >= to) {
                    return INCOMPLETE;
                }
                if (b[at + 1] != '\n') {
                    return refuse(HeadError.MALFORMED, "CR not followed by LF");
                }
                headEnd = at + 2;
                return headEnd;
            }
            if (first == ' ' || first == '\t') {
                return refuse(HeadError.MALFORMED, "obs-fold (a field line starting with whitespace)");
            }
            if (fieldCount == MAX_FIELDS) {
                return refuse(HeadError.HEADERS_TOO_LARGE, "more than " + MAX_FIELDS + " fields");
            }
            int budget = maxFieldBytes - fieldBytes;
            int limit = (int) Math.min(to, (long) at + budget + 1);
            int i = at;
            while (i < limit && Chars.isToken(b[i])) {
                i++;
            }
            if (i == limit) {
                return endOfInput(at, to, budget);
            }
            if (i == at || b[i] != ':') {
                return refuse(HeadError.MALFORMED, b[i] == ' ' || b[i] == '\t'
                        ? "whitespace between a field name and its colon" : "field name not a token");
            }
            int colon = i++;
            while (i < limit && (b[i] == ' ' || b[i] == '\t')) {
                i++;
            }
            int valueStart = i;
            while (i < limit && Chars.isFieldValue(b[i])) {
                i++;
            }
            if (i == limit) {
                return endOfInput(at, to, budget);
            }
            if (b[i] != '\r') {
                return refuse(HeadError.MALFORMED, b[i] == '\n' ? "bare LF" : "control character in a field value");
            }
            if (i + 1 >= to) {
                return INCOMPLETE;
            }
            if (b[i + 1] != '\n') {
                return refuse(HeadError.MALFORMED, "CR not followed by LF");
            }
            int valueEnd = i;
            while (valueEnd > valueStart && (b[valueEnd - 1] == ' ' || b[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            fieldBytes += i - at;
            if (!field(at, colon, valueStart, valueEnd, i + 2)) {
                return REFUSED;
            }
            at = i + 2;
        }
    }

    /** A line that ran to the end of the input: over its budget already (431), or not all here yet. */
    private int endOfInput(int at, int to, int budget) {
        return to - at > budget ? refuse(HeadError.HEADERS_TOO_LARGE, "header section larger than "
                + maxFieldBytes + " bytes") : INCOMPLETE;
    }

    /** Records one field line, then what the field means for framing. */
    private boolean field(int name, int colon, int valueStart, int valueEnd, int lineEnd) {
        int slot = fieldCount * SLOTS;
        fields[slot + NAME] = name;
        fields[slot + COLON] = colon;
        fields[slot + VALUE] = valueStart;
        fields[slot + VALUE_END] = valueEnd;
        fields[slot + LINE_END] = lineEnd;
        byte id = HeaderName.classify(b, name, colon - name);
        ids[fieldCount] = id;
        fieldCount++;
        return framing(id, fieldCount - 1, valueStart, valueEnd);
    }

    private boolean framing(byte id, int field, int from, int to) {
        switch (id) {
            case HeaderName.CONTENT_LENGTH -> {
                if (contentLength >= 0) {
                    return judgedAtEnd("repeated Content-Length");
                }
                if (to == from || to - from > LONGEST_CONTENT_LENGTH) {
                    return judgedAtEnd("Content-Length not a number");
                }
                long length = 0;
                for (int i = from; i < to; i++) {
                    if (!Chars.isDigit(b[i])) {
                        return judgedAtEnd("Content-Length not a number");
                    }
                    length = length * 10 + (b[i] - '0');
                }
                contentLength = length;
            }
            case HeaderName.TRANSFER_ENCODING -> {
                if (transferEncoded) {
                    return judgedAtEnd("repeated Transfer-Encoding");
                }
                transferEncoded = true;
                return transferCodings(from, to);
            }
            case HeaderName.HOST -> {
                if (host >= 0) {
                    return judgedAtEnd("repeated Host");
                }
                host = field;
            }
            case HeaderName.CONNECTION -> connectionTokens(from, to);
            case HeaderName.EXPECT -> {
                if (Tokens.equalsIgnoreCase(b, from, to, Tokens.CONTINUE)) {
                    expectContinue = true;
                } else {
                    unmetExpectation = true;
                }
            }
            default -> {
                // passes through
            }
        }
        return true;
    }

    /** The codings in one pass: chunked must come last and once; any other is noted. */
    private boolean transferCodings(int from, int to) {
        int codings = 0;
        int chunkedCount = 0;
        boolean lastChunked = false;
        int i = from;
        while (i < to) {
            int start = Tokens.skipListSeparators(b, i, to);
            int end = Tokens.tokenEnd(b, start, to);
            if (end > start) {
                codings++;
                lastChunked = Tokens.equalsIgnoreCase(b, start, end, Tokens.CHUNKED);
                if (lastChunked) {
                    chunkedCount++;
                }
            }
            i = Math.max(end, start + 1);
        }
        chunked = lastChunked;
        otherCodings = codings > 1;
        return chunkedCount <= 1 || judgedAtEnd("chunked applied more than once");
    }

    private void connectionTokens(int from, int to) {
        int i = from;
        while (i < to) {
            int start = Tokens.skipListSeparators(b, i, to);
            int end = Tokens.tokenEnd(b, start, to);
            if (end > start) {
                if (Tokens.equalsIgnoreCase(b, start, end, Tokens.CLOSE)) {
                    connectionClose = true;
                } else if (Tokens.equalsIgnoreCase(b, start, end, Tokens.KEEP_ALIVE)) {
                    connectionKeepAlive = true;
                } else if (Tokens.equalsIgnoreCase(b, start, end, Tokens.UPGRADE)) {
                    connectionUpgrade = true;
                } else {
                    namesOtherHeaders = true;
                }
            }
            i = Math.max(end, start + 1);
        }
    }

    /** What a request must be beyond syntax: Host, its target's form, its framing. */
    private boolean requestSemantics() {
        if (malformedAtEnd != null) {
            return refused(HeadError.MALFORMED, malformedAtEnd);
        }
        if (transferEncoded && contentLength >= 0) {
            return refused(HeadError.MALFORMED, "both Content-Length and Transfer-Encoding");
        }
        if (transferEncoded && minor != 1) {
            // Chunked is HTTP/1.1's: Netty's decoder, which Synapse's peers mostly are, refuses it elsewhere too.
            return refused(HeadError.MALFORMED, "Transfer-Encoding in a request other than HTTP/1.1");
        }
        if (transferEncoded && !chunked) {
            // RFC 9112 6.3: without chunked last, where the body ends cannot be known.
            return refused(HeadError.MALFORMED, "Transfer-Encoding without chunked as the final coding");
        }
        if (host < 0 && minor >= 1) {
            return refused(HeadError.MALFORMED, "no Host");
        }
        if (host >= 0 && !Chars.isAuthority(b, valueStart(host), valueEnd(host))) {
            return refused(HeadError.MALFORMED, "Host not an authority");
        }
        if (isMethod(Tokens.CONNECT)) {
            // A tunnel to anywhere is a forward proxy's job; Synapse has no use for one.
            return refused(HeadError.METHOD_NOT_IMPLEMENTED, "CONNECT");
        }
        if (!target()) {
            return false;
        }
        if (unmetExpectation) {
            return refused(HeadError.EXPECTATION_FAILED, "Expect other than 100-continue");
        }
        return !otherCodings || refused(HeadError.CODING_NOT_IMPLEMENTED, "a transfer coding other than chunked");
    }

    private boolean target() {
        if (b[targetStart] == '/') {
            originFormStart = targetStart;
            return true;
        }
        if (targetEnd - targetStart == 1 && b[targetStart] == '*') {
            originFormStart = targetStart;
            return isMethod(Tokens.OPTIONS) || refused(HeadError.MALFORMED, "* target on a method other than OPTIONS");
        }
        return absoluteForm();
    }

    /** Where an absolute-form target's authority, starting at {@code authority}, ends: at its path, its query or the end. */
    private int authorityEnd(int authority) {
        int end = authority;
        while (end < targetEnd && b[end] != '/' && b[end] != '?') {
            end++;
        }
        return end;
    }

    /** {@code http://host/path?q} naming this very Host is served as {@code /path?q}; any other is refused. */
    private boolean absoluteForm() {
        int authority = Tokens.afterScheme(b, targetStart, targetEnd);
        if (authority < 0 || host < 0) {
            return refused(HeadError.MALFORMED, "request-target not in origin or absolute form for this host");
        }
        int authorityEnd = authorityEnd(authority);
        if (!Chars.isAuthority(b, authority, authorityEnd)) {
            return refused(HeadError.MALFORMED, "absolute-form target whose authority is not host[:port]");
        }
        // The same origin whether or not either names the scheme's default port (RFC 9112 3.2.2).
        int defaultPort = authority - targetStart == "https://".length() ? 443 : 80;
        if (!Chars.sameOrigin(b, authority, authorityEnd, valueStart(host), valueEnd(host), defaultPort)) {
            return refused(HeadError.MALFORMED, "absolute-form target for another host");
        }
        originFormStart = authorityEnd;
        return true;
    }

    /**
     * A framing conflict is judged once the head is whole and within its limits (as Netty's
     * decoder does): the answer then does not depend on which limit the bytes reached first.
     */
    private boolean judgedAtEnd(String text) {
        if (malformedAtEnd == null) {
            malformedAtEnd = text;
        }
        return true;
    }

    private int refuse(HeadError why, String text) {
        error = why;
        detail = text;
        return REFUSED;
    }

    private boolean refused(HeadError why, String text) {
        refuse(why, text);
        return false;
    }

    // ---- the index, read after a successful parse ----

    public byte[] bytes() {
        return b;
    }

    public HeadError error() {
        return error;
    }

    /** Says which rule refused the head, for logs. */
    public String errorDetail() {
        return detail;
    }

    /** Where the message head starts (after any empty lines before a request line). */
    public int headStart() {
        return headStart;
    }

    public int headEnd() {
        return headEnd;
    }

    /** The CR that ends the request or status line. */
    public int firstLineEnd() {
        return firstLineEnd;
    }

    /**
     * For a refused request head: whether its method was read (a token followed by a space), so
     * that a log can name it. Meaningless for a response.
     */
    public boolean methodRead() {
        return methodEnd > headStart;
    }

    /** For a refused request head: whether its whole request line was read, target and version. */
    public boolean requestLineRead() {
        return requestLineRead;
    }

    /** The request target as it came, for a log line about a refused head. */
    public String rawTarget() {
        return new String(b, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
    }

    /**
     * The target as the log names a request's path, for a head refused before (or while) its
     * target was checked: an absolute-form target without its scheme and authority, as a
     * forwarded one is logged ({@code http://host?q} is {@code /?q}).
     */
    public String targetForLog() {
        int authority = Tokens.afterScheme(b, targetStart, targetEnd);
        if (authority < 0) {
            return rawTarget();
        }
        int path = authorityEnd(authority);
        String rest = new String(b, path, targetEnd - path, StandardCharsets.ISO_8859_1);
        return path < targetEnd && b[path] == '/' ? rest : "/" + rest;
    }

    public int methodStart() {
        return headStart;
    }

    public int methodEnd() {
        return methodEnd;
    }

    /** The method, as a constant for the common ones (no String made per request). */
    public String methodName() {
        int length = methodEnd - headStart;
        if (Tokens.equalsExactly(b, headStart, methodEnd, Tokens.GET)) {
            return "GET";
        }
        if (length == 4 && Tokens.equalsExactly(b, headStart, methodEnd, Tokens.POST)) {
            return "POST";
        }
        if (length == 3 && Tokens.equalsExactly(b, headStart, methodEnd, Tokens.PUT)) {
            return "PUT";
        }
        if (length == 4 && Tokens.equalsExactly(b, headStart, methodEnd, Tokens.HEAD)) {
            return "HEAD";
        }
        return new String(b, headStart, length, StandardCharsets.ISO_8859_1);
    }

    public boolean isMethod(byte[] upperCase) {
        return Tokens.equalsExactly(b, headStart, methodEnd, upperCase);
    }

    public int targetStart() {
        return targetStart;
    }

    public int targetEnd() {
        return targetEnd;
    }

    /**
     * {@code OPTIONS *}, or {@code OPTIONS http://host} with neither path nor query, which a
     * proxy passes on as {@code *} (RFC 9112 3.2.4): a question about the server, not a resource.
     */
    public boolean asteriskForm() {
        if (originFormStart == targetStart) {
            return targetEnd - targetStart == 1 && b[targetStart] == '*';
        }
        return originFormStart == targetEnd && isMethod(Tokens.OPTIONS);
    }

    /**
     * The target as origin-form starts here (ends at {@link #targetEnd()}); equal to the end for
     * an absolute-form target with an empty path, which is served as {@code /}.
     */
    public int originFormStart() {
        return originFormStart;
    }

    /** An absolute-form target with an empty path ({@code http://host}, {@code http://host?q}): served as {@code /}. */
    public boolean originFormNeedsSlash() {
        return originFormStart != targetStart && (originFormStart == targetEnd || b[originFormStart] != '/');
    }

    /** The target in origin form (or {@code *}), as a String for routing. */
    public String originFormTarget() {
        if (asteriskForm()) {
            return "*";
        }
        String target = new String(b, originFormStart, targetEnd - originFormStart, StandardCharsets.ISO_8859_1);
        return originFormNeedsSlash() ? "/" + target : target;
    }

    public int minorVersion() {
        return minor;
    }

    public int status() {
        return status;
    }

    public int fieldCount() {
        return fieldCount;
    }

    public byte id(int field) {
        return ids[field];
    }

    public int nameStart(int field) {
        return fields[field * SLOTS + NAME];
    }

    public int nameEnd(int field) {
        return fields[field * SLOTS + COLON];
    }

    public int valueStart(int field) {
        return fields[field * SLOTS + VALUE];
    }

    public int valueEnd(int field) {
        return fields[field * SLOTS + VALUE_END];
    }

    /** Just past the field line's LF: a line is copied whole, with its original spelling. */
    public int lineEnd(int field) {
        return fields[field * SLOTS + LINE_END];
    }

    /** The first field with this id, or -1. */
    public int find(byte id) {
        for (int i = 0; i < fieldCount; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    /** The declared body length, or -1 when there is no Content-Length. */
    public long contentLength() {
        return contentLength;
    }

    public boolean chunked() {
        return chunked;
    }

    public boolean transferEncoded() {
        return transferEncoded;
    }

    public int host() {
        return host;
    }

    /** HTTP/1.1 stays open unless {@code Connection: close}; HTTP/1.0 only with {@code keep-alive}. */
    public boolean keepAlive() {
        return minor >= 1 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    public boolean connectionUpgrade() {
        return connectionUpgrade;
    }

    /**
     * A WebSocket handshake (RFC 6455 4.1): {@code Connection: upgrade} and an {@code Upgrade}
     * naming {@code websocket}. Looked for only when asked, off the common path.
     */
    public boolean webSocketUpgrade() {
        if (!connectionUpgrade) {
            return false;
        }
        for (int field = 0; field < fieldCount; field++) {
            if (ids[field] != HeaderName.UPGRADE) {
                continue;
            }
            int i = valueStart(field);
            int to = valueEnd(field);
            while (i < to) {
                int start = Tokens.skipListSeparators(b, i, to);
                int end = Tokens.tokenEnd(b, start, to);
                // A protocol may carry a version ("websocket/13" is not one RFC 6455 defines, but the name decides).
                int slash = start;
                while (slash < end && b[slash] != '/') {
                    slash++;
                }
                if (slash > start && Tokens.equalsIgnoreCase(b, start, slash, Tokens.WEBSOCKET)) {
                    return true;
                }
                i = Math.max(end, start + 1);
            }
        }
        return false;
    }

    /** Connection names headers other than close/keep-alive/upgrade: those are dropped too. */
    public boolean connectionNamesHeaders() {
        return namesOtherHeaders;
    }

    public boolean expectContinue() {
        return expectContinue;
    }

    /**
     * Whether the field is named by a Connection header (and so is hop-by-hop). Host and the
     * framing headers can never be dropped this way.
     */
    public boolean namedByConnection(int field) {
        if (!namesOtherHeaders) {
            return false;
        }
        byte id = ids[field];
        if (id == HeaderName.HOST || id == HeaderName.CONTENT_LENGTH || id == HeaderName.TRANSFER_ENCODING) {
            return false;
        }
        int name = nameStart(field);
        int nameLength = nameEnd(field) - name;
        for (int c = 0; c < fieldCount; c++) {
            if (ids[c] != HeaderName.CONNECTION) {
                continue;
            }
            int i = valueStart(c);
            int to = valueEnd(c);
            while (i < to) {
                int start = Tokens.skipListSeparators(b, i, to);
                int end = Tokens.tokenEnd(b, start, to);
                if (end > start && HeaderName.equalsIgnoreCase(b, start, end - start, b, name, nameLength)) {
                    return true;
                }
                i = Math.max(end, start + 1);
            }
        }
        return false;
    }
}
