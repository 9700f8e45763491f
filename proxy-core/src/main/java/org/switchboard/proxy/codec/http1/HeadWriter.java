package org.switchboard.proxy.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Writes the head of the next hop from an indexed head: the original field lines copied as bytes
 * (their spelling and order kept), minus what describes only the previous hop, plus the few
 * lines this hop adds. One copy per message, no object per field.
 */
public final class HeadWriter {
    private static final byte[] HTTP_1_1 = Tokens.ascii(" HTTP/1.1\r\n");
    private static final byte[] SLASH = Tokens.ascii("/");
    private static final byte[] X_FORWARDED_FOR = Tokens.ascii("X-Forwarded-For: ");
    private static final byte[] X_FORWARDED_PROTO = Tokens.ascii("\r\nX-Forwarded-Proto: ");
    private static final byte[] X_REQUEST_ID = Tokens.ascii("\r\nX-Request-ID: ");
    private static final byte[] CRLF_CRLF = Tokens.ascii("\r\n\r\n");
    private static final byte[] CONNECTION_CLOSE = Tokens.ascii("Connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = Tokens.ascii("Connection: keep-alive\r\n");
    private static final byte[] CRLF = Tokens.ascii("\r\n");
    private static final byte[] SPACE_CRLF = Tokens.ascii(" \r\n");
    /** {@code HTTP/1.1 200}: what some servers send for a status line with an empty reason. */
    private static final int STATUS_LINE_WITHOUT_REASON = 12;
    private static final byte[] HOST = Tokens.ascii("Host: ");
    private static final byte[] TRANSFER_ENCODING_CHUNKED = Tokens.ascii("Transfer-Encoding: chunked\r\n");

    private HeadWriter() {
    }

    /** An upper bound of {@link #writeRequest}'s output, to size its buffer once. */
    public static int requestCapacity(HeadIndex head, String forwardedFor, String requestId) {
        return head.headEnd() - head.headStart() + 64 + forwardedFor.length() + requestId.length()
                + (head.host() < 0 ? 6 + 255 + 2 : 0) + (head.chunked() ? TRANSFER_ENCODING_CHUNKED.length : 0);
    }

    /**
     * The request for the upstream: origin-form target, HTTP/1.1, the client's field lines minus
     * hop-by-hop ones and (from an untrusted peer) every forwarding claim, then
     * X-Forwarded-For/-Proto and X-Request-ID as this proxy states them.
     *
     * @param trustedPeer whether the peer may tell us about the client (kept: Forwarded,
     *                    X-Forwarded-Host/-Port/-Prefix); the three lines written here always replace theirs
     */
    public static void writeRequest(HeadIndex head, boolean trustedPeer, String forwardedFor, String proto,
                                    String requestId, ByteBuf out) {
        writeRequest(head, trustedPeer, forwardedFor, proto, requestId, null, out);
    }

    /**
     * @param hostIfMissing the authority to name in {@code Host} when the client (HTTP/1.0) sent
     *                      none, since the upstream gets HTTP/1.1, which requires one; null: the endpoint's
     */
    public static void writeRequest(HeadIndex head, boolean trustedPeer, String forwardedFor, String proto,
                                    String requestId, String hostIfMissing, ByteBuf out) {
        writeRequest(head, trustedPeer, forwardedFor, proto, requestId, hostIfMissing, 0, out);
    }

    /**
     * @param stripLength how many leading characters of the origin-form path the next hop does
     *                    not see (a prefix route's stripPrefix); a {@code /} stands in for them
     *                    when what is left does not start with one
     */
    public static void writeRequest(HeadIndex head, boolean trustedPeer, String forwardedFor, String proto,
                                    String requestId, String hostIfMissing, int stripLength, ByteBuf out) {
        writeRequestLines(head, trustedPeer, hostIfMissing, stripLength, out);
        out.writeBytes(X_FORWARDED_FOR);
        out.writeCharSequence(forwardedFor, StandardCharsets.ISO_8859_1);
        out.writeBytes(X_FORWARDED_PROTO);
        out.writeCharSequence(proto, StandardCharsets.ISO_8859_1);
        out.writeBytes(X_REQUEST_ID);
        out.writeCharSequence(requestId, StandardCharsets.ISO_8859_1);
        out.writeBytes(CRLF_CRLF);
    }

    /**
     * As {@link #writeRequest} with the usual values in their cheapest form: the address and
     * scheme as the connection's ASCII bytes, and a new request id as 32 hex digits of two longs.
     */
    public static void writeRequest(HeadIndex head, boolean trustedPeer, byte[] forwardedFor, byte[] proto,
                                    long requestIdHigh, long requestIdLow, String hostIfMissing, ByteBuf out) {
        writeRequest(head, trustedPeer, forwardedFor, proto, requestIdHigh, requestIdLow, hostIfMissing, 0, out);
    }

    /** As the method above, less {@code stripLength} leading characters of the path (see the String form). */
    public static void writeRequest(HeadIndex head, boolean trustedPeer, byte[] forwardedFor, byte[] proto,
                                    long requestIdHigh, long requestIdLow, String hostIfMissing, int stripLength,
                                    ByteBuf out) {
        writeRequestLines(head, trustedPeer, hostIfMissing, stripLength, out);
        out.writeBytes(X_FORWARDED_FOR);
        out.writeBytes(forwardedFor);
        out.writeBytes(X_FORWARDED_PROTO);
        out.writeBytes(proto);
        out.writeBytes(X_REQUEST_ID);
        writeHex(out, requestIdHigh);
        writeHex(out, requestIdLow);
        out.writeBytes(CRLF_CRLF);
    }

    private static final byte[] HEX = Tokens.ascii("0123456789abcdef");

    private static void writeHex(ByteBuf out, long value) {
        for (int shift = 60; shift >= 0; shift -= 4) {
            out.writeByte(HEX[(int) (value >>> shift) & 0xf]);
        }
    }

    /** The request line and the kept field lines, without the lines this hop adds. */
    private static void writeRequestLines(HeadIndex head, boolean trustedPeer, String hostIfMissing, int stripLength,
                                          ByteBuf out) {
        byte[] b = head.bytes();
        out.writeBytes(b, head.methodStart(), head.methodEnd() - head.methodStart() + 1);
        int target = head.originFormStart();
        if (stripLength > 0 && !head.originFormNeedsSlash()) {
            target = Math.min(target + stripLength, head.targetEnd());
            if (target == head.targetEnd() || b[target] != '/') {
                out.writeBytes(SLASH);
            }
        } else if (head.originFormNeedsSlash()) {
            out.writeBytes(SLASH);
        }
        out.writeBytes(b, target, head.targetEnd() - target);
        out.writeBytes(HTTP_1_1);
        copyFields(head, true, trustedPeer, false, out);
        if (head.host() < 0) {
            // HTTP/1.0 without Host goes upstream as HTTP/1.1, which must have one (RFC 9112 3.2).
            out.writeBytes(HOST);
            out.writeCharSequence(hostIfMissing == null ? "localhost" : hostIfMissing, StandardCharsets.ISO_8859_1);
            out.writeBytes(CRLF);
        }
    }

    /**
     * Whether a response with this status must carry neither Content-Length nor Transfer-Encoding
     * (RFC 9110 8.6, RFC 9112 6.1): 1xx and 204. An upstream that sends them anyway has them
     * dropped; HTTP/2 clients treat a length on a 204 as a malformed response.
     */
    public static boolean forbidsFramingFields(int status) {
        return status < 200 || status == 204;
    }

    /**
     * Copies the kept field lines, runs of neighbours in one write. Dropped always: hop-by-hop
     * lines and those Connection names; on a request, forwarding claims ({@code trustedPeer}
     * keeps Forwarded and X-Forwarded-Host/-Port/-Prefix); on a response, Transfer-Encoding
     * and Trailer when {@code dropTransferEncoding} (a de-chunked body has no trailers), and both
     * framing fields where its status forbids them.
     * A request's Transfer-Encoding is written in its one accepted form, {@code chunked}.
     */
    private static void copyFields(HeadIndex head, boolean request, boolean trustedPeer, boolean dropTransferEncoding,
                                   ByteBuf out) {
        byte[] b = head.bytes();
        int runStart = -1;
        int runEnd = -1;
        boolean noFraming = !request && forbidsFramingFields(head.status());
        for (int i = 0; i < head.fieldCount(); i++) {
            byte id = head.id(i);
            boolean drop = HeaderName.isHopByHop(id) || head.namedByConnection(i)
                    || (request ? HeaderName.isForwardingClaim(id) && (!trustedPeer || !HeaderName.isKeptFromTrusted(id))
                            : (dropTransferEncoding || noFraming) && id == HeaderName.TRANSFER_ENCODING
                                    || dropTransferEncoding && id == HeaderName.TRAILER
                                    || noFraming && id == HeaderName.CONTENT_LENGTH);
            if (drop) {
                continue;
            }
            if (request && id == HeaderName.TRANSFER_ENCODING) {
                // Its one value a request may have, as every parser reads it: "chunked," or
                // ", Chunked" could be read otherwise upstream (Twisted refuses them).
                if (runStart >= 0) {
                    out.writeBytes(b, runStart, runEnd - runStart);
                }
                out.writeBytes(TRANSFER_ENCODING_CHUNKED);
                runStart = -1;
                runEnd = -1;
                continue;
            }
            int start = head.nameStart(i);
            if (start != runEnd) {
                if (runStart >= 0) {
                    out.writeBytes(b, runStart, runEnd - runStart);
                }
                runStart = start;
            }
            runEnd = head.lineEnd(i);
        }
        if (runStart >= 0) {
            out.writeBytes(b, runStart, runEnd - runStart);
        }
    }

    /**
     * The response for the client: its status line in the client's version, the upstream's field
     * lines minus hop-by-hop ones, and the connection's fate as the client must read it.
     *
     * @param http10Client     the client spoke HTTP/1.0: answer in 1.0, say keep-alive explicitly
     * @param dropTransferEncoding the body is de-chunked for an HTTP/1.0 client and ends with the connection
     * @param close            the client connection closes after this response
     */
    public static void writeResponse(HeadIndex head, boolean http10Client, boolean dropTransferEncoding, boolean close,
                                     ByteBuf out) {
        byte[] b = head.bytes();
        out.writeBytes(b, head.headStart(), 7); // HTTP/1.
        out.writeByte(http10Client ? '0' : '1');
        if (head.firstLineEnd() - head.headStart() == STATUS_LINE_WITHOUT_REASON) {
            // "HTTP/1.1 200" read as sent, written as RFC 9112 4 has it: the space before an empty reason.
            out.writeBytes(b, head.headStart() + 8, 4);
            out.writeBytes(SPACE_CRLF);
        } else {
            out.writeBytes(b, head.headStart() + 8, head.firstLineEnd() + 2 - (head.headStart() + 8));
        }
        copyFields(head, false, false, dropTransferEncoding, out);
        if (close) {
            out.writeBytes(CONNECTION_CLOSE);
        } else if (http10Client) {
            out.writeBytes(CONNECTION_KEEP_ALIVE);
        }
        out.writeBytes(CRLF);
    }

    /**
     * The response head for the client, taken from {@code upstreamBytes} (whose readable bytes
     * start with the head {@code head} indexes) together with the {@code bodyLength} bytes after
     * it: both are consumed. Dropping hop-by-hop lines only shrinks a head, so the new one is
     * usually written over the end of the old, right before the body, and head and body leave as
     * one slice of the read buffer: no allocation, one write. A head that grew (a
     * {@code Connection} line the upstream did not send) is copied into a new buffer.
     *
     * @param scratch a heap buffer to write the head in first (cleared here)
     */
    public static ByteBuf rewriteResponse(HeadIndex head, ByteBuf upstreamBytes, int bodyLength, boolean http10Client,
                                          boolean dropTransferEncoding, boolean close, ByteBuf scratch,
                                          ByteBufAllocator alloc) {
        scratch.clear();
        writeResponse(head, http10Client, dropTransferEncoding, close, scratch);
        int headLength = head.headEnd();
        int newLength = scratch.readableBytes();
        if (newLength <= headLength) {
            int at = upstreamBytes.readerIndex() + headLength - newLength;
            upstreamBytes.setBytes(at, scratch.array(), scratch.arrayOffset() + scratch.readerIndex(), newLength);
            upstreamBytes.skipBytes(headLength - newLength);
            return upstreamBytes.readRetainedSlice(newLength + bodyLength);
        }
        ByteBuf out = alloc.directBuffer(newLength + bodyLength);
        out.writeBytes(scratch);
        upstreamBytes.skipBytes(headLength);
        out.writeBytes(upstreamBytes, upstreamBytes.readerIndex(), bodyLength);
        upstreamBytes.skipBytes(bodyLength);
        return out;
    }

    /** An upper bound of {@link #writeResponse}'s output. */
    public static int responseCapacity(HeadIndex head) {
        return head.headEnd() - head.headStart() + CONNECTION_KEEP_ALIVE.length;
    }

    private static final byte[] UPGRADE_WEBSOCKET = Tokens.ascii("Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n");

    /**
     * Makes a request head written by {@link #writeRequest} (ending in its blank line) a
     * WebSocket handshake again: the hop-by-hop {@code Connection: Upgrade} and
     * {@code Upgrade: websocket} it dropped go back in, for this hop (RFC 9110 7.8).
     */
    public static void restoreWebSocketUpgrade(ByteBuf head) {
        head.writerIndex(head.writerIndex() - CRLF.length);
        head.writeBytes(UPGRADE_WEBSOCKET);
    }

    /** The upstream's {@code 101 Switching Protocols} for the client: its field lines, the upgrade restated. */
    public static void writeSwitchingProtocols(HeadIndex head, ByteBuf out) {
        writeResponse(head, false, false, false, out);
        out.writerIndex(out.writerIndex() - CRLF.length);
        out.writeBytes(UPGRADE_WEBSOCKET);
    }

    /** An upper bound of {@link #writeSwitchingProtocols}'s output. */
    public static int switchingProtocolsCapacity(HeadIndex head) {
        return head.headEnd() - head.headStart() + UPGRADE_WEBSOCKET.length;
    }

    /** The extra bytes {@link #restoreWebSocketUpgrade} adds to a head. */
    public static int webSocketUpgradeLength() {
        return UPGRADE_WEBSOCKET.length;
    }
}
